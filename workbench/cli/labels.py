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


def labels(language: str) -> dict[str, str]:
    return HEADERS["en" if language == "en" else "ja"]


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def interval(low: float | None, high: float | None) -> str:
    return f"{pct(low)}–{pct(high)}"


def yen(value: float) -> str:
    return f"{int(value):,}"
