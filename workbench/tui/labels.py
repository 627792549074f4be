"""Screen labels for the code lists: outcomes, lifecycle states, calling rules, categories.

Codes are the public contract (CSV, database, JSON); operators see these words instead.
"""

from __future__ import annotations

OUTCOMES: dict[str, tuple[str, str]] = {
    "no_answer": ("不在", "no answer"),
    "busy": ("話し中", "busy"),
    "voicemail": ("留守電", "voicemail"),
    "wrong_number": ("番号違い", "wrong number"),
    "callback": ("かけ直し", "call back"),
    "not_interested": ("興味なし", "not interested"),
    "reactivated": ("再開（受注）", "won back"),
    "complaint": ("苦情", "complaint"),
    "do_not_call": ("架電拒否", "do not call"),
    "contact_changed": ("連絡先変更", "contact changed"),
    "sent": ("メール送信", "email sent"),
    "opened": ("メール開封", "email opened"),
    "clicked": ("メールクリック", "email clicked"),
    "replied": ("メール返信", "email replied"),
    "bounced": ("メール不達", "email bounced"),
    "unsubscribed": ("配信停止", "unsubscribed"),
    "inquiry": ("問い合わせ", "inquiry"),
}

STATES: dict[str, tuple[str, str]] = {
    "active": ("稼働", "active"),
    "at_risk": ("離脱予備軍", "at risk"),
    "dormant": ("休眠", "dormant"),
    "churned": ("離反", "churned"),
    "prospect": ("見込み", "prospect"),
    "unknown": ("不明", "unknown"),
}

RULES: dict[str, tuple[str, str]] = {
    "outside_window": ("架電時間外", "outside calling hours"),
    "holiday": ("祝日", "public holiday"),
    "retry_gap": ("再架電の間隔待ち", "waiting for the retry gap"),
    "daily_cap": ("本日の上限到達", "daily cap reached"),
    "weekly_cap": ("7日間の上限到達", "7-day cap reached"),
    "campaign_cap": ("キャンペーン上限到達", "campaign cap reached"),
    "do_not_call": ("架電禁止", "do not call"),
    "refused": ("お断り済み（再勧誘禁止）", "refused (no re-solicitation)"),
    "opted_out": ("架電拒否の意思表示", "opted out"),
    "no_valid_number": ("有効な番号なし", "no valid number"),
    "callback_other_owner": ("他の担当者のかけ直し", "another operator's callback"),
    "leased": ("他のオペレーターが対応中", "with another operator"),
}

CHANNELS: dict[str, tuple[str, str]] = {
    "call": ("電話", "call"),
    "email": ("メール", "email"),
    "line": ("LINE", "LINE"),
    "dm": ("DM", "mail"),
    "visit": ("訪問", "visit"),
}

WEEKDAYS: dict[str, tuple[str, ...]] = {
    "ja": ("月", "火", "水", "木", "金", "土", "日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
