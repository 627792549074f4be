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
           "replied": "返信", "response_rate": "反応率"},
    "en": {"script": "Script", "version": "Version", "reason": "Reason", "kind": "Kind", "operator": "Operator",
           "attempts": "Attempts", "contacts": "Contacts", "reactivations": "Reactivated", "rate": "Rate",
           "interval": "95% CI", "p_best": "P(best)", "revenue": "Revenue", "note": "Note",
           "first_seen": "First seen", "last_seen": "Last seen", "current": "Current",
           "language": "Language",
           "thin": "not enough data", "none": "no records", "customer": "Customer",
           "months": "months", "error": "error", "operator_placeholder": "<operator>",
           "template": "Template", "sent": "Sent", "opened": "Opened", "clicked": "Clicked",
           "replied": "Replied", "response_rate": "Response"},
}  # fmt: skip


def labels(language: str) -> dict[str, str]:
    return HEADERS["en" if language == "en" else "ja"]


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def interval(low: float | None, high: float | None) -> str:
    return f"{pct(low)}–{pct(high)}"


def yen(value: float) -> str:
    return f"{int(value):,}"
