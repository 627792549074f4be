"""All tables but the reason fixes (`reason_models.py`).  Migrations in
`workbench/store/migrations` create them; never `create_all`.

Money is whole yen in a BIGINT: JPY has no minor unit, so an integer is exact
and cheap on both backends.  Datetimes are aware and stored as UTC.  Imported
rows carry a 64-bit fingerprint of their identity so a re-import adds nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from workbench.store.types import UTCDateTime


def _utc(nullable: bool = True, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(UTCDateTime(), nullable=nullable, index=index)


def _fk(target: str, nullable: bool = False, index: bool = True) -> Column:  # type: ignore[type-arg]
    return Column(Integer, ForeignKey(target, ondelete="CASCADE"), nullable=nullable, index=index)


class Model(SQLModel):
    """Every table model: declares the `__table__` SQLAlchemy gives each, for the type checker."""

    __table__: ClassVar[Table]


class Customer(Model, table=True):
    __tablename__ = "customers"

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    name_kana: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=3)
    company: str | None = Field(default=None, max_length=200)
    contact_person: str | None = Field(default=None, max_length=200)
    previous_rep: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    prefecture: str | None = Field(default=None, max_length=20)
    created_at: datetime | None = Field(default=None, sa_column=_utc())
    call_opt_out: bool = False
    email_opt_out: bool = False
    line_opt_out: bool = False
    call_consent: bool | None = None
    email_consent: bool | None = None
    line_consent: bool | None = None


class Phone(Model, table=True):
    __tablename__ = "phones"
    __table_args__ = (UniqueConstraint("customer_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customers.id"))
    position: int
    e164: str = Field(max_length=20, index=True)
    number_type: str = Field(max_length=20)
    time_zones: str = Field(sa_column=Column(Text, nullable=False))
    raw: str = Field(max_length=64)
    retired_at: datetime | None = Field(default=None, sa_column=_utc())


class Purchase(Model, table=True):
    __tablename__ = "transactions"
    __table_args__ = (
        Index("ix_transactions_customer_ordered", "customer_id", "ordered_at"),
        # A named index, not a constraint: a first bulk load drops it and builds it once at the end.
        Index("ux_transactions_fingerprint", "fingerprint", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customers.id", index=False))
    ordered_at: datetime = Field(sa_column=_utc(nullable=False))
    amount: int = Field(sa_column=Column(BigInteger, nullable=False))
    category: str | None = Field(default=None, max_length=100)
    product: str | None = Field(default=None, max_length=200)
    fingerprint: int = Field(sa_column=Column(BigInteger, nullable=False))
    source: str = Field(
        default="import", max_length=10, sa_column_kwargs={"server_default": "import"}
    )


class ContactAttempt(Model, table=True):
    __tablename__ = "contact_attempts"
    __table_args__ = (
        Index("ix_contact_attempts_customer_at", "customer_id", "at"),
        # Whether a callback's owner is working: their latest recorded call (services/calling).
        Index("ix_contact_attempts_operator_at", "operator", "at"),
        # Covers the script selector's tally (wins and contacts per script version) without
        # reading the history imported from elsewhere, which has no script version.
        Index(
            "ix_contact_attempts_script_outcomes",
            "script_id",
            "script_version",
            "outcome",
            "channel",
            sqlite_where=text("script_version IS NOT NULL"),
            postgresql_where=text("script_version IS NOT NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customers.id", index=False))
    channel: str = Field(max_length=10)
    direction: str = Field(default="outbound", max_length=10)
    at: datetime = Field(sa_column=_utc(nullable=False))
    operator: str | None = Field(default=None, max_length=64)
    outcome: str = Field(max_length=20)
    script_id: str | None = Field(default=None, max_length=100)
    script_version: str | None = Field(default=None, max_length=20)
    reason: str | None = Field(default=None, max_length=40)
    amount: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    callback_at: datetime | None = Field(default=None, sa_column=_utc())
    note: str | None = None
    phone_e164: str | None = Field(default=None, max_length=20)
    started_at: datetime | None = Field(default=None, sa_column=_utc())
    ended_at: datetime | None = Field(default=None, sa_column=_utc())
    source: str = Field(default="import", max_length=10)
    fingerprint: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, unique=True)
    )
    # The segment the queue scored this customer in when called (the win-back model's unit).
    winback_key: str | None = Field(default=None, max_length=120)
    # An email event's message (the outbox's Message-ID): replies and bounces name it.
    message_id: str | None = Field(default=None, max_length=255, index=True)


class DoNotCall(Model, table=True):
    __tablename__ = "do_not_call"
    __table_args__ = (UniqueConstraint("e164", "customer_id", name="uq_do_not_call_target"),)

    id: int | None = Field(default=None, primary_key=True)
    e164: str | None = Field(default=None, max_length=20, index=True)
    customer_id: int | None = Field(default=None, sa_column=_fk("customers.id", nullable=True))
    source: str = Field(max_length=40)
    reason: str | None = None
    created_at: datetime = Field(sa_column=_utc(nullable=False))


class Operator(Model, table=True):
    __tablename__ = "operators"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, index=True)
    name: str = Field(max_length=200)
    language: str = Field(default="ja", max_length=5)
    active: bool = True
    role: str = Field(
        default="operator", max_length=12, sa_column_kwargs={"server_default": "operator"}
    )


class CustomerMetrics(Model, table=True):
    """Per-customer purchase aggregates, refreshed after each transaction import."""

    __tablename__ = "customer_metrics"

    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    )
    first_order_at: datetime | None = Field(default=None, sa_column=_utc())
    last_order_at: datetime | None = Field(default=None, sa_column=_utc(index=True))
    n_orders: int = 0
    monetary: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    main_category: str | None = Field(default=None, max_length=100)
    # Purchases merged per local day: the customer-base models' transactions.
    n_days: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    first_day_amount: int = Field(
        default=0, sa_column=Column(BigInteger, nullable=False, default=0, server_default="0")
    )


class Lease(Model, table=True):
    """A claimed customer: one operator at a time, until disposition or expiry."""

    __tablename__ = "leases"

    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    )
    operator: str = Field(max_length=64)
    claimed_at: datetime = Field(sa_column=_utc(nullable=False))
    expires_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    score_json: str | None = None
    # The script the claim assigned: a disposition without --script is credited to it.
    script_id: str | None = Field(default=None, max_length=100)
    script_version: str | None = Field(default=None, max_length=20)


class Callback(Model, table=True):
    """A call the customer asked for; done when any later call attempt reaches them."""

    __tablename__ = "callbacks"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customers.id"))
    due_at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    operator: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(sa_column=_utc(nullable=False))
    done_at: datetime | None = Field(default=None, sa_column=_utc())


# The rows the queue may ever offer: the condition of its candidate index, which every candidate
# query repeats word for word (SQLite uses a partial index only when the query has its terms).
QUEUE_CANDIDATES = "permanent_block IS NULL AND state IN ('dormant', 'at_risk', 'churned')"


class QueueScore(Model, table=True):
    """The time-independent part of each customer's score, written by the scoring run."""

    __tablename__ = "queue_scores"
    __table_args__ = (
        Index("ix_queue_scores_candidates", "base_score", "customer_id", "state", "blocked_until",
              sqlite_where=text(QUEUE_CANDIDATES), postgresql_where=text(QUEUE_CANDIDATES)),
    )  # fmt: skip

    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    )
    base_score: float
    state: str = Field(max_length=10)
    segment: str = Field(max_length=10)
    value: float
    p_alive: float
    expected_orders: float
    p_come_back: float
    season: float
    deadline: bool = False
    reason: str = Field(max_length=40)
    reason_source: str = Field(max_length=10)
    permanent_block: str | None = Field(default=None, max_length=20)
    winback_key: str | None = Field(default=None, max_length=120)
    expected_spend: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    horizon_weeks: float = Field(default=52.0, sa_column_kwargs={"server_default": "52"})
    reason_confidence: float = Field(default=1.0, sa_column_kwargs={"server_default": "1"})
    # A hint for the candidate query, not a rule: the calling rules still decide at claim time.
    blocked_until: datetime | None = Field(default=None, sa_column=_utc())
    scored_at: datetime = Field(sa_column=_utc(nullable=False))
    reason_fixed: str | None = Field(default=None, max_length=10)  # local date the reason was fixed


class ModelState(Model, table=True):
    """Fitted model parameters (BG/NBD, season indices, answer priors) as JSON."""

    __tablename__ = "model_state"

    key: str = Field(primary_key=True, max_length=40)
    value: str
    fitted_at: datetime = Field(sa_column=_utc(nullable=False))


class EscalationCadence(Model, table=True):
    """Each customer's place in the email-then-call escalation (issue #12)."""

    __tablename__ = "escalation_cadences"
    __table_args__ = (Index("ix_escalation_cadences_due", "state", "next_at"),)

    customer_id: int = Field(
        sa_column=Column(Integer, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    )
    tier: str = Field(max_length=8)  # high | mid | low
    state: str = Field(max_length=12)  # waiting | emailed | responded | called | ended
    step: int = 0
    next_at: datetime | None = Field(default=None, sa_column=_utc())
    response: str | None = Field(default=None, max_length=12)  # opened | clicked | replied
    response_at: datetime | None = Field(default=None, sa_column=_utc())
    ended_reason: str | None = Field(default=None, max_length=40)
    started_at: datetime = Field(sa_column=_utc(nullable=False))
    updated_at: datetime = Field(sa_column=_utc(nullable=False))


class EscalationEvent(Model, table=True):
    """A move of a cadence: tiered, emailed, reminded, responded, queued for a call, ended."""

    __tablename__ = "escalation_events"
    __table_args__ = (Index("ix_escalation_events_customer_at", "customer_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customers.id", index=False))
    at: datetime = Field(sa_column=_utc(nullable=False))
    kind: str = Field(max_length=20)
    state: str = Field(max_length=12)  # the state after the move
    step: int = 0
    detail: str | None = None


class OutboxMessage(Model, table=True):
    """An email written by `escalation run`, sent at most once over SMTP."""

    __tablename__ = "email_outbox"
    __table_args__ = (Index("ix_email_outbox_due", "status", "next_try_at"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=_fk("customers.id"))
    # One email per cadence step: a second run writing the same step collides here.
    dedupe_key: str = Field(max_length=120, unique=True)
    message_id: str = Field(max_length=255, unique=True)
    to_address: str = Field(max_length=254)
    template_id: str = Field(max_length=100)
    template_version: str | None = Field(default=None, max_length=20)
    variant_group: str | None = Field(default=None, max_length=100)
    step: int = 0
    subject: str
    body_text: str = Field(sa_column=Column(Text, nullable=False))
    body_html: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    status: str = Field(max_length=10)  # queued | sending | sent | failed | skipped
    attempts: int = 0
    next_try_at: datetime = Field(sa_column=_utc(nullable=False))
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(default=None, sa_column=_utc())
    queued_at: datetime = Field(sa_column=_utc(nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=_utc())
    last_error: str | None = None


class EmailSuppression(Model, table=True):
    """An address email must not go to: bounced (RFC 3464) or refused permanently (5xx)."""

    __tablename__ = "email_suppressions"

    address: str = Field(primary_key=True, max_length=254)  # lower-cased
    status: str = Field(max_length=12)  # bounced | rejected
    detail: str | None = None
    source: str = Field(max_length=20)  # dsn | smtp | import
    at: datetime = Field(sa_column=_utc(nullable=False))


class ScriptContent(Model, table=True):
    """The text of one version of a talk-script file, stored when the workbench first meets it."""

    __tablename__ = "script_contents"

    script_id: str = Field(primary_key=True, max_length=100)
    language: str = Field(primary_key=True, max_length=5)
    version: str = Field(primary_key=True, max_length=20)  # `talk.model.script_version`
    content: str = Field(sa_column=Column(Text, nullable=False))
    first_seen: datetime = Field(sa_column=_utc(nullable=False))


class ScriptPin(Model, table=True):
    """A team lead's pin: the queue gives this script for the reason (kind "any": both kinds)."""

    __tablename__ = "script_pins"

    reason: str = Field(primary_key=True, max_length=40)
    kind: str = Field(primary_key=True, max_length=3)  # b2c | b2b | any
    script_id: str = Field(max_length=100)
    pinned_by: str = Field(max_length=64)
    pinned_at: datetime = Field(sa_column=_utc(nullable=False))


class ScriptRetirement(Model, table=True):
    """A script taken out of every choice (both languages' files of the id)."""

    __tablename__ = "script_retirements"

    script_id: str = Field(primary_key=True, max_length=100)
    retired_by: str = Field(max_length=64)
    retired_at: datetime = Field(sa_column=_utc(nullable=False))


class AuditEntry(Model, table=True):
    """Who changed what, when: one row per pin, unpin, retirement and return."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_utc(nullable=False, index=True))
    actor: str = Field(max_length=64)
    action: str = Field(max_length=40)
    subject: str | None = Field(default=None, max_length=200)
    details: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


__all__ = [
    "ContactAttempt", "Customer", "CustomerMetrics", "DoNotCall", "Operator", "Phone", "Purchase",
    "Lease", "Callback", "QueueScore", "ModelState", "EscalationCadence", "EscalationEvent",
    "OutboxMessage", "EmailSuppression", "ScriptContent", "ScriptPin", "ScriptRetirement", "AuditEntry",
]  # fmt: skip
