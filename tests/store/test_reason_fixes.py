"""Reasons marked fixed, and the queue's re-approach of the customers who left for them,
on SQLite and PostgreSQL.

Five customers bought on 2025-09-01 and 2026-01-15 (Tokyo).  PRICE told us "price" on a call
in March; RIVAL told us "competitor"; ANGRY complained about the quality in February (churned);
REFUSED complained and then refused any further call; FRESH gave "price" too but ordered again
on 2026-11-21, after the fix.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from workbench.config import Settings
from workbench.services.call_queue import queue_at
from workbench.services.freshness import score_status
from workbench.services.importer import import_file
from workbench.services.operators import register_operator
from workbench.services.reason_fixes import AdminError, list_fixes, mark_fixed, unmark_fixed
from workbench.services.script_admin import audit_entries
from workbench.services.script_context import build_context
from workbench.talk.library import ScriptLibrary
from workbench.talk.render import render_script

REPO = Path(__file__).parents[2]
JST = ZoneInfo("Asia/Tokyo")
AT = datetime(2026, 11, 24, 10, 0, tzinfo=JST)  # a Tuesday morning
MARKED = datetime(2026, 11, 18, 17, 0, tzinfo=JST)  # the fix was announced ahead of its day
FIXED_ON = date(2026, 11, 20)


def _load(engine: Engine, settings: Settings, tmp: Path) -> None:
    people = ["customer_id,name,kind,phone"]
    orders = ["customer_id,ordered_at,amount,category"]
    calls = ["customer_id,channel,direction,at,outcome,operator,reason"]
    for i, cid in enumerate(("PRICE", "RIVAL", "ANGRY", "REFUSED", "FRESH")):
        people.append(f"{cid},顧客 {i},b2c,090-3100-{i:04d}")
        orders += [
            f"{cid},2025-09-01T12:00+09:00,8000,beverages",
            f"{cid},2026-01-15T12:00+09:00,8000,beverages",
        ]
    orders.append("FRESH,2026-11-21T12:00+09:00,8000,beverages")
    calls += [
        "PRICE,call,outbound,2026-03-10T11:00+09:00,contact_changed,op9,price",
        "RIVAL,call,outbound,2026-03-10T11:30+09:00,contact_changed,op9,competitor",
        "ANGRY,call,outbound,2026-02-10T11:00+09:00,complaint,op9,quality_dissatisfaction",
        "REFUSED,call,outbound,2026-02-10T11:00+09:00,complaint,op9,quality_dissatisfaction",
        "REFUSED,call,outbound,2026-02-12T11:00+09:00,not_interested,op9,",
        "FRESH,call,outbound,2026-03-10T12:00+09:00,contact_changed,op9,price",
    ]
    for kind, lines in (("customers", people), ("transactions", orders), ("contacts", calls)):
        path = tmp / f"{kind}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        done = import_file(engine, kind, path, settings, rejects_path=tmp / f"{kind}.rejects.csv")
        assert done.rejected == 0
    register_operator(engine, "lead", "主任", role="supervisor")


def _queue(engine: Engine, settings: Settings, at: datetime) -> dict[str, dict]:  # type: ignore[type-arg]
    return {e.external_id: e.as_json() for e in queue_at(engine, settings, at, None, 20)}


def _unboosted(c: dict) -> float:  # type: ignore[type-arg]
    """The base from its parts, as domain.scoring composes it (the deadline factor is 1.5)."""
    deadline = 1.5 if c["deadline"] else 1.0
    return c["value"] * c["p_alive"] * c["p_come_back"] * (1 + max(c["season"], 0)) * deadline


def test_a_fix_boosts_the_customers_who_left_for_it(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _load(engine, settings, tmp_path)
    before = _queue(engine, settings, AT)
    assert set(before) == {"PRICE", "RIVAL"}  # the complainers are churned; FRESH is active
    assert before["PRICE"]["components"]["reason_fixed"] is None

    mark_fixed(engine, "price", FIXED_ON, by="lead", at=MARKED, note="新料金プラン")
    assert not score_status(engine, AT).fresh  # a new fix makes the scores stale
    after = _queue(engine, settings, AT)
    price = after["PRICE"]["components"]
    assert price["reason_fixed"] == "2026-11-20"
    assert price["base"] == pytest.approx(before["PRICE"]["components"]["base"] * 1.5, rel=1e-9)
    assert price["base"] == pytest.approx(_unboosted(price) * 1.5, rel=1e-6)
    assert after["RIVAL"]["components"]["reason_fixed"] is None
    assert after["RIVAL"]["components"]["base"] == pytest.approx(
        before["RIVAL"]["components"]["base"], rel=1e-9
    )
    assert "FRESH" not in after  # ordered after the fix: they did not leave for it

    stored = list_fixes(engine)
    assert [(f.reason, f.kind, f.fixed_on, f.marked_by, f.note) for f in stored] == [
        ("price", "any", FIXED_ON, "lead", "新料金プラン")
    ]
    (entry,) = audit_entries(engine)
    assert (entry.actor, entry.action, entry.subject) == ("lead", "reason_fix", "price")
    assert entry.details["fixed_on"] == "2026-11-20"


def test_a_churned_complainer_comes_back_but_a_refusal_never(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _load(engine, settings, tmp_path)
    mark_fixed(engine, "quality_dissatisfaction", FIXED_ON, by="lead", at=MARKED, kind="b2c")
    found = _queue(engine, settings, AT)
    assert "ANGRY" in found
    assert found["ANGRY"]["state"] == "dormant"
    assert found["ANGRY"]["components"]["reason_fixed"] == "2026-11-20"
    assert "REFUSED" not in found  # 特定商取引法 Art. 17: blocked for good

    unmark_fixed(engine, "quality_dissatisfaction", by="lead", at=AT, kind="b2c")
    assert "ANGRY" not in _queue(engine, settings, AT)
    assert [e.action for e in audit_entries(engine)] == ["reason_unfix", "reason_fix"]


def test_a_fix_for_the_other_kind_does_not_apply(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _load(engine, settings, tmp_path)
    mark_fixed(engine, "price", FIXED_ON, by="lead", at=MARKED, kind="b2b")
    assert _queue(engine, settings, AT)["PRICE"]["components"]["reason_fixed"] is None


def test_the_past_does_not_see_a_later_fix(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _load(engine, settings, tmp_path)
    mark_fixed(engine, "price", FIXED_ON, by="lead", at=MARKED)
    thursday = datetime(2026, 11, 19, 10, 0, tzinfo=JST)  # marked already, fixed only tomorrow
    assert _queue(engine, settings, thursday)["PRICE"]["components"]["reason_fixed"] is None
    # Fixed on the 1st but marked on the 24th: on the 21st nobody knew of it.
    mark_fixed(engine, "quality_dissatisfaction", date(2026, 11, 1), by="lead", at=AT)
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=JST)
    seen = _queue(engine, settings, saturday)
    assert "ANGRY" not in seen
    assert seen["PRICE"]["components"]["reason_fixed"] == "2026-11-20"


def test_the_script_context_says_when_the_reason_was_fixed(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _load(engine, settings, tmp_path)
    mark_fixed(engine, "price", FIXED_ON, by="lead", at=MARKED)
    assert build_context(engine, settings, "PRICE", None, AT).reason_fixed_on == FIXED_ON
    assert build_context(engine, settings, "RIVAL", None, AT).reason_fixed_on is None
    before = datetime(2026, 11, 19, 10, 0, tzinfo=JST)
    assert build_context(engine, settings, "PRICE", None, before).reason_fixed_on is None


@pytest.mark.parametrize(
    "language, said",
    [("ja", "「価格」の点は、2026年11月20日に改善いたしました"),
     ("en", "You mentioned price as a reason before: we made improvements there on November 20, 2026")],
)  # fmt: skip
def test_the_price_script_opens_with_the_fix_when_there_is_one(
    engine: Engine, settings: Settings, tmp_path: Path, language: str, said: str
) -> None:
    _load(engine, settings, tmp_path)
    mark_fixed(engine, "price", FIXED_ON, by="lead", at=MARKED)
    script = ScriptLibrary(REPO / "talkscripts", language).get("price_plan_review")
    assert script is not None
    for cid, opens_with_it in (("PRICE", True), ("RIVAL", False)):
        ctx = replace(build_context(engine, settings, cid, "lead", AT), language=language)
        opening = render_script(script, ctx)[0]
        assert opening.error is None
        assert (said in opening.text) is opens_with_it, (cid, opening.text)


def test_bad_marks_are_refused_and_write_nothing(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    _load(engine, settings, tmp_path)
    with pytest.raises(AdminError) as caught:
        mark_fixed(engine, "cheaper", FIXED_ON, by="lead", at=AT)
    assert caught.value.code == "unknown_reason" and "price" in caught.value.values["known"]
    assert "unknown" not in caught.value.values["known"]  # no business fixes "unknown"
    with pytest.raises(AdminError) as caught:
        mark_fixed(engine, "price", FIXED_ON, by="nobody", at=AT)
    assert caught.value.code == "unknown_operator" and caught.value.values["known"] == ["lead"]
    with pytest.raises(AdminError) as caught:
        unmark_fixed(engine, "price", by="lead", at=AT)
    assert caught.value.code == "not_fixed"
    assert list_fixes(engine) == [] and audit_entries(engine) == []
    with engine.connect() as conn:
        from workbench.store.reason_models import ReasonFix

        assert conn.execute(select(ReasonFix.__table__)).all() == []
