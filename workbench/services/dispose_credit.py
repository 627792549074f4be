"""Who a disposition is credited to: the talk script and the operator the statistics count.

A call recorded without ``--script`` is credited to the script the operator was given:
the claim's (stored on the lease), else the one the queue shows for that customer at
that instant (its draw is the customer's own, so a re-read gives the same script).
Script and operator ids that nobody knows are refused with the known ones listed,
so a typo can neither hide a win-back nor invent a script or an operator in the
statistics.  Operators are checked once any are registered (the demo registers its own).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, and_, select

from workbench.config import Settings
from workbench.messages import say
from workbench.services.talk_choice import library_for
from workbench.store.models import Lease, Operator

leases = Lease.__table__
operators = Operator.__table__
KNOWN_SHOWN = 30  # ids listed in an error, at most


class CreditError(ValueError):
    """An unknown operator or script; `code` and `values` as in `DispositionError`."""

    def __init__(self, field: str, code: str, /, **values: object) -> None:
        super().__init__(say(code, **values))
        self.field = field
        self.code = code
        self.values = values


def known_operator(engine: Engine, operator: str | None) -> None:
    """`check_operator` for the faces that start a shift (claim, the operator UI)."""
    with engine.connect() as conn:
        check_operator(conn, operator)


def _known(ids: list[str]) -> str:
    shown = ", ".join(ids[:KNOWN_SHOWN])
    return shown + (f", … (+{len(ids) - KNOWN_SHOWN})" if len(ids) > KNOWN_SHOWN else "")


def check_operator(conn: Connection, operator: str | None) -> None:
    """Refuses an operator id that is not registered (or retired), once any operator is."""
    if operator is None:
        return
    rows = conn.execute(select(operators.c.code, operators.c.active)).all()
    active = sorted(code for code, on in rows if on)
    if not rows or operator in active:
        return
    if any(code == operator for code, _ in rows):
        raise CreditError(
            "operator", "dispose.operator_retired", operator=repr(operator), active=_known(active)
        )
    raise CreditError(
        "operator", "dispose.operator_unknown", operator=repr(operator), known=_known(active)
    )


def credited_script(
    conn: Connection,
    settings: Settings,
    cid: int,
    *,
    named: str | None,
    named_version: str | None,
    at: datetime,
    operator: str | None,
    outbound_call: bool,
) -> tuple[str | None, str | None]:
    """(script id, version) a call at `at` counts for; refuses an unknown `named` script id."""
    if named is not None:
        library = library_for(settings)
        script = library.get(named)
        if script is None:
            ids = [s.id for s in library.scripts()]
            raise CreditError(
                "script", "dispose.script_unknown", script=repr(named), known=_known(ids)
            )
        return named, named_version or script.version
    if not outbound_call:
        return None, None
    leased = conn.execute(
        select(leases.c.script_id, leases.c.script_version).where(
            and_(leases.c.customer_id == cid, leases.c.expires_at > at)
        )
    ).first()
    if leased is not None and leased.script_id is not None:
        return leased.script_id, leased.script_version
    from workbench.services.queue import read_queue

    entries = read_queue(conn, settings, at, operator, 1, only=[cid])
    if entries and entries[0].script is not None:
        return entries[0].script.script_id, entries[0].script.version
    return None, None
