"""Database errors in words an operator can act on: what failed, on which file, what to do."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from workbench.messages.db_errors import db_problem
from workbench.services.errors import ReadOnlyDatabase
from workbench.tui.session import Session


def read_only_message(session: Session, exc: BaseException) -> str | None:
    """The read-only notice naming the database file, or None for any other error."""
    if isinstance(exc, ReadOnlyDatabase):
        return session.tr("db.read_only", path=exc.path)
    return None


def db_message(session: Session, exc: OperationalError) -> str:
    """The read-only notice, or "database unavailable" and why."""
    return read_only_message(session, exc) or session.tr("queue.db_error", detail=db_problem(exc))
