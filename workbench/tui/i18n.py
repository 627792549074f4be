"""Interface text of the terminal UI in Japanese and English (`settings.language`).

One catalogue, keyed by message id; `key.<binding id>` entries are the footer labels,
so every Binding's `id` doubles as its translation key.  The code lists (outcomes, states,
calling rules, categories) are labelled in `labels.py`, so screens never show raw codes.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.domain.category_labels import category_label
from workbench.domain.code_labels import REASON_SOURCES
from workbench.talk.i18n import reason_label
from workbench.tui.labels import CHANNELS, OUTCOMES, RULES, STATES, WEEKDAYS

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("休眠顧客 掘り起こしワークベンチ", "Dormant-customer win-back workbench"),
    # footer labels, one per Binding id
    "key.quit": ("終了", "Quit"),
    "key.help": ("ヘルプ", "Help"),
    "key.supervisor": ("監督者画面", "Supervisor"),
    "key.command_palette": ("コマンド", "Commands"),
    "palette.placeholder": ("コマンドを検索…", "Search for commands…"),
    "palette.help": ("キー操作の一覧", "Keys"),
    "palette.help_doc": ("この画面で使えるキーを表示します", "Show the keys of this screen"),
    "palette.quit": ("終了", "Quit"),
    "palette.quit_doc": (
        "通話中のお客様は待ち行列に戻して終了します",
        "Quit; a customer mid-call goes back to the queue",
    ),
    "key.confirm_yes": ("はい、登録する", "Yes, record it"),
    "key.confirm_no": ("いいえ、戻る", "No, go back"),
    "key.claim": ("次のお客様", "Next customer"),
    "key.refresh": ("更新", "Refresh"),
    "key.why": ("理由", "Why short"),
    "key.dial": ("発信", "Dial"),
    "key.hangup": ("終話", "End call"),
    "key.dispose": ("結果入力", "Outcome"),
    "key.back": ("前の節", "Back"),
    "key.switch_script": ("台本切替", "Switch script"),
    "key.release": ("返却", "Release"),
    "key.save_next": ("保存して次へ", "Save & next"),
    "key.save_pause": ("保存して休止", "Save & pause"),
    "key.cancel": ("戻る", "Back"),
    "key.close": ("閉じる", "Close"),
    "key.close_help": ("閉じる", "Close"),
    "key.choose": ("選択", "Choose"),
    "key.branch_1": ("分岐", "Branch"),
    "key.outcome_1": ("結果", "Outcome"),
    "key.reason_1": ("理由", "Reason"),
    # login
    "login.title": (
        "オペレーターを選んでください（↑↓ で選んで Enter）",
        "Who is calling? Pick your operator id (↑↓, Enter)",
    ),
    "login.none": (
        "オペレーターが登録されていません。ID を入力してください",
        "No operators on file: type your id",
    ),
    "login.placeholder": ("オペレーター ID（例 op01）", "operator id (e.g. op01)"),
    # queue
    "queue.loading": (
        "キューを準備中…（採点を確認しています）",
        "Preparing the queue (checking scores)…",
    ),
    "queue.shift": (
        "本日 架電 {calls} · 接続 {contacts} · 再開 {wins}",
        "Today: calls {calls} · contacts {contacts} · won back {wins}",
    ),
    "queue.paused": ("休止中 — n で次のお客様", "Paused: press n for the next customer"),
    "queue.col.score": ("スコア", "Score"),
    "queue.col.customer": ("お客様", "Customer"),
    "queue.col.state": ("状態", "State"),
    "queue.col.local": ("現地", "Local"),
    "queue.col.callback": ("約束", "Promised"),
    "queue.col.reason": ("理由", "Why now"),
    "queue.claiming": ("お客様を確保しています…", "Claiming the next customer…"),
    "queue.nothing": ("今すぐ架電できるお客様はいません", "Nobody can be called right now"),
    "queue.short": ("キューが少ない理由", "Why the queue is short"),
    "queue.empty": (
        "今すぐ架電できるお客様はいません。理由:",
        "Nobody can be called right now. Why:",
    ),
    "queue.callable": (
        "架電可能 {n} 名 / 対象 {total} 名",
        "{n} callable of {total} in callable states",
    ),
    "queue.next_at": ("次に架電可能になる時刻: {at}", "Next callable: {at}"),
    "queue.next_none": (
        "次に架電可能になる時刻: なし（見込みなし）",
        "Next callable: none in sight",
    ),
    "score.refreshing": (
        "スコア更新中（{at} 時点の順位を表示中）。このまま架電できます",
        "Refreshing scores (ranking from {at}); keep calling: rules are checked live",
    ),
    "score.refreshed": ("スコアを更新しました", "Scores refreshed"),
    "score.failed": (
        "スコアを更新できませんでした: {detail}（前回の採点のまま架電できます）",
        "Could not refresh the scores: {detail} (the previous ranking stays usable)",
    ),
    "queue.explaining": ("架電できない理由を集計中…", "Counting why customers are held back…"),
    "queue.db_error": ("データベースに接続できません: {detail}", "Database unavailable: {detail}"),
    "queue.failed": (
        "お客様を確保できませんでした: {detail}",
        "Could not claim a customer: {detail}",
    ),
    "db.read_only": (
        "データベース {path} は読み取り専用のため書き込めません。"
        "書き込めるファイルを指定するか、管理者に権限を確認してください",
        "The database {path} is read-only, so nothing can be recorded. "
        "Use a writable file or ask the administrator for write access",
    ),
    # reason words
    "why.answers": ("{windows}に応答しやすい", "answers {windows}"),
    "why.answers_unknown": (
        "応答しやすい時間帯はまだ分かりません",
        "best time to call not known yet",
    ),
    "why.lapsed": ("休眠 {months}か月", "lapsed {months} months"),
    "why.lapsed_days": ("最終注文から {days}日", "last order {days} days ago"),
    "why.never": ("購入なし", "never bought"),
    "why.season": ("{category}の繁忙期まで {weeks}週", "{category} season in {weeks} weeks"),
    "why.deadline": ("特典期限の前月", "loyalty reset next month"),
    "why.reason": ("{label}（{source}）", "{label} ({source})"),
    "why.script": ("台本 {script}", "script {script}"),
    "why.callback": ("約束 {at}", "promised {at}"),
    "why.overdue": ("約束超過 {at}", "OVERDUE {at}"),
    **{f"source.{code}": pair for code, pair in REASON_SOURCES.items()},
    # call view
    "call.loading": ("お客様の情報を読み込み中…", "Loading the customer…"),
    "call.not_dialled": ("未発信", "not dialled"),
    "call.dialled": ("発信 {at}", "dialled {at}"),
    "call.ended": ("通話 {start}–{end}", "call {start}–{end}"),
    "call.copied": ("番号をコピーしました: {number}", "Number copied: {number}"),
    "call.dial_failed": ("発信できませんでした: {detail}", "Could not dial: {detail}"),
    "call.released": ("{name} をキューへ戻しました", "{name} released back to the queue"),
    "call.repeat": (
        "このお客様には今日すでに応答がありました（{outcome}）",
        "This customer was already reached today ({outcome})",
    ),
    "card.contact": ("ご担当 {person}", "contact {person}"),
    "card.previous_rep": ("前任 {rep}", "previous rep {rep}"),
    "card.local": ("現地時刻 {time}", "local time {time}"),
    "card.state": ("{state} · 最終注文 {last}", "{state} · last order {last}"),
    "card.months": ("{months}か月前", "{months} months ago"),
    "card.rfm": (
        "RFM {r}-{f}-{m} · P(生存) {p_alive} · スコア {score}",
        "RFM {r}-{f}-{m} · P(alive) {p_alive} · score {score}",
    ),
    "card.orders": ("注文 {n}回 · 累計 {total}", "{n} orders · {total} in total"),
    "card.purchases": ("月別購入（24か月）", "Purchases by month (24 months)"),
    "card.top": ("主なカテゴリ", "Top categories"),
    "card.heatmap": ("応答しやすい時間（週×時）", "When they answer (weekday × hour)"),
    "card.heatmap_legend": (
        "█出やすい ░出にくい ●応答 ×不在 ·時間外",
        "█ likely ░ unlikely ● answered × missed · closed",
    ),
    "card.reason": ("休眠理由", "Why they lapsed"),
    "card.contacts": ("過去の接触", "Past contacts"),
    "card.no_contacts": ("記録なし", "none on record"),
    "card.email": ("メール {email} · {status}", "email {email} · {status}"),
    "card.no_email": ("メール なし", "email: none"),
    "card.email_track": ("メールへの反応", "Email response"),
    "card.email_sent": ("{date} 送信「{subject}」", 'sent {date}: "{subject}"'),
    "card.email_answer": ("{date} {response}", "{response} {date}"),
    "card.email_waiting": ("反応はまだありません", "no response yet"),
    "email_response.opened": ("開封", "opened"),
    "email_response.clicked": ("リンクをクリック", "clicked a link"),
    "email_response.replied": ("返信あり", "replied"),
    "card.dnc": ("架電禁止の登録があります", "On the do-not-call list"),
    "email.ok": ("配信可", "can send"),
    "email.opted_out": ("配信停止", "opted out"),
    "email.bounced": ("不達", "bounced"),
    "evidence.heard": ("{date} {operator}が聞き取り: {note}", "heard {date} by {operator}: {note}"),
    "evidence.complaint": ("{date} に苦情の記録", "complaint on record {date}"),
    "evidence.previous_rep": ("前任担当 {rep} から引き継ぎ", "account handed over from {rep}"),
    "evidence.usage": ("注文 {n}回の後、途絶", "stopped after {n} orders"),
    "evidence.none": ("根拠となる記録なし", "nothing on record"),
    "script.none": (
        "この理由に合う台本がありません（s で選択）",
        "No script fits this customer (press s to pick one)",
    ),
    "script.header": ("台本 {script} · {title}", "Script {script} · {title}"),
    "script.branches": ("分岐（数字キー）", "Branches (number keys)"),
    "script.end": (
        "この節に分岐はありません。d で結果入力",
        "No branches here: press d to record the outcome",
    ),
    "script.error": ("台本の表示エラー: {error}", "Script error: {error}"),
    "scripts.broken": ("台本の読み込みエラー", "Talk-script error"),
    "scripts.applied": (
        "台本 {script} が更新されました。表示中の内容を新しい版にしました",
        "Script {script} was updated: the new version is shown",
    ),
    "scripts.next_call": (
        "台本 {script} が更新されました。次のお客様から新しい版で表示します",
        "Script {script} was updated: the new version shows from the next customer",
    ),
    "scripts.updated": (
        "台本が更新されました（{scripts}）。次のお客様から新しい版で表示します",
        "Scripts updated ({scripts}): the new versions show from the next customer",
    ),
    "scripts.shown": (
        "台本が更新されました（{scripts}）。新しい版で表示しています",
        "Scripts updated ({scripts}): shown in their new version",
    ),
    "script.pick": (
        "台本を選んでください（★ この理由向け）",
        "Choose a script (★ fits this reason)",
    ),
    # disposition
    "form.title": ("通話結果 — {name}", "Call outcome — {name}"),
    "form.outcome": ("結果", "Outcome"),
    "form.reason": ("理由", "Reason"),
    "form.callback": ("かけ直し", "Call back"),
    "form.callback_hint": (
        "例 18:00 / 11-26 18:00 / +2h（お客様の現地時刻 {zone}）",
        "e.g. 18:00, 11-26 18:00, +2h (customer's time, {zone})",
    ),
    "form.amount": ("受注額", "Amount"),
    "form.amount_hint": ("円（再開のときのみ）", "yen (won back only)"),
    "form.note": ("メモ", "Note"),
    "form.saving": ("保存中…", "Saving…"),
    "form.outage": (
        "データベースに接続できません（{detail}）。入力は保持しています。{delay:.0f}秒後に再試行（{attempt}回目）… Esc で中止",
        "Database unreachable ({detail}). Your input is kept. Retrying in {delay:.0f}s (attempt {attempt})… Esc to stop",
    ),
    "form.stopped": (
        "再試行を中止しました。入力は保持しています。Enter で再送信",
        "Stopped retrying. Your input is kept: Enter to send again",
    ),
    "form.saved": ("保存しました: {name} — {outcome}", "Saved: {name} — {outcome}"),
    "form.saved_callback": (
        "保存しました: {name} — かけ直し {at}（お客様の現地時刻）",
        "Saved: {name} — call back {at} (the customer's local time)",
    ),
    "form.fix": ("入力を確認してください", "Please fix the marked fields"),
    "err.outcome": ("結果を選んでください（数字キー）", "Choose an outcome (number keys)"),
    "err.callback_needed": ("かけ直しの日時を入力してください", "Enter when to call back"),
    "err.callback_format": (
        "日時の形式が違います（例 18:00 / 11-26 18:00 / +2h）",
        "Not a date and time (e.g. 18:00, 11-26 18:00, +2h)",
    ),
    "err.callback_past": (
        "かけ直しの日時は未来にしてください",
        "The callback must be in the future",
    ),
    "err.callback_only": (
        "かけ直し日時は結果「かけ直し」のときだけ入力します",
        "A callback time goes only with the outcome callback",
    ),
    "err.amount_format": (
        "金額は 0 以上の整数（円）です",
        "The amount is a whole number of yen, 0 or more",
    ),
    "err.amount_only": (
        "受注額は結果「再開」のときだけ入力します",
        "An order amount goes only with the outcome won back",
    ),
    "confirm.dnc": (
        "「架電停止」を登録すると、このお客様には今後一切お電話できません（取り消しできません）。\n"
        "お客様が明確に電話を断られた場合だけ登録してください。よろしいですか？",
        'Recording "do not call" stops every future call to this customer (it cannot be undone).\n'
        "Record it only when the customer clearly asked not to be called. Go ahead?",
    ),
    "err.callback_window": (
        "{at} はお客様の架電可能時間外です。最も早い可能時刻は {next} です",
        "{at} is outside the customer's calling window; the earliest allowed time is {next}",
    ),
    "err.callback_window_none": (
        "{at} はお客様の架電可能時間外です（近い日に可能な時間帯がありません）",
        "{at} is outside the customer's calling window (no allowed time in the coming days)",
    ),
    # command palette: the product's own commands
    "palette.stats": ("台本の成果", "Script success"),
    "palette.stats_doc": (
        "台本ごとの架電・接続・再開の件数と再開率",
        "Calls, contacts and customers won back per script",
    ),
    "palette.operator": ("担当者の切り替え", "Switch operator"),
    "palette.operator_doc": (
        "別のオペレーターとしてキューを開きます（通話中は不可）",
        "Open the queue as another operator (not during a call)",
    ),
    "palette.language": ("表示言語: English", "Language: 日本語"),
    "palette.language_doc": (
        "画面の表示を英語に切り替えます（通話中は不可）",
        "Show the screens in Japanese (not during a call)",
    ),
    "palette.in_call": (
        "通話中は切り替えできません。結果入力か返却のあとで操作してください",
        "Not during a call: record the outcome or release the customer first",
    ),
    "stats.title": ("台本の成果（全期間）", "Script success (all time)"),
    "stats.loading": ("集計中…", "Counting…"),
    "stats.none": ("台本を使った架電の記録はまだありません", "No scripted calls on record yet"),
    "stats.col.script": ("台本", "Script"),
    "stats.col.attempts": ("架電", "Calls"),
    "stats.col.contacts": ("接続", "Contacts"),
    "stats.col.wins": ("再開", "Won back"),
    "stats.col.rate": ("再開率", "Rate"),
    "stats.col.interval": ("95%区間", "95% interval"),
    "keys.unknown": (
        "設定 [keys] の {id} という操作はありません（使える ID: {known}）",
        "Setting [keys]: there is no action {id} (known ids: {known})",
    ),
    # help
    "help.title": ("キー操作", "Keys"),
    "help.intro": (
        (
            "流れ: n 次のお客様 → c 発信 → 数字キーで台本の分岐 → d 結果入力 → 数字で結果 → "
            "Enter 保存して次へ。Esc で戻ります。"
        ),
        (
            "The loop: n next customer → c dial → number keys follow the script → d disposition → "
            "a number picks the outcome → Enter saves and claims the next. Esc goes back."
        ),
    ),
    "help.queue": ("キュー画面", "Queue"),
    "help.call": ("通話画面", "Call view"),
    "help.form": ("結果入力", "Disposition form"),
    "help.global": ("どこでも", "Everywhere"),
    "help.palette": (
        "コマンドパレット（操作を名前で探す）",
        "Command palette (find an action by name)",
    ),
}


def _pick(pair: tuple[str, str] | None, language: str, fallback: str) -> str:
    if pair is None:
        return fallback
    return pair[1] if language == "en" else pair[0]


class Catalogue:
    """The interface text in one language: `tr("queue.shift", calls=3)`."""

    def __init__(self, language: str, categories: Mapping[str, str] | None = None) -> None:
        self.language = "en" if language == "en" else "ja"
        self.categories = dict(categories or {})

    def __call__(self, key: str, **values: object) -> str:
        text = _pick(_TEXT.get(key), self.language, key)
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in _TEXT

    def outcome(self, code: str) -> str:
        return _pick(OUTCOMES.get(code), self.language, code)

    def state(self, code: str) -> str:
        return _pick(STATES.get(code), self.language, code)

    def rule(self, code: str) -> str:
        return _pick(RULES.get(code), self.language, code)

    def category(self, code: str | None) -> str:
        return category_label(code, self.language, self.categories) or "-"

    def channel(self, code: str) -> str:
        return _pick(CHANNELS.get(code), self.language, code)

    def reason(self, code: str) -> str:
        return reason_label(code, self.language)

    def weekday(self, index: int) -> str:
        return WEEKDAYS[self.language][index]
