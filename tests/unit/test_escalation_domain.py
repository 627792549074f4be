"""The escalation's tiers and cadence state machine, by hand-computed cases and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from workbench.domain import codes
from workbench.domain.escalation import (
    STATES,
    TIERS,
    Cadence,
    CadenceRules,
    TierRules,
    in_call_queue,
    on_call,
    on_email,
    response_factor,
    start,
    tick,
    tier_of,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = CadenceRules()
DAY = timedelta(days=1)


def test_tiers_from_expected_value_and_p_alive() -> None:
    rules = TierRules(high_value_min=30000, high_p_alive_min=0.3, mid_value_min=5000)
    assert tier_of(100000, 0.5, "dormant", rules) == "high"  # 50,000 expected
    assert tier_of(100000, 0.2, "dormant", rules) == "mid"  # 20,000 but P(alive) below 0.3
    assert tier_of(20000, 0.5, "at_risk", rules) == "mid"  # 10,000
    assert tier_of(8000, 0.5, "dormant", rules) == "low"  # 4,000
    assert tier_of(100000, 0.9, "active", rules) is None
    assert tier_of(100000, 0.9, "churned", rules) is None


def _run_clock(
    c: Cadence, until: datetime, rules: CadenceRules = RULES
) -> list[tuple[str, str | None, datetime]]:
    """Every timed move up to `until`, as (kind, email purpose, when)."""
    out = []
    while c.next_at is not None and c.next_at <= until:
        when = c.next_at
        move = tick(c, when, rules, None)
        assert move is not None
        out.append((move.kind, move.email, when))
        c = move.cadence
    return out


def test_mid_first_email_wait_reminder_then_call() -> None:
    c = start("mid", T0, RULES)
    assert (c.state, c.step, c.next_at) == ("emailed", 0, T0)
    first = tick(c, T0, RULES, None)
    assert first is not None and first.email == "first"
    assert first.cadence.next_at == T0 + 3 * DAY and first.cadence.step == 1
    assert tick(first.cadence, T0 + 2 * DAY, RULES, None) is None  # still waiting
    reminder = tick(first.cadence, T0 + 3 * DAY, RULES, None)
    assert reminder is not None and reminder.email == "reminder" and reminder.kind == "reminded"
    call = tick(reminder.cadence, T0 + 6 * DAY, RULES, None)
    assert call is not None and call.kind == "call_queued" and call.email is None
    assert call.cadence.state == "waiting" and in_call_queue("mid", "waiting")


def test_mid_after_reminder_none_ends() -> None:
    rules = CadenceRules(mid_after_reminder="none")
    moves = _run_clock(start("mid", T0, rules), T0 + 30 * DAY, rules)
    assert [k for k, _, _ in moves] == ["emailed", "reminded", "ended"]


def test_low_steps_at_0_14_45_days_then_end() -> None:
    moves = _run_clock(start("low", T0, RULES), T0 + 100 * DAY)
    assert moves == [
        ("emailed", "first", T0),
        ("emailed", "followup", T0 + 14 * DAY),
        ("emailed", "followup", T0 + 45 * DAY),
        ("ended", None, T0 + 48 * DAY),  # mid_wait_days to respond to the last one
    ]


def test_high_waits_for_its_call_without_email() -> None:
    c = start("high", T0, RULES)
    assert (c.state, c.next_at) == ("waiting", None)
    assert tick(c, T0 + 100 * DAY, RULES, None) is None
    assert in_call_queue("high", "waiting")


def test_response_ranks_and_the_boost() -> None:
    c = tick(start("mid", T0, RULES), T0, RULES, None).cadence  # type: ignore[union-attr]
    opened = on_email(c, "opened", T0 + DAY, RULES)
    assert opened is not None and opened.cadence.state == "responded"
    assert opened.cadence.next_at is None
    assert on_email(opened.cadence, "opened", T0 + 2 * DAY, RULES) is None
    replied = on_email(opened.cadence, "replied", T0 + 2 * DAY, RULES)
    assert replied is not None and replied.cadence.response == "replied"
    assert on_email(replied.cadence, "clicked", T0 + 3 * DAY, RULES) is None  # a click is less
    assert response_factor("responded", "replied", 2.0) == 2.0
    assert response_factor("responded", "clicked", 2.0) == 1.5
    assert response_factor("responded", "opened", 2.0) == 1.25
    assert response_factor("called", "replied", 2.0) is None
    called = on_call(replied.cadence, "callback", T0 + 4 * DAY, None)
    assert called is not None and called.cadence.state == "called"


def test_history_from_before_the_cadence_is_no_response() -> None:
    c = tick(start("mid", T0, RULES), T0, RULES, None).cadence  # type: ignore[union-attr]
    assert on_email(c, "replied", T0 - DAY, RULES) is None
    assert on_email(c, "sent", T0 - DAY, RULES) is None
    stopped = on_email(c, "bounced", T0 - DAY, RULES)  # an address that bounced still bounces
    assert stopped is not None and stopped.cadence.state == "waiting"


def test_unreachable_mid_goes_to_the_call_and_low_ends() -> None:
    mid = tick(start("mid", T0, RULES), T0, RULES, "no_address")
    assert mid is not None and mid.email is None and mid.cadence.state == "waiting"
    low = tick(start("low", T0, RULES), T0, RULES, "opted_out")
    assert low is not None and low.cadence.state == "ended"
    assert low.cadence.ended_reason == "opted_out"


def test_sent_restarts_the_wait_from_the_send() -> None:
    c = tick(start("mid", T0, RULES), T0, RULES, None).cadence  # type: ignore[union-attr]
    sent = on_email(c, "sent", T0 + timedelta(hours=2), RULES)
    assert sent is not None and sent.cadence.next_at == T0 + timedelta(hours=2) + 3 * DAY


def test_bounce_stops_email_for_a_low_customer() -> None:
    c = tick(start("low", T0, RULES), T0, RULES, None).cadence  # type: ignore[union-attr]
    move = on_email(c, "bounced", T0 + DAY, RULES)
    assert move is not None and move.cadence.state == "ended"
    assert move.cadence.ended_reason == "bounced"


def test_an_undecided_call_reached_the_customer_and_the_cadence_goes_on() -> None:
    move = on_call(start("mid", T0, RULES), "no_decision", T0 + DAY, None)
    assert move is not None and (move.kind, move.detail) == ("called", "no_decision")
    assert move.cadence.state == "called" and move.cadence.ended_reason is None


def test_do_not_call_turns_a_high_cadence_to_email_steps() -> None:
    move = on_call(start("high", T0, RULES), "do_not_call", T0 + DAY, None)
    assert move is not None and move.cadence.tier == "low" and move.cadence.state == "emailed"
    email = tick(move.cadence, T0 + DAY, RULES, None)
    assert email is not None and email.email == "first"
    withdrawn = on_call(start("high", T0, RULES), "do_not_call", T0 + DAY, "opted_out")
    assert withdrawn is not None and withdrawn.cadence.state == "ended"


# Properties over any cadence the machine can be in.
moments = st.integers(min_value=0, max_value=200 * 24).map(lambda h: T0 + timedelta(hours=h))
cadences = st.builds(
    Cadence,
    tier=st.sampled_from(TIERS),
    state=st.sampled_from(STATES),
    step=st.integers(min_value=0, max_value=4),
    next_at=st.one_of(st.none(), moments),
    started_at=st.just(T0),
    response=st.one_of(st.none(), st.sampled_from(("opened", "clicked", "replied"))),
)
rules_ = st.builds(
    CadenceRules,
    mid_wait_days=st.integers(0, 10),
    mid_reminder_wait_days=st.integers(0, 10),
    mid_after_reminder=st.sampled_from(("call", "none")),
    low_steps_days=st.lists(st.integers(0, 60), min_size=1, max_size=4).map(
        lambda d: tuple(sorted(d))
    ),
)
blocks = st.one_of(st.none(), st.sampled_from(("no_address", "opted_out", "bounced")))
inputs = st.one_of(
    st.tuples(st.just("tick"), st.none()),
    st.tuples(st.just("email"), st.sampled_from(codes.EMAIL_EVENTS)),
    st.tuples(st.just("call"), st.sampled_from(codes.CALL_OUTCOMES)),
)


def _apply(
    c: Cadence, what: tuple[str, str | None], at: datetime, rules: CadenceRules, block: str | None
):  # type: ignore[no-untyped-def]
    kind, code = what
    if kind == "tick":
        return tick(c, at, rules, block)
    if kind == "email":
        assert code is not None
        return on_email(c, code, at, rules)
    assert code is not None
    return on_call(c, code, at, block)


@given(cadences, inputs, moments, rules_, blocks)
def test_no_path_from_ended(c: Cadence, what, at, rules, block) -> None:  # type: ignore[no-untyped-def]
    ended = Cadence(c.tier, "ended", c.step, None, T0, c.response, None, "reactivated")
    assert _apply(ended, what, at, rules, block) is None


@given(cadences.filter(lambda c: c.state != "ended"), moments, blocks)
def test_a_refusal_always_ends(c: Cadence, at, block) -> None:  # type: ignore[no-untyped-def]
    move = on_call(c, "not_interested", at, block)
    assert move is not None and move.cadence.state == "ended"
    # do_not_call is a refusal of calls: it ends the cadence when email is barred too.
    move = on_call(c, "do_not_call", at, block or "opted_out")
    assert move is not None and move.cadence.state == "ended"


@given(cadences.filter(lambda c: c.state != "ended"), moments, rules_)
def test_an_unsubscribe_never_stops_a_call(c: Cadence, at, rules) -> None:  # type: ignore[no-untyped-def]
    call_coming = c.tier == "mid" and c.state == "emailed" and rules.mid_after_reminder == "call"
    move = on_email(c, "unsubscribed", at, rules)
    after = move.cadence if move else c
    if in_call_queue(c.tier, c.state) or call_coming:
        assert in_call_queue(after.tier, after.state)
    assert move is None or move.email is None


@given(cadences.filter(lambda c: c.state != "ended"), moments, rules_)
def test_do_not_call_alone_never_stops_email(c: Cadence, at, rules) -> None:  # type: ignore[no-untyped-def]
    move = on_call(c, "do_not_call", at, None)
    assert move is not None
    assert move.cadence.state == "emailed" and move.cadence.next_at is not None
    # And the next step is an email (or, once every step went, the end of the response wait).
    nxt = tick(move.cadence, at, rules, None)
    assert nxt is not None
    assert nxt.email is not None or move.cadence.step >= len(rules.low_steps_days)
