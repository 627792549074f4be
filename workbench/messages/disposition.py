"""Errors and warnings of recording a call's outcome (`workbench dispose`, the operator form,
batch files): key -> (ja, en).  Field names and codes stay as they are inside the text."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # the disposition's own codes and times
    "dispose.needs_zone": (
        "タイムゾーン（+09:00 など）を付けてください",
        "needs a time zone",
    ),
    "dispose.bad_outcome": (
        "結果コード {outcome} は使えません（使えるもの: {allowed}）",
        "{outcome} is not one of {allowed}",
    ),
    "dispose.unknown_reason": (
        "休眠理由 {reason} は分類にありません（使えるもの: {known}）",
        "unknown dormancy reason {reason} (known: {known})",
    ),
    "dispose.amount_outcome": (
        "注文金額は結果 reactivated のときだけ入力できます",
        "an order amount goes only with the outcome reactivated",
    ),
    "dispose.amount_negative": (
        "金額にマイナスは使えません",
        "must not be negative",
    ),
    "dispose.callback_needed": (
        "かけ直し（callback）には、お約束した日時が必要です",
        "a callback needs the promised date and time",
    ),
    "dispose.callback_before_call": (
        "かけ直しの日時は通話より後にしてください",
        "must be after the call",
    ),
    "dispose.callback_only": (
        "かけ直しの日時は結果 callback のときだけ入力できます",
        "a callback time goes only with the outcome callback",
    ),
    # the customer and the calling rules
    "dispose.unknown_customer": (
        "顧客 ID {customer} が見つかりません",
        "unknown customer {customer}",
    ),
    "dispose.leased": (
        "お客様 {customer} はオペレーター {operator} が対応中です",
        "customer {customer} is leased to operator {operator}",
    ),
    "dispose.control_group": (
        "お客様 {customer} は対照群です（効果測定のため連絡しません）。架電の結果は記録できません",
        "customer {customer} is held back in the control group (never contacted, so the "
        "campaign can be measured): a call to them cannot be recorded",
    ),
    "dispose.not_allowed": (
        "{at} の {customer} への架電は架電ルールで認められていません: {rule}",
        "the calling rules did not allow a call to {customer} at {at}: {rule}",
    ),
    "dispose.callback_window": (
        "{at} はお客様の架電可能な時間帯の外です{hint}",
        "{at} is outside the customer's calling window{hint}",
    ),
    "dispose.callback_earliest": (
        "（最も早くかけられるのは {opens} です）",
        "; the earliest allowed time is {opens}",
    ),
    # warnings of a win-back
    "dispose.no_amount": (
        "注文金額の入力がありません。お客様は稼働顧客としてキューから外れますが、購入は記録していません",
        "no order amount given: the customer leaves the queue as active, but no purchase was "
        "recorded",
    ),
    "dispose.order_exists": (
        "この注文（¥{amount}、{at}）は記録済みのため、追加しません",
        "this order (¥{amount} at {at}) is already recorded: not added again",
    ),
    # operator and script credited
    "dispose.operator_retired": (
        "オペレーター {operator} は無効になっています（有効なオペレーター: {active}）",
        "operator {operator} is retired (active: {active})",
    ),
    "dispose.operator_unknown": (
        "オペレーター {operator} は登録されていません（登録済み: {known}。"
        "`workbench operators add ID` で登録できます）",
        "unknown operator {operator} (known: {known}; register one with "
        "`workbench operators add ID`)",
    ),
    "dispose.script_unknown": (
        "スクリプト {script} が見つかりません（あるもの: {known}）",
        "unknown script {script} (known: {known})",
    ),
    # batches
    "dispose.batch_line": ("{line} 行目: {problem}", "line {line}: {problem}"),
    "dispose.more": ("（ほか {count} 件）", "(+{count} more)"),
    "dispose.batch": (
        "記録できない行があるため、何も記録していません:\n{problems}",
        "nothing recorded: some rows cannot be recorded:\n{problems}",
    ),
    "dispose.file_head_one": (
        "{path} からは何も記録していません。{lines} 行目を直して、ファイル全体をもう一度指定してください:",
        "nothing recorded from {path}; fix line {lines} and give the whole file again:",
    ),
    "dispose.file_head_many": (
        "{path} からは何も記録していません。{lines} 行目を直して、ファイル全体をもう一度指定してください:",
        "nothing recorded from {path}; fix lines {lines} and give the whole file again:",
    ),
    # the command line's own (cli/queue.py)
    "cli.dispose_both": (
        "CUSTOMER_ID --outcome … と --file のどちらか一方だけを指定してください",
        "give either CUSTOMER_ID --outcome … or --file, not both",
    ),
    "cli.dispose_needs": (
        "dispose には CUSTOMER_ID と --outcome（または --file FILE.csv）が必要です",
        "dispose needs CUSTOMER_ID and --outcome (or --file FILE.csv)",
    ),
    "cli.limit_negative": (
        "0 以上の数を指定してください（指定値: {limit}）",
        "must be 0 or more, got {limit}",
    ),
}
