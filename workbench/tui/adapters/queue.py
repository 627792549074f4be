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

from workbench.domain.season import next_peak
from workbench.services.explain import Explanation, explain
from workbench.services.freshness import ScoreStatus, ensure_scored, score_status
from workbench.services.operator_desk import (
    Facts,
    OperatorInfo,
    ShiftCounts,
    list_operators,
    operator_name,
    read_queue_with_facts,
    shift_counts,
)
from workbench.services.queue import QueueEntry
from workbench.services.scoring import ScoringSummary
from workbench.services.script_context import months_between
from workbench.tui.session import Session

__all__ = ["Facts", "OperatorInfo", "ShiftCounts", "list_operators", "QueueRow", "QueueView", "load_queue_view",
           "load_shift_counts", "refresh_scores", "load_explanation", "weeks_to_peak", "reason_words"]  # fmt: skip

QUEUE_LENGTH = 20
SHORT_QUEUE = 5  # below this many callable customers the screen says why


@dataclass(frozen=True)
class QueueRow:
    entry: QueueEntry
    words: str


@dataclass(frozen=True)
class QueueView:
    rows: list[QueueRow]
    stale: ScoreStatus | None = None  # the ranking is from an older scoring run: refresh it
    # Read in the worker, kept in the session by the screen on the event loop (a worker
    # thread never writes the shared session).
    operator: str | None = None  # whose queue this is
    operator_name: str = ""

    @property
    def short(self) -> bool:
        """Few enough callable customers that the screen says why."""
        return len(self.rows) < SHORT_QUEUE


def load_queue_view(session: Session, limit: int = QUEUE_LENGTH) -> QueueView:
    """The queue and, on the session's first read, whether the scores are stale."""
    at = session.now()
    stale = None if session.scored else first_read(session, at)
    name = session.operator_name
    if session.operator and not name:  # the shift's first read, or a new operator took over
        name = operator_name(session.engine, session.operator)
    read = read_queue_with_facts(
        session.engine, session.settings, at, session.operator, limit, session.rng
    )
    rows = [
        QueueRow(e, reason_words(session, e, read.facts.get(e.customer_id), read.seasons))
        for e in read.entries
    ]
    return QueueView(rows, stale, session.operator, name)


def load_shift_counts(session: Session) -> ShiftCounts:
    return shift_counts(session.engine, session.operator, session.now(), session.zone)


def first_read(session: Session, at: datetime) -> ScoreStatus | None:
    """Score a database that has no scores yet (a new, small demo set: nothing to rank
    before that); stale scores are returned instead, to be shown now and refreshed after.

    Stale scores are safe to show and to claim from: the calling rules are checked live.
    """
    status = score_status(session.engine, at)
    if not status.stored:
        ensure_scored(session.engine, session.settings, at)
    return status if status.stored and not status.fresh else None


def refresh_scores(session: Session) -> ScoringSummary | None:
    """The full scoring run (minutes on a million customers): for a background worker."""
    return ensure_scored(session.engine, session.settings, session.now())


def load_explanation(session: Session) -> Explanation:
    """How many customers each calling rule holds back: reads the whole base."""
    return explain(session.engine, session.settings, session.now(), session.operator)


def weeks_to_peak(values: list[float], today: date, lead_weeks: tuple[float, float]) -> int | None:
    """Weeks until the start of the peak month that lifts the score (the scoring run's lead window)."""
    peak = next_peak(values, today, lead_weeks)
    return None if peak is None else max(1, round(peak.weeks))


def reason_words(
    session: Session, entry: QueueEntry, facts: Facts | None, seasons: dict[str, list[float]]
) -> str:
    """'price (heard) · heating season in 5 weeks · lapsed 7 months · answers Tue–Thu 18–19h · script …'.

    What to say on the call comes first, so a narrow column still shows it: the lapse
    reason, then what makes now the time (season, loyalty deadline), how long they have
    been away, when they answer, and the script last (the call view names it again).
    """
    tr = session.tr
    local_today = entry.local_time.date()
    words = [
        tr("why.reason", label=tr.reason(entry.reason), source=tr(f"source.{entry.reason_source}"))
    ]
    if entry.parts.season > 0 and facts is not None and facts.main_category in seasons:
        lead = (
            session.settings.scoring.season_lead_weeks_min,
            session.settings.scoring.season_lead_weeks_max,
        )
        weeks = weeks_to_peak(seasons[facts.main_category], local_today, lead)
        if weeks is not None:
            words.append(tr("why.season", category=tr.category(facts.main_category), weeks=weeks))
    if entry.parts.deadline:
        words.append(tr("why.deadline"))
    if facts is not None and facts.last_order_at is not None:
        last = facts.last_order_at.astimezone(entry.local_time.tzinfo).date()
        months = months_between(last, local_today)
        words.append(
            tr("why.lapsed", months=months)
            if months
            else tr("why.lapsed_days", days=(local_today - last).days)
        )
    else:
        words.append(tr("why.never"))
    words.append(
        tr("why.answers", windows=entry.windows) if entry.windows else tr("why.answers_unknown")
    )
    if entry.script is not None:
        words.append(tr("why.script", script=entry.script.script_id))
    return " · ".join(words)
