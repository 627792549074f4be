"""The call queue with the escalation on both backends: who is offered, the responder's boost.

The base and the tiers are those of test_escalation_service (H1 high, M1 and M2 mid, L1
and L2 low); the queue is read on Tuesday 2026-11-24 at 11:00 JST, inside the calling
window.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.store.test_escalation_service import (
    START,
    escalation_settings,
    event,
    load_base,
    message_of,
    write_templates,
)
from workbench.config import Settings
from workbench.services.dispose import Disposition, dispose
from workbench.services.escalation import advance_cadences, cadence_view
from workbench.services.explain import explain
from workbench.services.queue import QueueEntry, read_queue

AT = START + timedelta(hours=1)


@pytest.fixture
def esc(engine: Engine, settings: Settings, tmp_path: Path) -> tuple[Engine, Settings, Settings]:
    """The engine, the settings with the escalation on, and the same settings with it off."""
    root = tmp_path / "scripts"
    write_templates(root)
    load_base(engine, settings, tmp_path)
    on = escalation_settings(settings, root)
    advance_cadences(engine, on, START)
    return engine, on, dataclasses.replace(on, escalation=settings.escalation)


def queue(engine: Engine, settings: Settings) -> dict[str, QueueEntry]:
    with engine.connect() as conn:
        return {e.external_id: e for e in read_queue(conn, settings, AT, None, 50)}


def test_only_high_and_call_track_customers_are_offered(esc) -> None:  # type: ignore[no-untyped-def]
    engine, on, off = esc
    assert set(queue(engine, on)) == {"H1", "M2"}  # M2 has no address: called instead
    assert set(queue(engine, off)) == {"H1", "M1", "M2", "L1", "L2"}
    held = explain(engine, on, AT).held_back
    assert held["escalation"] == 3


def test_a_responder_enters_with_the_boost_and_the_escalation_object(esc) -> None:  # type: ignore[no-untyped-def]
    engine, on, off = esc
    event(engine, on, "M1", "opened", AT - timedelta(minutes=30), message_of(engine, "M1"))
    opened = queue(engine, on)["M1"]
    assert opened.parts.response == 1.25
    event(engine, on, "M1", "replied", AT - timedelta(minutes=10), message_of(engine, "M1"))
    entry = queue(engine, on)["M1"]
    data = entry.as_json()
    assert data["escalation"] == {
        "tier": "mid",
        "state": "responded",
        "response": "replied",
        "response_at": (AT - timedelta(minutes=10)).isoformat(),
    }
    components = data["components"]
    assert isinstance(components, dict) and components["response"] == 2.0
    plain = queue(engine, off)["M1"]
    assert entry.score == pytest.approx(plain.score * 2.0)
    # With the escalation off, nothing in the entry changes.
    off_json = plain.as_json()
    assert "escalation" not in off_json and "response" not in off_json["components"]  # type: ignore[operator]


def test_a_click_counts_half_the_boost(esc, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    engine, on, _ = esc
    on = dataclasses.replace(on, escalation=dataclasses.replace(on.escalation, response_boost=3.0))
    event(engine, on, "L1", "clicked", AT - timedelta(minutes=5), message_of(engine, "L1"))
    entry = queue(engine, on)["L1"]
    assert entry.parts.response == 2.0  # 1 + (3 - 1) / 2
    assert entry.as_json()["escalation"]["state"] == "responded"  # type: ignore[index]


def test_a_reached_call_ends_the_boost_and_a_refusal_the_cadence(esc) -> None:  # type: ignore[no-untyped-def]
    engine, on, _ = esc
    event(engine, on, "M1", "replied", AT - timedelta(minutes=10), message_of(engine, "M1"))
    dispose(engine, on, Disposition(customer_id="M1", outcome="no_answer", at=AT, operator="op01"))
    assert cadence_view(engine, "M1").state == "responded"  # type: ignore[union-attr]
    dispose(engine, on, Disposition(customer_id="M1", outcome="callback", at=AT + timedelta(days=1),
                                    callback_at=AT + timedelta(days=2), operator="op01"))  # fmt: skip
    assert cadence_view(engine, "M1").state == "called"  # type: ignore[union-attr]
    with engine.connect() as conn:
        later = {e.external_id: e for e in read_queue(conn, on, AT + timedelta(days=2), None, 50)}
    assert "M1" in later and later["M1"].parts.response is None
    dispose(engine, on, Disposition(customer_id="H1", outcome="not_interested", at=AT,
                                    operator="op01"))  # fmt: skip
    assert cadence_view(engine, "H1").state == "ended"  # type: ignore[union-attr]
    assert "H1" not in queue(engine, on)
