"""The queue screen's data: queue entries in words, the shift's counts, why it is short.

Runs in worker threads.  The ranking, the rules and the explanation come from the
services; this module only adds what the screen shows around them (plain dataclasses).

Reading the queue costs the same on any database size.  Rescoring and `explain` read the
whole base, and the shift's counts read every contact attempt (no index serves them), so
the screen shows the queue first and gets those afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, and_, func, select

from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.domain.season import next_peak
from workbench.services.explain import Explanation, explain
from workbench.services.queue import QueueEntry, read_queue
from workbench.services.freshness import ScoreStatus, ensure_scored, score_status
from workbench.services.scoring import ScoringSummary, load_state
from workbench.services.script_context import months_between
from workbench.store.models import ContactAttempt, CustomerMetrics, Operator
from workbench.tui.session import Session

attempts = ContactAttempt.__table__
metrics = CustomerMetrics.__table__
operators = Operator.__table__

QUEUE_LENGTH = 20
SHORT_QUEUE = 5  # below this many callable customers the screen says why


@dataclass(frozen=True)
class Facts:
    """What the queue entry does not carry: the main category and the last order."""

    main_category: str | None
    last_order_at: datetime | None


@dataclass(frozen=True)
class QueueRow:
    entry: QueueEntry
    words: str


@dataclass(frozen=True)
class ShiftCounts:
    calls: int = 0
    contacts: int = 0
    wins: int = 0


@dataclass(frozen=True)
class QueueView:
    rows: list[QueueRow]
    stale: ScoreStatus | None = None  # the ranking is from an older scoring run: refresh it

    @property
    def short(self) -> bool:
        """Few enough callable customers that the screen says why."""
        return len(self.rows) < SHORT_QUEUE


@dataclass(frozen=True)
class OperatorInfo:
    code: str
    name: str


def list_operators(engine: Engine) -> list[OperatorInfo]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(operators.c.code, operators.c.name)
            .where(operators.c.active.is_(True))
            .order_by(operators.c.code)
        ).all()
    return [OperatorInfo(code, name) for code, name in rows]


def operator_name(engine: Engine, code: str) -> str:
    with engine.connect() as conn:
        return conn.execute(select(operators.c.name).where(operators.c.code == code)).scalar() or ""


def load_queue_view(session: Session, limit: int = QUEUE_LENGTH) -> QueueView:
    """The queue and, on the session's first read, whether the scores are stale."""
    at = session.now()
    stale = None if session.scored else first_read(session, at)
    with session.engine.connect() as conn:
        entries = read_queue(conn, session.settings, at, session.operator, limit, session.rng)
        facts = load_facts(conn, [e.customer_id for e in entries])
        seasons = load_state(conn, "season") or {}
    rows = [
        QueueRow(e, reason_words(session, e, facts.get(e.customer_id), seasons)) for e in entries
    ]
    return QueueView(rows, stale)


def load_shift_counts(session: Session) -> ShiftCounts:
    with session.engine.connect() as conn:
        return shift_counts(conn, session.operator, session.now(), session.zone)


def first_read(session: Session, at: datetime) -> ScoreStatus | None:
    """Score a database that has no scores yet (a new, small demo set: nothing to rank
    before that); stale scores are returned instead, to be shown now and refreshed after.

    Stale scores are safe to show and to claim from: the calling rules are checked live.
    """
    status = score_status(session.engine, at)
    if not status.stored:
        ensure_scored(session.engine, session.settings, at)
    session.scored = True
    if session.operator and not session.operator_name:
        session.operator_name = operator_name(session.engine, session.operator)
    return status if status.stored and not status.fresh else None


def refresh_scores(session: Session) -> ScoringSummary | None:
    """The full scoring run (minutes on a million customers): for a background worker."""
    return ensure_scored(session.engine, session.settings, session.now())


def load_explanation(session: Session) -> Explanation:
    """How many customers each calling rule holds back: reads the whole base."""
    return explain(session.engine, session.settings, session.now(), session.operator)


def load_facts(conn: Connection, ids: list[int]) -> dict[int, Facts]:
    if not ids:
        return {}
    rows = conn.execute(
        select(metrics.c.customer_id, metrics.c.main_category, metrics.c.last_order_at).where(
            metrics.c.customer_id.in_(ids)
        )
    )
    return {cid: Facts(category, last) for cid, category, last in rows}


def shift_counts(
    conn: Connection, operator: str | None, at: datetime, zone: ZoneInfo
) -> ShiftCounts:
    """This operator's calls today (local day): attempts, contacts reached, customers won back."""
    if not operator:
        return ShiftCounts()
    start = datetime.combine(at.astimezone(zone).date(), datetime.min.time(), tzinfo=zone)
    rows = conn.execute(
        select(attempts.c.outcome, func.count())
        .where(
            and_(
                attempts.c.operator == operator,
                attempts.c.channel == "call",
                attempts.c.at >= start,
                attempts.c.at <= at,
            )
        )
        .group_by(attempts.c.outcome)
    ).all()
    by = dict(rows)
    return ShiftCounts(
        calls=sum(by.values()),
        contacts=sum(n for outcome, n in by.items() if outcome in CONTACTED_OUTCOMES),
        wins=by.get("reactivated", 0),
    )


def weeks_to_peak(values: list[float], today: date, lead_weeks: tuple[float, float]) -> int | None:
    """Weeks until the start of the peak month that lifts the score (the scoring run's lead window)."""
    peak = next_peak(values, today, lead_weeks)
    return None if peak is None else max(1, round(peak.weeks))


def reason_words(
    session: Session, entry: QueueEntry, facts: Facts | None, seasons: dict[str, list[float]]
) -> str:
    """'answers Tue–Thu 18–19h · lapsed 7 months · heating season in 5 weeks · price (heard) · script …'."""
    tr = session.tr
    local_today = entry.local_time.date()
    words = []
    if entry.windows:
        words.append(tr("why.answers", windows=entry.windows))
    if facts is not None and facts.last_order_at is not None:
        last = facts.last_order_at.astimezone(entry.local_time.tzinfo).date()
        months = months_between(last, local_today)
        words.append(
            tr("why.lapsed", months=months)
            if months
            else tr("why.lapsed_days", days=(local_today - last).days)
        )
    elif facts is None or facts.last_order_at is None:
        words.append(tr("why.never"))
    if entry.parts.season > 0 and facts is not None and facts.main_category in seasons:
        lead = (session.settings.scoring.season_lead_weeks_min, session.settings.scoring.season_lead_weeks_max)
        weeks = weeks_to_peak(seasons[facts.main_category], local_today, lead)
        if weeks is not None:
            words.append(tr("why.season", category=tr.category(facts.main_category), weeks=weeks))
    if entry.parts.deadline:
        words.append(tr("why.deadline"))
    words.append(
        tr("why.reason", label=tr.reason(entry.reason), source=tr(f"source.{entry.reason_source}"))
    )
    if entry.script is not None:
        words.append(tr("why.script", script=entry.script.script_id))
    return " · ".join(words)
