"""Reading the reasons marked fixed, as known at an instant: for the scoring run and the
talk-script context (the marks are written by `services.reason_fixes`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from workbench.config import Settings
from workbench.domain.reason_fixes import FixedReasons, ReasonFix, fixed_days, seen_at
from workbench.store.engine import connection_of
from workbench.store.purchase_metrics import aware_utc
from workbench.store.reason_models import ReasonFix as ReasonFixRow

fixes = ReasonFixRow.__table__


def _fix(r: Any) -> ReasonFix:
    marked = aware_utc(r.marked_at)
    assert marked is not None
    return ReasonFix(r.reason, r.kind, date.fromisoformat(r.fixed_on), r.marked_by, marked, r.note)


def read_fixes(conn: Connection) -> list[ReasonFix]:
    """Every stored mark, by reason and kind."""
    stmt = select(fixes).order_by(fixes.c.reason, fixes.c.kind)
    return [_fix(r) for r in conn.execute(stmt)]


def fixes_at(bind: Engine | Connection, settings: Settings, at: datetime) -> FixedReasons:
    """The fixes known at `at` (marked by then, fixed on or before its local day)."""
    zone = ZoneInfo(settings.timezone)
    with connection_of(bind) as conn:
        stored = read_fixes(conn)
    seen = seen_at(stored, at, at.astimezone(zone).date())
    return FixedReasons(fixed_days(seen), float(settings.scoring.reason_fixed_boost),
                        float(settings.scoring.reason_confidence_min), zone)  # fmt: skip
