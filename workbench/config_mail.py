"""The email settings sections: `[smtp]`, `[escalation]` and `[mailbox]`, and their checks.

Part of `workbench.config`, which re-exports every name here; import them from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workbench.config_values import documented, wrong_value

SECURITY_MODES = ("none", "starttls", "tls")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = documented("SMTP server host for outgoing email.", "localhost")
    port: int = documented("SMTP server port.", 25)
    sender: str = documented("From address of outgoing email.", "noreply@example.co.jp")
    username: str = documented("SMTP user name ('' for none).", "")
    password_env: str = documented(
        "Name of the environment variable holding the SMTP password.", ""
    )
    security: str = documented(
        "Connection security: 'none' (plain), 'starttls' (upgrade after connecting) or 'tls' "
        "(implicit TLS, usually port 465).",
        "none",
    )
    rate_per_minute: int = documented("Most emails sent per minute (0: no limit).", 60)
    timeout_seconds: float = documented(
        "Seconds to wait for the SMTP server before a temporary failure.", 30.0
    )


@dataclass(frozen=True)
class EscalationSettings:
    enabled: bool = documented(
        "Whether the email-then-call escalation runs: mid and low tiers leave the call queue until "
        "they respond (high tiers are called as before).",
        False,
    )
    high_value_min: float = documented(
        "Smallest expected win-back value (yen, the queue's `value` × P(alive)) for the high tier.",
        30000.0,
    )
    high_p_alive_min: float = documented("Smallest P(alive) for the high tier.", 0.3)
    mid_value_min: float = documented(
        "Smallest expected win-back value (yen) for the mid tier; below it, low.", 5000.0
    )
    mid_wait_days: int = documented(
        "Days a mid-tier customer has to respond to the first email.", 3
    )
    mid_reminder_wait_days: int = documented("Days after the reminder before the next step.", 3)
    mid_after_reminder: str = documented(
        "What follows an unanswered reminder for the mid tier: 'call' or 'none'.", "call"
    )
    low_steps_days: list[int] = documented(
        "Days after the start at which the low tier's step emails go.", [0, 14, 45]
    )
    response_boost: float = documented(
        "Factor on a responder's queue score (the `response` component): a reply counts fully, "
        "a click half and an open a quarter of the boost above 1.",
        2.0,
    )
    unsubscribe_url: str = documented(
        "One-click unsubscribe URL ({token} is replaced per message); '' for mailto only.", ""
    )
    unsubscribe_mailto: str = documented(
        "Address for unsubscribe mails ('' : the SMTP sender).", ""
    )
    reply_domain: str = documented(
        "Domain of the per-message reply address (reply+TOKEN@domain; '' : the sender's domain).",
        "",
    )


@dataclass(frozen=True)
class MailboxSettings:
    maildir: str = documented("Maildir folder replies and bounces arrive in ('' : none).", "")
    imap_host: str = documented("IMAP server holding replies and bounces ('' : none).", "")
    imap_port: int = documented("IMAP server port.", 993)
    imap_security: str = documented("IMAP connection security: 'none', 'starttls' or 'tls'.", "tls")
    imap_username: str = documented("IMAP user name.", "")
    imap_password_env: str = documented(
        "Name of the environment variable holding the IMAP password.", ""
    )
    imap_folder: str = documented("IMAP folder to read.", "INBOX")


def validate_mail(settings: Any, origins: dict[str, str]) -> None:
    """Raise `ConfigError` for a wrong value in an email section (other sections pass)."""
    if isinstance(settings, SmtpSettings | MailboxSettings):
        name = "security" if isinstance(settings, SmtpSettings) else "imap_security"
        if getattr(settings, name) not in SECURITY_MODES:
            choices = " / ".join(SECURITY_MODES)
            raise wrong_value("config.one_of", settings, origins, name, choices=choices)
    if isinstance(settings, EscalationSettings):
        if settings.mid_after_reminder not in ("call", "none"):
            choices = "call / none"
            raise wrong_value(
                "config.one_of", settings, origins, "mid_after_reminder", choices=choices
            )
        if any(d < 0 for d in settings.low_steps_days) or settings.low_steps_days != sorted(
            settings.low_steps_days
        ):
            raise wrong_value("config.rising_days", settings, origins, "low_steps_days")
        if settings.response_boost < 1:
            raise wrong_value("config.at_least", settings, origins, "response_boost", low=1)
