"""Words for the code lists: outcomes, lifecycle states, calling rules, channels, weekdays.

Codes are the public contract (CSV, database, JSON); people see these words instead, in
the operator UI and in the CLI's tables alike.  Plain data, no face: both import it.
"""

from __future__ import annotations

from collections.abc import Mapping

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
    "no_decision": ("検討中", "undecided"),
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
    "control_group": ("対照群（効果測定のため連絡しません）", "held back: control group"),
    "no_valid_number": ("有効な番号なし", "no valid number"),
    "callback_other_owner": ("他の担当者のかけ直し", "another operator's callback"),
    "leased": ("他のオペレーターが対応中", "with another operator"),
    "escalation": ("メール対応中（エスカレーション）", "on the email track"),
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

# Where a dormancy reason came from (the queue's `reason_source`).
REASON_SOURCES: dict[str, tuple[str, str]] = {
    "heard": ("聞き取り", "heard"),
    "guessed": ("推定", "guessed"),
}

KINDS: dict[str, tuple[str, str]] = {
    "b2c": ("個人", "b2c"),
    "b2b": ("法人", "b2b"),
}

# `domain.phone`'s number types (phonenumbers' categories).
NUMBER_TYPES: dict[str, tuple[str, str]] = {
    "mobile": ("携帯", "mobile"),
    "fixed_line": ("固定", "fixed line"),
    "fixed_line_or_mobile": ("固定または携帯", "fixed line or mobile"),
    "toll_free": ("フリーダイヤル", "toll free"),
    "voip": ("IP電話", "VoIP"),
    "premium_rate": ("有料情報サービス", "premium rate"),
    "shared_cost": ("通話料分担", "shared cost"),
    "personal": ("パーソナル番号", "personal number"),
    "pager": ("ポケットベル", "pager"),
    "uan": ("統一番号", "UAN"),
    "voicemail": ("ボイスメール", "voicemail"),
    "unknown": ("種別不明", "unknown"),
}

# Where a purchase or a do-not-call entry was recorded from.
SOURCES: dict[str, tuple[str, str]] = {
    "import": ("取込", "import"),
    "call": ("通話", "call"),
    "cli": ("コマンド", "command line"),
    "ui": ("画面", "operator UI"),
    "disposition": ("通話結果", "disposition"),
    "complaint": ("苦情", "complaint"),
    "smtp": ("メール", "email"),
    "dsn": ("メール不達通知", "bounce notice"),
}


# The email-then-call escalation: tiers, cadence states, events, and why a cadence ended or an
# email was not written or sent (`workbench escalation run|show|list`).
ESCALATION: dict[str, tuple[str, str]] = {
    "high": ("高（電話）", "high (call)"),
    "mid": ("中（メール→電話）", "mid (email, then call)"),
    "low": ("低（メールのみ）", "low (email only)"),
    "waiting": ("架電待ち", "waiting for a call"),
    "emailed": ("メール送付済み", "emailed"),
    "responded": ("反応あり", "responded"),
    "called": ("架電済み", "called"),
    "ended": ("終了", "ended"),
    "tiered": ("区分決定", "tiered"),
    "reminded": ("リマインド送付", "reminder sent"),
    "sent": ("送信完了", "sent"),
    "email_stopped": ("メール停止", "email stopped"),
    "call_attempt": ("架電", "call attempt"),
    "calls_stopped": ("架電停止", "calls stopped"),
    "call_queued": ("架電リストへ", "queued for a call"),
    "opened": ("開封", "opened"),
    "clicked": ("クリック", "clicked"),
    "replied": ("返信", "replied"),
    "bounced": ("不達", "bounced"),
    "unsubscribed": ("配信停止", "unsubscribed"),
    "rejected": ("受信拒否", "refused by the server"),
    "no_response": ("反応なし", "no response"),
    "opted_out": ("配信停止の意思表示", "opted out"),
    "no_consent": ("メール同意なし", "no email consent"),
    "control_group": ("対照群（効果測定のため連絡しません）", "held back: control group"),
    "no_address": ("メールアドレスなし", "no email address"),
    "no_customer": ("顧客が見つかりません", "no such customer"),
    "address_changed": ("アドレス変更済み", "address changed"),
    "no_template": ("該当するメールテンプレートなし", "no email template for the case"),
    "template_error": ("メールテンプレートのエラー", "email template error"),
}


def code_label(table: Mapping[str, tuple[str, str]], code: str, language: str) -> str:
    """`code` in words from `table` (ja, en pairs); a code the table lacks reads as written."""
    pair = table.get(code)
    if pair is None:
        return code
    return pair[1] if language == "en" else pair[0]
