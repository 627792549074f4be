"""The canonical code lists: outcomes, email events, dormancy reasons, channels.

These strings appear in CSV files, the database, JSON output and talk-script
front matter, so they are part of the public contract: extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    B2C = "b2c"
    B2B = "b2b"


class Channel(StrEnum):
    CALL = "call"
    EMAIL = "email"
    LINE = "line"
    DM = "dm"
    VISIT = "visit"


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class LifecycleState(StrEnum):
    ACTIVE = "active"
    AT_RISK = "at_risk"
    DORMANT = "dormant"
    CHURNED = "churned"
    PROSPECT = "prospect"


CALL_OUTCOMES: tuple[str, ...] = (
    "no_answer",
    "busy",
    "voicemail",
    "wrong_number",
    "callback",
    "not_interested",
    "reactivated",
    "complaint",
    "do_not_call",
    "contact_changed",
    "no_decision",
)
EMAIL_EVENTS: tuple[str, ...] = ("sent", "opened", "clicked", "replied", "bounced", "unsubscribed")
INBOUND_OUTCOMES: tuple[str, ...] = ("inquiry", "complaint")
ALL_OUTCOMES: frozenset[str] = frozenset(CALL_OUTCOMES + EMAIL_EVENTS + INBOUND_OUTCOMES)

# Call outcomes where nobody was spoken to.
UNREACHED_OUTCOMES: frozenset[str] = frozenset({"no_answer", "busy", "voicemail", "wrong_number"})
# Outcomes where the customer was reached and a script was actually spoken.
CONTACTED_OUTCOMES: frozenset[str] = frozenset(CALL_OUTCOMES) - UNREACHED_OUTCOMES
# Outcomes that end solicitation for good (特定商取引法 Art. 17: no re-solicitation after a refusal).
REFUSAL_OUTCOMES: frozenset[str] = frozenset({"not_interested", "do_not_call"})

REASONS: tuple[str, ...] = (
    "usage_decreased",
    "quality_dissatisfaction",
    "competitor",
    "price",
    "long_consideration",
    "needs_changed",
    "life_stage_change",
    "contact_person_changed",
    "moved",
    "unknown",
)
REASON_SET: frozenset[str] = frozenset(REASONS)
