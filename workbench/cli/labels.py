"""Column headers and cell formats of the talk-script tables (`scripts …`, `stats scripts`).

Japanese unless the configured language is English, like the operator UI.
"""

from __future__ import annotations

HEADERS = {
    "ja": {"script": "スクリプト", "version": "版", "reason": "理由", "kind": "種別", "operator": "担当",
           "attempts": "架電", "contacts": "接触", "reactivations": "再開", "rate": "再開率",
           "interval": "95%区間", "p_best": "最良確率", "revenue": "売上", "note": "注記",
           "first_seen": "初回", "last_seen": "最終", "current": "現行", "language": "言語",
           "thin": "データ不足", "none": "記録がありません", "customer": "お客様",
           "months": "か月", "error": "エラー", "operator_placeholder": "〈担当者名〉",
           "template": "テンプレート", "sent": "送信", "opened": "開封", "clicked": "クリック",
           "replied": "返信", "response_rate": "反応率",
           "script_reason": "スクリプト / 理由", "version_short": "版", "attempts_short": "架電",
           "contacts_short": "接触", "reactivations_short": "再開", "opened_short": "開封",
           "clicked_short": "クリック", "replied_short": "返信", "response_short": "反応率",
           "by_invalid": "--by: {value!r} は指定できません。指定できる値: {allowed}（既定: reason）"},
    "en": {"script": "Script", "version": "Version", "reason": "Reason", "kind": "Kind", "operator": "Operator",
           "attempts": "Attempts", "contacts": "Contacts", "reactivations": "Reactivated", "rate": "Rate",
           "interval": "95% CI", "p_best": "P(best)", "revenue": "Revenue", "note": "Note",
           "first_seen": "First seen", "last_seen": "Last seen", "current": "Current",
           "language": "Language",
           "thin": "not enough data", "none": "no records", "customer": "Customer",
           "months": "months", "error": "error", "operator_placeholder": "<operator>",
           "template": "Template", "sent": "Sent", "opened": "Opened", "clicked": "Clicked",
           "replied": "Replied", "response_rate": "Response",
           "script_reason": "Script / reason", "version_short": "Ver", "attempts_short": "Dials",
           "contacts_short": "Conv", "reactivations_short": "Won", "opened_short": "Open",
           "clicked_short": "Click", "replied_short": "Reply", "response_short": "Resp",
           "by_invalid": "--by: {value!r} is not allowed; use one of: {allowed} (default: reason)"},
}  # fmt: skip

# The people-facing tables of `customers`, `customers show`, `queue` and `queue --explain`.
_TABLES: dict[str, tuple[str, str]] = {
    "t.id": ("顧客ID", "ID"), "t.name": ("氏名", "Name"), "t.kind": ("種別", "Kind"),
    "t.state": ("状態", "State"), "t.days": ("経過日数", "Days"), "t.orders": ("注文数", "Orders"),
    "t.spend": ("累計額", "Spend"), "t.rfm": ("RFM", "RFM"), "t.phone": ("電話番号", "Phone"),
    "t.count": ("{n:,} 名", "{n:,} customers"),
    "t.score": ("スコア", "Score"), "t.value": ("価値", "Value"), "t.p_back": ("再開確率", "P(back)"),
    "t.p_answer": ("応答確率", "P(answer)"), "t.local": ("現地時刻", "Local time"),
    "t.reason": ("理由", "Reason"), "t.script": ("台本", "Script"),
    "t.reason_source": ("{reason}（{source}）", "{reason} ({source})"),
    "t.nothing": ("今すぐ架電できるお客様はいません（理由は `workbench queue --explain` で確認できます）",
                  "nothing to call now: `workbench queue --explain` shows why"),
    "t.callable": ("{at} 時点: 架電可能 {n:,} 名 / 対象 {total:,} 名",
                   "at {at}: {n:,} callable of {total:,} in callable states"),
    "t.next_at": ("次に架電可能になる時刻: {at}", "next customer becomes callable at {at}"),
    "d.state": ("状態", "state"), "d.name_kana": ("フリガナ", "name_kana"),
    "d.company": ("会社名", "company"), "d.contact_person": ("ご担当者", "contact_person"),
    "d.previous_rep": ("前任担当", "previous_rep"), "d.email": ("メール", "email"),
    "d.prefecture": ("都道府県", "prefecture"), "d.phone": ("電話", "phone"),
    "d.retired": ("（使用停止）", "(retired)"),
    "d.orders": ("注文 {n:,}回、累計 {spend}、RFM {rfm}", "orders: {n}, spend {spend}, RFM {rfm}"),
    "d.dnc": ("架電禁止", "do not call"),
    "d.control": ("対照群（効果測定のため連絡しません）", "held back: control group (never called or emailed)"),
    "d.purchases": ("購入履歴", "Purchases"), "d.ordered_at": ("注文日時", "Ordered at"),
    "d.amount": ("金額", "Amount"), "d.category": ("カテゴリ", "Category"),
    "d.product": ("商品", "Product"), "d.source": ("登録元", "Source"),
    "d.contacts": ("接触履歴", "Contacts"), "d.at": ("日時", "At"), "d.channel": ("経路", "Channel"),
    "d.outcome": ("結果", "Outcome"), "d.operator": ("担当", "Operator"), "d.note": ("メモ", "Note"),
    "c.recorded": ("{n:,} 件の結果を記録しました", "recorded {n} disposition(s)"),
    "c.warning": ("注意", "warning"),
    "c.scored": ("{n:,} 名を {seconds:.1f} 秒で採点しました。状態: {states}",
                 "scored {n:,} customers in {seconds:.1f}s; states {states}"),
}  # fmt: skip
for _key, (_ja, _en) in _TABLES.items():
    HEADERS["ja"][_key] = _ja
    HEADERS["en"][_key] = _en


def labels(language: str) -> dict[str, str]:
    return HEADERS["en" if language == "en" else "ja"]


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def interval(low: float | None, high: float | None) -> str:
    return f"{pct(low)}–{pct(high)}"


def yen(value: float) -> str:
    return f"{int(value):,}"
