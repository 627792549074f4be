"""Permanent blocks have one home: the calling rules name them; every stored copy agrees.

A customer can be blocked for several reasons at once (refused and opted out; on the
do-not-call list and refused).  The scoring run stores a block as a hint for the
candidate query, a disposition updates it, and `queue --explain` counts customers by the
rule `evaluate` names: all three must name the same rule for every customer.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update

from workbench.config import Settings
from workbench.domain.calling_rules import PERMANENT_BLOCKS, evaluate
from workbench.services.calling import calling_policy, load_contacts
from workbench.services.dispose import Disposition, dispose
from workbench.services.explain import explain
from workbench.services.importer import import_file
from workbench.services.queue import eligible_states
from workbench.services.scoring import rescore
from workbench.store.models import Customer, QueueScore

JST = ZoneInfo("Asia/Tokyo")
AT = datetime(2026, 11, 24, 10, 0, tzinfo=JST)  # a Tuesday morning
customers, scores = Customer.__table__, QueueScore.__table__

# id, do_not_call flag, opted out of calls, a refusal in the history
CASES = [
    ("REF", "0", False, True),
    ("OPT", "0", True, False),
    ("REF_OPT", "0", True, True),
    ("DNC_REF", "1", False, True),
    ("DNC_OPT", "1", True, False),
    ("FREE", "0", False, False),
    ("LATER", "0", False, False),  # refuses during the test
]


def _load(engine: Engine, settings: Settings, tmp: Path) -> None:
    people = ["customer_id,name,kind,phone,do_not_call"]
    orders = ["customer_id,ordered_at,amount,category"]
    calls = ["customer_id,channel,direction,at,outcome,operator"]
    for i, (cid, dnc, _, refused) in enumerate(CASES):
        people.append(f"{cid},顧客 {i},b2c,090-3000-{i:04d},{dnc}")
        orders += [
            f"{cid},2025-09-01T12:00+09:00,8000,beverages",
            f"{cid},2026-01-15T12:00+09:00,8000,beverages",
        ]
        if refused:
            calls.append(f"{cid},call,outbound,2026-10-06T11:00+09:00,not_interested,op9")
    for kind, lines in (("customers", people), ("transactions", orders), ("contacts", calls)):
        path = tmp / f"{kind}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert (
            import_file(
                engine, kind, path, settings, rejects_path=tmp / f"{kind}.rejects.csv"
            ).rejected
            == 0
        )
    opted = [cid for cid, _, opted_out, _ in CASES if opted_out]
    with engine.begin() as conn:
        conn.execute(
            update(customers).where(customers.c.external_id.in_(opted)).values(call_opt_out=True)
        )


def _stored_and_ruled(
    engine: Engine, settings: Settings, at: datetime
) -> dict[str, tuple[str | None, str | None]]:
    policy = calling_policy(settings)
    with engine.connect() as conn:
        rows = conn.execute(
            select(customers.c.id, customers.c.external_id, scores.c.permanent_block).join(
                scores, scores.c.customer_id == customers.c.id
            )
        ).all()
        contacts = load_contacts(conn, [r.id for r in rows], at, settings)
    out = {}
    for row in rows:
        code = evaluate(contacts[row.id], at, policy).code
        ruled = str(code) if code in PERMANENT_BLOCKS else None
        out[row.external_id] = (row.permanent_block, ruled)
    return out


def test_stored_blocks_name_the_rule_evaluate_names(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _load(engine, settings, tmp_path)
    rescore(engine, settings, AT)
    found = _stored_and_ruled(engine, settings, AT)
    assert (
        found["REF_OPT"][1] == "refused" and found["DNC_REF"][1] == "do_not_call"
    )  # several hold: one precedence
    assert found["FREE"] == (None, None)
    for cid, (stored, ruled) in found.items():
        assert stored == ruled, cid
    held = explain(engine, settings, AT).held_back
    with engine.connect() as conn:
        states = dict(
            conn.execute(
                select(customers.c.external_id, scores.c.state).join(
                    scores, scores.c.customer_id == customers.c.id
                )
            ).all()
        )
    expected: dict[str, int] = {}
    for cid, (_, ruled) in found.items():
        if ruled is not None and states[cid] in eligible_states(
            settings
        ):  # explain counts callable states
            expected[ruled] = expected.get(ruled, 0) + 1
    assert expected
    assert {k: v for k, v in held.items() if k in {str(b) for b in PERMANENT_BLOCKS}} == expected


def test_a_refusal_disposed_now_is_stored_as_the_rules_name_it(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _load(engine, settings, tmp_path)
    rescore(engine, settings, AT)
    dispose(
        engine,
        settings,
        Disposition(
            customer_id="LATER", outcome="not_interested", at=AT, operator="op1", source="batch"
        ),
    )
    assert _stored_and_ruled(engine, settings, AT)["LATER"] == ("refused", "refused")
