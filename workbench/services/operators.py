"""The operators a team registers: the ids dispositions and claims are checked against."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update

from workbench.store.models import Operator

operators = Operator.__table__
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
LANGUAGES = ("ja", "en")
# Supervisors and team leads also get the supervisor screen inside `workbench ui`.
ROLES = ("operator", "supervisor", "team_lead")
SUPERVISING_ROLES = frozenset({"supervisor", "team_lead"})


@dataclass(frozen=True)
class OperatorRow:
    code: str
    name: str
    language: str
    active: bool
    role: str = "operator"

    @property
    def supervises(self) -> bool:
        return self.role in SUPERVISING_ROLES

    def as_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "language": self.language,
            "active": self.active,
            "role": self.role,
        }


def register_operator(
    engine: Engine,
    code: str,
    name: str | None = None,
    language: str = "ja",
    role: str | None = None,
) -> tuple[OperatorRow, bool]:
    """Add an operator, or update and reactivate a registered one; (row, added).  Without a
    `role` a new operator is an operator and a registered one keeps theirs."""
    if not CODE.match(code):
        raise ValueError(
            f"operator id {code!r}: letters, digits and _ . @ - only, at most 64, not starting with a sign"
        )
    if language not in LANGUAGES:
        raise ValueError(f"language must be ja or en, got {language!r}")
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    values: dict[str, object] = {"name": (name or code).strip() or code, "language": language,
                                 "active": True}  # fmt: skip
    if role is not None:
        values["role"] = role
    with engine.begin() as conn:
        held = conn.execute(
            select(operators.c.id, operators.c.role).where(operators.c.code == code)
        ).first()
        if held is None:
            conn.execute(insert(operators).values(code=code, **values))
        else:
            conn.execute(update(operators).where(operators.c.code == code).values(**values))
    kept = role or (held.role if held is not None else "operator")
    return OperatorRow(code, str(values["name"]), language, True, kept), held is None


def retire_operator(engine: Engine, code: str) -> OperatorRow:
    """Mark an operator inactive: kept for the history, hidden from the login list."""
    with engine.begin() as conn:
        row = conn.execute(select(operators).where(operators.c.code == code)).first()
        if row is None:
            raise LookupError(f"unknown operator {code!r}")
        conn.execute(update(operators).where(operators.c.code == code).values(active=False))
    return OperatorRow(code, row.name, row.language, False, row.role)


def all_operators(engine: Engine) -> list[OperatorRow]:
    with engine.connect() as conn:
        rows = conn.execute(select(operators).order_by(operators.c.code)).all()
    return [OperatorRow(r.code, r.name, r.language, bool(r.active), r.role) for r in rows]


def operator_role(engine: Engine, code: str | None) -> str | None:
    """The role of an active registered operator; None for anyone else."""
    if not code:
        return None
    with engine.connect() as conn:
        row = conn.execute(
            select(operators.c.role).where(operators.c.code == code, operators.c.active.is_(True))
        ).first()
    return None if row is None else str(row.role)
