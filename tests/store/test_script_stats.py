"""Script statistics aggregated in SQL, on SQLite and PostgreSQL, against hand-computed figures."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert

from workbench.services.script_stats import (
    GROUPINGS,
    OutcomeCount,
    aggregate_counts,
    case_selection_counts,
    last_attempt_id,
    load_case_tally,
    refresh_case_tally,
    script_history,
    script_stats,
    selection_counts,
)
from workbench.services.talk_choice import library_for, note_outcome, pick_script
from workbench.store.models import ContactAttempt, Customer, Purchase
from workbench.talk.library import ScriptLibrary
from workbench.talk.stats import AttemptRecord, aggregate

REPO = Path(__file__).parents[2]
FEB = datetime(2026, 2, 10, 1, 0, tzinfo=UTC)
# 2026-03-01 01:00 in Tokyo: before 1 March in UTC, on it in Japan.
EDGE = datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
MAR = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)

# (customer, script, version, reason, outcome, amount, operator, at)
CALLS = [
    # A v1 / price: 9 attempts, 5 contacts, 2 reactivations, 15,000 yen
    ("C1", "A", "v1", "price", "no_answer", None, "op01", FEB),
    ("C1", "A", "v1", "price", "busy", None, "op01", FEB),
    ("C1", "A", "v1", "price", "voicemail", None, "op01", FEB),
    ("C1", "A", "v1", "price", "wrong_number", None, "op01", FEB),
    ("C2", "A", "v1", "price", "reactivated", 10000, "op01", MAR),
    ("C1", "A", "v1", "price", "reactivated", 5000, "op02", MAR),
    ("C1", "A", "v1", "price", "not_interested", None, "op02", EDGE),
    ("C1", "A", "v1", "price", "callback", None, "op01", MAR),
    ("C2", "A", "v1", "price", "complaint", None, "op01", MAR),
    # A v2 / price: 3 attempts, 2 contacts, 1 reactivation, 20,000 yen
    ("C1", "A", "v2", "price", "reactivated", 20000, "op01", MAR),
    ("C1", "A", "v2", "price", "not_interested", None, "op01", MAR),
    ("C1", "A", "v2", "price", "no_answer", None, "op01", MAR),
    # B v1 / price: 2 contacts, no reactivation
    ("C2", "B", "v1", "price", "not_interested", None, "op02", MAR),
    ("C2", "B", "v1", "price", "not_interested", None, "op02", MAR),
    # imported history without a version, and an unreached call without a reason
    ("C1", "A", None, "price", "reactivated", None, "op01", MAR),
    ("C1", "B", "v1", None, "no_answer", None, "op01", MAR),
]
IGNORED = [
    # not a call, or no script: never counted
    {"customer": "C1", "channel": "email", "script_id": "A", "script_version": "v1", "reason": "price",
     "outcome": "reactivated", "amount": 99999},
    {"customer": "C1", "channel": "call", "script_id": None, "script_version": None, "reason": "price",
     "outcome": "reactivated", "amount": 99999},
]  # fmt: skip


def _seed(engine, calls=CALLS, extra=IGNORED) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        ids = {}
        for ext, kind in (("C1", "b2c"), ("C2", "b2b")):
            ids[ext] = conn.execute(
                insert(Customer.__table__)
                .values(external_id=ext, name=ext, kind=kind)
                .returning(Customer.__table__.c.id)
            ).scalar_one()
        rows = [
            {"customer_id": ids[c], "channel": "call", "at": at, "operator": op, "outcome": outcome,
             "script_id": script, "script_version": version, "reason": reason, "amount": amount}
            for c, script, version, reason, outcome, amount, op, at in calls
        ]  # fmt: skip
        rows += [
            {"customer_id": ids[e["customer"]], "at": MAR, "operator": "op01",
             **{k: v for k, v in e.items() if k != "customer"}}
            for e in extra
        ]  # fmt: skip
        conn.execute(insert(ContactAttempt.__table__), rows)


def _by_key(rows):  # type: ignore[no-untyped-def]
    return {(r.script_id, r.version, r.reason, r.kind, r.operator): r for r in rows}


def test_script_figures_match_hand_computation(engine):
    _seed(engine)
    rows = _by_key(script_stats(engine))

    a1 = rows[("A", "v1", "price", None, None)]
    assert (a1.attempts, a1.contacts, a1.reactivations, a1.revenue) == (9, 5, 2, 15000)
    assert a1.rate == pytest.approx(0.4)
    assert a1.wilson_low == pytest.approx(0.117621, abs=1e-5)
    assert a1.wilson_high == pytest.approx(0.769276, abs=1e-5)
    assert a1.not_enough_data

    a2 = rows[("A", "v2", "price", None, None)]  # versions stay separate series
    assert (a2.attempts, a2.contacts, a2.reactivations, a2.revenue) == (3, 2, 1, 20000)
    assert a2.rate == pytest.approx(0.5)
    assert (a2.wilson_low, a2.wilson_high) == (
        pytest.approx(0.094531, abs=1e-5),
        pytest.approx(0.905469, abs=1e-5),
    )

    b1 = rows[("B", "v1", "price", None, None)]
    assert (b1.attempts, b1.contacts, b1.reactivations, b1.revenue, b1.rate) == (2, 2, 0, 0, 0.0)
    assert (b1.wilson_low, b1.wilson_high) == (0.0, pytest.approx(3.841459 / 5.841459, abs=1e-5))

    legacy = rows[("A", None, "price", None, None)]
    assert (legacy.attempts, legacy.contacts, legacy.reactivations, legacy.revenue) == (1, 1, 1, 0)
    unreached = rows[("B", "v1", None, None, None)]
    assert (unreached.attempts, unreached.contacts, unreached.rate) == (1, 0, None)
    assert len(rows) == 5  # the e-mail and the unscripted call are not counted

    price = [r for r in rows.values() if r.reason == "price"]
    assert sum(r.p_best for r in price) == pytest.approx(1.0)
    assert a2.p_best > b1.p_best


def test_counts_path_reproduces_aggregate_over_records(engine):
    _seed(engine)
    kinds = {"C1": "b2c", "C2": "b2b"}
    records = [
        AttemptRecord(script, version, reason, kinds[c], op, outcome, amount)  # type: ignore[arg-type]
        for c, script, version, reason, outcome, amount, op, _ in CALLS
    ]
    for by, keys in GROUPINGS.items():
        if by == "reason":
            continue  # same groups as "script", only ordered differently
        ordered = sorted(
            records, key=lambda r: tuple("" if v is None else v for v in _project(r, keys))
        )
        assert script_stats(engine, by) == aggregate(ordered, keys), by


def _project(record: AttemptRecord, keys: tuple[str, ...]) -> tuple[str | None, ...]:
    values = {"script": record.script_id, "version": record.version, "reason": record.reason,
              "kind": record.kind, "operator": record.operator}  # fmt: skip
    return tuple(
        values[k] if k in keys else None
        for k in ("script", "version", "reason", "kind", "operator")
    )


def test_breakdown_by_kind_and_operator(engine):
    _seed(engine)
    by_kind = _by_key(script_stats(engine, "kind"))
    b2b = by_kind[("A", "v1", "price", "b2b", None)]
    b2c = by_kind[("A", "v1", "price", "b2c", None)]
    assert (b2b.attempts, b2b.contacts, b2b.reactivations, b2b.revenue) == (2, 2, 1, 10000)
    assert (b2c.attempts, b2c.contacts, b2c.reactivations, b2c.revenue) == (7, 3, 1, 5000)

    by_operator = _by_key(script_stats(engine, "operator"))
    op2 = by_operator[("A", "v1", "price", None, "op02")]
    assert (op2.attempts, op2.contacts, op2.reactivations, op2.revenue) == (2, 2, 1, 5000)
    assert sum(r.attempts for r in by_operator.values()) == len(CALLS)

    by_reason = script_stats(engine, "reason")
    reasons = [r.reason or "" for r in by_reason]
    assert reasons == sorted(reasons)
    price = [r for r in by_reason if r.reason == "price"]
    assert [r.p_best for r in price] == sorted((r.p_best for r in price), reverse=True)
    with pytest.raises(ValueError):
        script_stats(engine, "colour")


def test_since_filter_starts_at_local_midnight(engine):
    _seed(engine)
    utc = _by_key(script_stats(engine, since=date(2026, 3, 1)))[("A", "v1", "price", None, None)]
    assert (utc.attempts, utc.contacts) == (4, 4)  # the February calls and the edge call are out
    tokyo = script_stats(engine, since=date(2026, 3, 1), zone=ZoneInfo("Asia/Tokyo"))
    edge = _by_key(tokyo)[("A", "v1", "price", None, None)]
    assert (edge.attempts, edge.contacts, edge.reactivations) == (5, 5, 2)
    assert script_stats(engine, since=date(2027, 1, 1)) == []


def test_selection_counts(engine):
    _seed(engine)
    assert selection_counts(engine) == {
        ("A", "v1"): (2, 5),
        ("A", "v2"): (1, 2),
        ("B", "v1"): (0, 2),
    }
    with engine.connect() as conn:
        assert selection_counts(conn) == selection_counts(engine)


def test_history_lists_versions_and_marks_the_current_file(engine):
    library = ScriptLibrary(REPO / "talkscripts", "ja")
    current = library.get("b2c_listen_general").version  # type: ignore[union-attr]
    sid = "b2c_listen_general"
    calls = [
        ("C1", sid, "old000000000", "unknown", "reactivated", 3000, "op01", FEB),
        ("C1", sid, "old000000000", "unknown", "no_answer", None, "op01", FEB),
        ("C2", sid, current, "unknown", "not_interested", None, "op01", MAR),
        ("C2", sid, current, "unknown", "reactivated", 7000, "op01", EDGE),
    ]
    _seed(engine, calls, extra=[])
    rows = script_history(engine, library, sid)
    assert [r.version for r in rows] == ["old000000000", current]
    old, now = rows
    assert (old.attempts, old.contacts, old.reactivations, old.revenue, old.current) == (
        2,
        1,
        1,
        3000,
        False,
    )
    assert old.first_seen == old.last_seen == FEB
    assert (now.attempts, now.contacts, now.reactivations, now.rate, now.current) == (
        2,
        2,
        1,
        0.5,
        True,
    )
    assert (now.first_seen, now.last_seen) == (EDGE, MAR)
    assert now.as_json()["revenue"] == 7000

    fresh = script_history(engine, library, "b2b_listen_general")
    assert (
        len(fresh) == 1
        and fresh[0].current
        and fresh[0].attempts == 0
        and fresh[0].first_seen is None
    )
    assert script_history(engine, library, "no_such_script") == []


def test_aggregate_counts_validates_keys():
    with pytest.raises(ValueError):
        aggregate_counts(
            [OutcomeCount("A", "v1", "price", None, None, "reactivated", 1)], ("colour",)
        )


# Per case: was the reason heard before the call, else what did the history say then.
D = [datetime(2026, 1, d, 1, 0, tzinfo=UTC) for d in range(1, 29)]


def _seed_cases(engine) -> None:  # type: ignore[no-untyped-def]
    customers = {
        "R": ("b2c", None),
        "Q": ("b2c", None),
        "B": ("b2b", "林"),
        "N": ("b2c", None),
        "H": ("b2c", None),
    }
    orders = {
        "R": [D[0], D[1], D[2], D[20]],
        "Q": [D[0]],
        "B": [D[0]] * 5,
        "N": [D[0], D[1], D[15], D[16]],
        "H": [D[0]] * 3,
    }
    # (customer, at, script, version, outcome, reason recorded on the call)
    calls = [
        ("R", D[10], "pitch", "v1", "reactivated", None),        # 3 orders before: guessed usage_decreased
        ("R", D[11], "listen", "v1", "not_interested", None),    # the 4th order comes later
        ("Q", D[5], None, None, "complaint", None),              # unscripted complaint: a signal, not a count
        ("Q", D[10], "listen", "v1", "callback", None),          # after the complaint: guessed quality
        ("B", D[10], "listen", "v1", "reactivated", None),       # B2B with a previous rep, 5 orders
        ("N", D[10], "listen", "v1", "no_answer", None),         # not a conversation: never counted
        ("N", D[11], "listen", "v1", "not_interested", None),    # 2 orders before: unknown
        ("N", D[12], "listen", "v1", "complaint", None),         # the complaint on this call is not before it
        ("H", D[10], "listen", "v1", "callback", "price"),       # heard on this call: still the guessed case
        ("H", D[11], "price_a", "v1", "reactivated", None),      # after hearing: heard:price
        ("H", D[12], "price_a", "v1", "not_interested", "competitor"),
        ("H", D[13], "pitch", "v2", "not_interested", None),     # the latest heard reason counts
    ]  # fmt: skip
    with engine.begin() as conn:
        ids = {}
        for ext, (kind, rep) in customers.items():
            ids[ext] = conn.execute(
                insert(Customer.__table__)
                .values(external_id=ext, name=ext, kind=kind, previous_rep=rep)
                .returning(Customer.__table__.c.id)
            ).scalar_one()
        conn.execute(insert(Purchase.__table__), [
            {"customer_id": ids[c], "ordered_at": at, "amount": 1000, "fingerprint": hash((c, i))}
            for c, ats in orders.items() for i, at in enumerate(ats)
        ])  # fmt: skip
        conn.execute(insert(ContactAttempt.__table__), [
            {"customer_id": ids[c], "channel": "call", "at": at, "operator": "op01", "outcome": outcome,
             "script_id": sid, "script_version": ver, "reason": reason}
            for c, at, sid, ver, outcome, reason in calls
        ])  # fmt: skip


def test_case_counts_split_heard_from_guessed_at_call_time(engine):
    _seed_cases(engine)
    assert case_selection_counts(engine) == {
        ("guessed:usage_decreased", "pitch", "v1"): (1, 1),
        ("guessed:usage_decreased", "listen", "v1"): (0, 2),  # R, and H heard on the call
        ("guessed:quality_dissatisfaction", "listen", "v1"): (0, 1),
        ("guessed:contact_person_changed", "listen", "v1"): (1, 1),
        ("guessed:unknown", "listen", "v1"): (0, 2),
        ("heard:price", "price_a", "v1"): (1, 2),
        ("heard:competitor", "pitch", "v2"): (0, 1),
    }
    # the same conversations as the per-script tally, only split
    totals: dict[tuple[str, str], tuple[int, int]] = {}
    for (_, sid, ver), (won, n) in case_selection_counts(engine).items():
        w, t = totals.get((sid, ver), (0, 0))
        totals[(sid, ver)] = (w + won, t + n)
    assert totals == selection_counts(engine)


def test_case_counts_by_attempt_id_range(engine):
    _seed_cases(engine)
    top = last_attempt_id(engine)
    assert top > 0
    whole = case_selection_counts(engine)
    with engine.connect() as conn:
        first, rest = (
            case_selection_counts(conn, 0, top - 2),
            case_selection_counts(conn, top - 2, top),
        )
    assert rest == {
        ("heard:price", "price_a", "v1"): (0, 1),
        ("heard:competitor", "pitch", "v2"): (0, 1),
    }
    merged = dict(first)
    for key, (won, n) in rest.items():
        w, t = merged.get(key, (0, 0))
        merged[key] = (w + won, t + n)
    assert merged == whole
    assert case_selection_counts(engine, after_id=top) == {}


# The queue's pick for a weakly guessed reason, on the counts of its case.


def _calls_for(
    engine, script_id: str, version: str, outcomes: list[str], heard_first: str | None = None
) -> None:  # type: ignore[no-untyped-def]
    """One repeat buyer (3 orders) per call; `heard_first` records a reason on an earlier call."""
    with engine.begin() as conn:
        for i, outcome in enumerate(outcomes):
            cid = conn.execute(
                insert(Customer.__table__)
                .values(external_id=f"{script_id}-{heard_first}-{i}", name="x", kind="b2c")
                .returning(Customer.__table__.c.id)
            ).scalar_one()
            conn.execute(insert(Purchase.__table__), [
                {"customer_id": cid, "ordered_at": D[d], "amount": 1000, "fingerprint": hash((script_id, heard_first, i, d))}
                for d in range(3)
            ])  # fmt: skip
            rows = [{"customer_id": cid, "channel": "call", "at": D[20], "outcome": outcome,
                     "script_id": script_id, "script_version": version, "reason": None}]  # fmt: skip
            if heard_first:
                rows.append({"customer_id": cid, "channel": "call", "at": D[10], "outcome": "callback",
                             "script_id": None, "script_version": None, "reason": heard_first})  # fmt: skip
            conn.execute(insert(ContactAttempt.__table__), rows)


def _picks(engine, settings, n: int, **kw) -> Counter[str]:  # type: ignore[no-untyped-def]
    rng = random.Random(11)
    with engine.connect() as conn:
        return Counter(
            pick_script(conn, settings, "usage_decreased", "b2c", rng, **kw).script_id  # type: ignore[union-attr]
            for _ in range(n)
        )


def test_weak_guess_listens_first_until_the_pitch_wins_in_its_case(engine, settings):
    library = library_for(settings)
    listen, pitch = library.get("b2c_listen_general"), library.get("b2c_usage_decreased")
    assert listen is not None and pitch is not None
    weak = {"reason_source": "guessed", "reason_confidence": 0.3}
    first = _picks(engine, settings, 400, **weak)
    assert set(first) <= {listen.id, pitch.id}
    assert first[listen.id] >= 0.9 * 400  # the pitch only through exploration
    # a confident guess, or a heard reason, keeps the reason's own script
    assert _picks(engine, settings, 50, reason_source="guessed", reason_confidence=0.9) == Counter(
        {pitch.id: 50}
    )
    assert _picks(engine, settings, 50) == Counter({pitch.id: 50})

    # with a guessed reason the pitch wins 12 of 30 conversations and listening 2 of 40; once the
    # reason was heard, the pitch loses: those calls must not count for the guessed case
    _calls_for(engine, pitch.id, pitch.version, ["reactivated"] * 12 + ["not_interested"] * 18)
    _calls_for(engine, listen.id, listen.version, ["reactivated"] * 2 + ["not_interested"] * 38)
    _calls_for(
        engine, pitch.id, pitch.version, ["not_interested"] * 200, heard_first="usage_decreased"
    )
    note_outcome(str(engine.url), pitch.id, pitch.version, "reactivated")  # what a disposition does
    assert _case_counts_of(engine, "guessed:usage_decreased") == {
        (pitch.id, pitch.version): (12, 30),
        (listen.id, listen.version): (2, 40),
    }
    later = _picks(engine, settings, 400, **weak)
    assert later[pitch.id] >= 0.85 * 400
    # the default threshold is the configured one: at 0.2 the same guess is confident enough
    lenient = replace(settings, scoring=replace(settings.scoring, reason_confidence_min=0.2))
    assert _picks(engine, lenient, 50, **weak) == Counter({pitch.id: 50})


def _case_counts_of(engine, case: str):  # type: ignore[no-untyped-def]
    return {
        (sid, ver): v for (c, sid, ver), v in case_selection_counts(engine).items() if c == case
    }


def test_stored_tally_counts_each_attempt_once(engine):
    _seed_cases(engine)
    assert load_case_tally(engine) == (0, {})
    top = last_attempt_id(engine)
    with engine.begin() as conn:
        assert refresh_case_tally(conn, MAR) == top
    assert load_case_tally(engine) == (top, case_selection_counts(engine))
    with engine.begin() as conn:  # nothing new: nothing changes
        assert refresh_case_tally(conn, MAR) == top
    _calls_for(engine, "pitch", "v1", ["reactivated", "no_answer"])  # a later conversation
    with engine.begin() as conn:
        refresh_case_tally(conn, MAR)
    through, counts = load_case_tally(engine)
    assert through == last_attempt_id(engine) and counts == case_selection_counts(engine)
    assert counts[("guessed:usage_decreased", "pitch", "v1")] == (2, 2)
