"""Team leads' hold on the script choice: pins per reason, retirements, and their audit log.

A pin makes the queue give one script for a reason (for one kind of customer, or both)
instead of Thompson sampling among the candidates; a retired script is offered for no
reason at all, pinned or not.  Every change writes an `audit_log` row (who, when, what) in
the same transaction.  The CLI (`workbench scripts pin|unpin|retire|unretire|audit`) and
the supervisor screen call these functions; the queue reads the rules through
`script_rules`, one small query per database at most every RULES_TTL_SECONDS (at once
after a change made in this process).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, String, cast, delete, insert, literal, null, select
from sqlalchemy.dialects import postgresql, sqlite

from workbench.domain.codes import REASON_SET, REASONS
from workbench.store.models import AuditEntry, Operator, ScriptPin, ScriptRetirement

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.talk.model import TalkScript

pins = ScriptPin.__table__
retirements = ScriptRetirement.__table__
audit = AuditEntry.__table__
operators = Operator.__table__

RULES_TTL_SECONDS = 15.0  # another process's pin reaches this one's queue within this time
PIN_KINDS: tuple[str, ...] = ("b2c", "b2b", "any")

_lock = threading.Lock()
_rules: dict[str, tuple[float, ScriptRules]] = {}


class AdminError(ValueError):
    """A change refused; `code` names it for the faces' messages and `values` fill them in:
    unknown_script (value, known), unknown_reason (value, known), unknown_kind (value, known),
    not_serving (value, reason, kind, reasons), retired (value), already_retired (value),
    not_pinned (reason, kind),
    not_retired (value), unknown_operator (value, known), no_actor."""

    def __init__(self, code: str, text: str, **values: Any) -> None:
        super().__init__(text)
        self.code = code
        self.values = values


@dataclass(frozen=True)
class ScriptRules:
    """What the queue honours: (reason, kind) → pinned script id; the retired ids."""

    pins: Mapping[tuple[str, str], str]
    retired: frozenset[str]

    def pins_for(self, kind: str) -> dict[str, str]:
        """reason → the script pinned for customers of `kind` (a pin for the kind wins over
        one for both kinds)."""
        found = {reason: sid for (reason, k), sid in self.pins.items() if k == "any"}
        found.update({reason: sid for (reason, k), sid in self.pins.items() if k == kind})
        return found

    def choice_pins(self, scripts: Iterable[TalkScript], kind: str) -> dict[str, str] | None:
        """The `pins` argument of `talk.select.choose_script` for a customer of `kind`: None
        when no stored pin applies (the scripts' own `pinned: true` decide, as before);
        else those front-matter pins with the stored pins over them."""
        stored = self.pins_for(kind)
        if not stored:
            return None
        merged: dict[str, str] = {}
        for script in scripts:
            if script.pinned and script.kind in (kind, "any"):
                for reason in script.reasons:
                    merged.setdefault(reason, script.id)
        merged.update(stored)
        return merged


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    details: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "actor": self.actor,
                "action": self.action, "subject": self.subject, "details": self.details}  # fmt: skip


@dataclass(frozen=True)
class PinRow:
    reason: str
    kind: str
    script_id: str
    pinned_by: str
    pinned_at: datetime


def load_rules(conn: Connection) -> ScriptRules:
    """Pins and retirements in one query."""
    stmt = select(literal("pin"), pins.c.reason, pins.c.kind, pins.c.script_id).union_all(
        select(literal("retire"), cast(null(), String), cast(null(), String), retirements.c.script_id)
    )  # fmt: skip
    pinned: dict[tuple[str, str], str] = {}
    retired: set[str] = set()
    for what, reason, kind, script_id in conn.execute(stmt):
        if what == "pin":
            pinned[(reason, kind)] = script_id
        else:
            retired.add(script_id)
    return ScriptRules(pinned, frozenset(retired))


def script_rules(conn: Connection) -> ScriptRules:
    """The rules of `conn`'s database, read at most every RULES_TTL_SECONDS per process."""
    url = str(conn.engine.url)
    now = time.monotonic()
    with _lock:
        cached = _rules.get(url)
        if cached is not None and now - cached[0] < RULES_TTL_SECONDS:
            return cached[1]
    rules = load_rules(conn)
    with _lock:
        _rules[url] = (now, rules)
    return rules


def forget_rules(url: str | None = None) -> None:
    """The next pick re-reads the rules (after a change here; tests)."""
    with _lock:
        if url is None:
            _rules.clear()
        else:
            _rules.pop(url, None)


def _libraries(settings: Settings) -> dict[str, list[TalkScript]]:
    """script id → its files (one per language) in the configured folder."""
    from workbench.services.script_folder import scripts_root
    from workbench.talk.library import ScriptLibrary
    from workbench.talk.model import SCRIPT_LANGUAGES

    found: dict[str, list[TalkScript]] = {}
    for language in SCRIPT_LANGUAGES:
        for script in ScriptLibrary(scripts_root(settings), language).scripts():
            found.setdefault(script.id, []).append(script)
    return found


def _files_of(settings: Settings, script_id: str) -> list[TalkScript]:
    library = _libraries(settings)
    if script_id not in library:
        known = sorted(library)
        raise AdminError("unknown_script", f"unknown script {script_id!r} (known: {', '.join(known)})",
                         value=script_id, known=known)  # fmt: skip
    return library[script_id]


def script_reasons(settings: Settings, script_id: str) -> list[str]:
    """The reasons a script's files serve (what it may be pinned for), A→Z; refused: an
    unknown script."""
    return sorted({r for s in _files_of(settings, script_id) for r in s.reasons})


def check_actor(conn: Connection, actor: str) -> None:
    """The registered operators are the ones who may change the choice (once any are); the
    reason fixes (`services.reason_fixes`) ask the same."""
    if not actor:
        raise AdminError("no_actor", "who makes the change? give --by OPERATOR")
    rows = conn.execute(select(operators.c.code, operators.c.active)).all()
    active = sorted(code for code, on in rows if on)
    if rows and actor not in active:
        raise AdminError("unknown_operator", f"unknown or retired operator {actor!r} (known: "
                         f"{', '.join(active)})", value=actor, known=active)  # fmt: skip


def write_audit(conn: Connection, at: datetime, actor: str, action: str, subject: str | None,
                details: dict[str, Any]) -> AuditRow:  # fmt: skip
    """One audit_log row, in the caller's transaction."""
    stmt = insert(audit).values(at=at, actor=actor, action=action, subject=subject,
                                details=json.dumps(details, ensure_ascii=False))  # fmt: skip
    new_id = conn.execute(stmt.returning(audit.c.id)).scalar_one()
    return AuditRow(new_id, at, actor, action, subject, details)


def _is_retired(conn: Connection, script_id: str) -> bool:
    stmt = select(retirements.c.script_id).where(retirements.c.script_id == script_id)
    return conn.execute(stmt).first() is not None


def pin_script(engine: Engine, settings: Settings, reason: str, script_id: str, *, by: str,
               at: datetime, kind: str = "any") -> AuditRow:  # fmt: skip
    """Give `script_id` to every customer with `reason` (of `kind`, or both kinds) from now
    on; replaces an earlier pin of that reason and kind.  Refused: an unknown reason, kind,
    script or operator, a script serving neither the reason nor the kind, a retired one."""
    if reason not in REASON_SET:
        raise AdminError("unknown_reason", f"unknown reason {reason!r} (known: {', '.join(REASONS)})",
                         value=reason, known=list(REASONS))  # fmt: skip
    if kind not in PIN_KINDS:
        raise AdminError("unknown_kind", f"unknown kind {kind!r} (known: {', '.join(PIN_KINDS)})",
                         value=kind, known=list(PIN_KINDS))  # fmt: skip
    files = _files_of(settings, script_id)
    if not any(s.serves(reason, kind) or (kind == "any" and reason in s.reasons) for s in files):
        reasons = sorted({r for s in files for r in s.reasons})
        kinds = sorted({s.kind for s in files})
        raise AdminError("not_serving", f"script {script_id!r} ({', '.join(kinds)}) does not serve "
                         f"{reason!r} for {kind!r} (its reasons: {', '.join(reasons)})",
                         value=script_id, reason=reason, kind=kind, reasons=reasons)  # fmt: skip
    dialect = sqlite if engine.dialect.name == "sqlite" else postgresql
    with engine.begin() as conn:
        check_actor(conn, by)
        if _is_retired(conn, script_id):
            raise AdminError("retired", f"script {script_id!r} is retired: "
                             "`workbench scripts unretire` it first", value=script_id)  # fmt: skip
        previous = conn.execute(
            select(pins.c.script_id).where(pins.c.reason == reason, pins.c.kind == kind)
        ).scalar()
        values = {"script_id": script_id, "pinned_by": by, "pinned_at": at}
        stmt = dialect.insert(pins).values(reason=reason, kind=kind, **values)
        conn.execute(stmt.on_conflict_do_update(index_elements=["reason", "kind"], set_=values))
        details = {"reason": reason, "kind": kind, "script_id": script_id, "previous": previous}
        row = write_audit(conn, at, by, "pin", script_id, details)
    forget_rules(str(engine.url))
    return row


def unpin_script(engine: Engine, reason: str, *, by: str, at: datetime, kind: str = "any") -> AuditRow:  # fmt: skip
    """Give the reason back to Thompson sampling (for that kind's pin)."""
    with engine.begin() as conn:
        check_actor(conn, by)
        previous = conn.execute(
            select(pins.c.script_id).where(pins.c.reason == reason, pins.c.kind == kind)
        ).scalar()
        if previous is None:
            raise AdminError("not_pinned", f"nothing is pinned for {reason!r} ({kind})",
                             reason=reason, kind=kind)  # fmt: skip
        conn.execute(delete(pins).where(pins.c.reason == reason, pins.c.kind == kind))
        details = {"reason": reason, "kind": kind, "script_id": previous}
        row = write_audit(conn, at, by, "unpin", previous, details)
    forget_rules(str(engine.url))
    return row


def retire_script(engine: Engine, settings: Settings, script_id: str, *, by: str, at: datetime) -> AuditRow:  # fmt: skip
    """Take `script_id` (both languages' files) out of every choice; its pins stay stored
    but are not honoured while it is retired."""
    _files_of(settings, script_id)
    with engine.begin() as conn:
        check_actor(conn, by)
        if _is_retired(conn, script_id):
            raise AdminError("already_retired", f"script {script_id!r} is already retired",
                             value=script_id)  # fmt: skip
        conn.execute(insert(retirements).values(script_id=script_id, retired_by=by, retired_at=at))
        pinned = conn.execute(
            select(pins.c.reason, pins.c.kind).where(pins.c.script_id == script_id)
        ).all()
        details = {"script_id": script_id, "pinned_for": [f"{r}/{k}" for r, k in pinned]}
        row = write_audit(conn, at, by, "retire", script_id, details)
    forget_rules(str(engine.url))
    return row


def unretire_script(engine: Engine, script_id: str, *, by: str, at: datetime) -> AuditRow:
    """Offer a retired script again."""
    with engine.begin() as conn:
        check_actor(conn, by)
        gone = conn.execute(delete(retirements).where(retirements.c.script_id == script_id))
        if not gone.rowcount:
            raise AdminError("not_retired", f"script {script_id!r} is not retired", value=script_id)
        row = write_audit(conn, at, by, "unretire", script_id, {"script_id": script_id})
    forget_rules(str(engine.url))
    return row


def _row(r: Any) -> AuditRow:
    return AuditRow(r.id, r.at, r.actor, r.action, r.subject, json.loads(r.details or "{}"))


def audit_entries(engine: Engine, limit: int | None = None) -> list[AuditRow]:
    """The audit log, newest first (`limit` rows, or all)."""
    stmt = select(audit).order_by(audit.c.at.desc(), audit.c.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [_row(r) for r in conn.execute(stmt)]


def current_pins(engine: Engine) -> tuple[list[PinRow], list[tuple[str, str, datetime]]]:
    """(the pins, by reason and kind; the retired scripts as (id, by, at)) for the screens."""
    with engine.connect() as conn:
        pinned = [PinRow(r.reason, r.kind, r.script_id, r.pinned_by, r.pinned_at)
                  for r in conn.execute(select(pins).order_by(pins.c.reason, pins.c.kind))]  # fmt: skip
        retired = [(r.script_id, r.retired_by, r.retired_at)
                   for r in conn.execute(select(retirements).order_by(retirements.c.script_id))]  # fmt: skip
    return pinned, retired
