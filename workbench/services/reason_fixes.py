"""Marking a dormancy reason "fixed as of a date", and reading the fixes known at an instant.

`workbench reasons fix|unfix|list` and the supervisor screen call these.  Every mark and
unmark writes an `audit_log` row (reason_fix / reason_unfix) and marks the scores stale in
the same transaction, so the next queue read rescores and sees the change; the scoring run
and the talk-script context read the fixes through `services.fixed_reasons.fixes_at`
(`workbench.domain.reason_fixes` holds who counts as having left for a fixed reason).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from workbench.domain.reason_fixes import FIX_KINDS, FIXABLE_REASONS, ReasonFix
from workbench.services.fixed_reasons import fixes, read_fixes
from workbench.services.freshness import invalidate
from workbench.services.script_admin import AdminError, AuditRow, check_actor, write_audit

__all__ = ["AdminError", "list_fixes", "mark_fixed", "unmark_fixed"]


def _check(reason: str, kind: str) -> None:
    if reason not in FIXABLE_REASONS:
        raise AdminError("unknown_reason", f"unknown reason {reason!r} (known: {', '.join(FIXABLE_REASONS)})",
                         value=reason, known=list(FIXABLE_REASONS))  # fmt: skip
    if kind not in FIX_KINDS:
        raise AdminError("unknown_kind", f"unknown kind {kind!r} (known: {', '.join(FIX_KINDS)})",
                         value=kind, known=list(FIX_KINDS))  # fmt: skip


def mark_fixed(engine: Engine, reason: str, fixed_on: date, *, by: str, at: datetime,
               kind: str = "any", note: str | None = None) -> AuditRow:  # fmt: skip
    """Mark `reason` fixed as of the local day `fixed_on` (for `kind`, or both kinds);
    replaces an earlier mark of that reason and kind.  Refused: an unknown reason, kind or
    operator."""
    _check(reason, kind)
    note = (note or "").strip() or None
    dialect = sqlite if engine.dialect.name == "sqlite" else postgresql
    with engine.begin() as conn:
        check_actor(conn, by)
        previous = conn.execute(
            select(fixes.c.fixed_on).where(fixes.c.reason == reason, fixes.c.kind == kind)
        ).scalar()
        values = {"fixed_on": fixed_on.isoformat(), "marked_by": by, "marked_at": at, "note": note}
        stmt = dialect.insert(fixes).values(reason=reason, kind=kind, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["reason", "kind"], set_=values))
        details = {"reason": reason, "kind": kind, "fixed_on": fixed_on.isoformat(),
                   "note": note, "previous": previous}  # fmt: skip
        row = write_audit(conn, at, by, "reason_fix", reason, details)
        invalidate(conn)
    return row


def unmark_fixed(engine: Engine, reason: str, *, by: str, at: datetime, kind: str = "any") -> AuditRow:  # fmt: skip
    """Take back the mark of `reason` (for `kind`): its customers are scored as before."""
    _check(reason, kind)
    with engine.begin() as conn:
        check_actor(conn, by)
        previous = conn.execute(
            select(fixes.c.fixed_on).where(fixes.c.reason == reason, fixes.c.kind == kind)
        ).scalar()
        if previous is None:
            raise AdminError("not_fixed", f"{reason!r} ({kind}) is not marked fixed",
                             reason=reason, kind=kind)  # fmt: skip
        conn.execute(delete(fixes).where(fixes.c.reason == reason, fixes.c.kind == kind))
        details = {"reason": reason, "kind": kind, "fixed_on": previous}
        row = write_audit(conn, at, by, "reason_unfix", reason, details)
        invalidate(conn)
    return row


def list_fixes(engine: Engine) -> list[ReasonFix]:
    """Every stored mark, by reason and kind."""
    with engine.connect() as conn:
        return read_fixes(conn)
