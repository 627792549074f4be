"""Which leases hold at an instant: one home for the queue, the claim and `--explain`.

A lease holds at `at` when it was claimed by then and has not expired: a claim made after
`at` is something that happened after `at`, so a queue read in the past does not see it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, select

from workbench.store.models import Lease

leases = Lease.__table__


def live_at(at: datetime) -> ColumnElement[bool]:
    """The condition on `leases` rows that hold at `at`."""
    return and_(leases.c.claimed_at <= at, leases.c.expires_at > at)


def live_leases(conn: Connection, at: datetime) -> dict[int, str]:
    """Customer id → the operator holding them at `at`."""
    return dict(
        conn.execute(select(leases.c.customer_id, leases.c.operator).where(live_at(at))).all()
    )  # type: ignore[arg-type]
