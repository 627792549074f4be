"""Past contact history per customer: who was called or e-mailed, in which campaign.

Calls follow each customer's hidden answering habit, so answered outcomes concentrate
in the preferred hours.  A won-back customer's order is moved to the call that won it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

from workbench.demo.calls import Caller, CallSimulator, ContactRow
from workbench.demo.orders import Transactions
from workbench.demo.timeline import SECONDS_PER_DAY, Calendar
from workbench.demo.truth import (
    ACTIVE,
    ANSWER_PROFILES,
    AT_RISK,
    CHURNED,
    LAPSE_DAYS,
    PROSPECT,
    Latent,
)
from workbench.domain.codes import REASONS

# Share of customers per lifecycle state with a past call campaign (churned: always).
_CALLED_SHARE = (0.10, 0.30, 0.40, 1.0, 0.15)
_WRONG_NUMBER_SHARE = 0.03
_WONBACK_FACTOR = 0.9  # P(a called buyer was once won back by phone) = factor * propensity
_EMAIL_CAMPAIGN_SHARE = 0.06

_WINBACK_SCRIPTS = {False: "winback_b2c", True: "winback_b2b"}
_FOLLOWUP_SCRIPT = "followup"
_PROSPECT_SCRIPT = "prospect_intro"


@dataclass
class ContactResult:
    rows: list[list[ContactRow]] = field(default_factory=list)  # per customer
    do_not_call: set[int] = field(default_factory=set)
    opted_out: set[int] = field(default_factory=set)


def _script_for(state: int, b2b: bool) -> str:
    if state == PROSPECT:
        return _PROSPECT_SCRIPT
    if state == ACTIVE:
        return _FOLLOWUP_SCRIPT
    return _WINBACK_SCRIPTS[b2b]


def _campaign_start_day(
    rnd: random.Random, state: int, b2b: bool, first: int, last: int, created: int, days: int
) -> int:
    """When a regular campaign begins, depending on where the customer is in its lifecycle."""
    if state == PROSPECT:
        lo = created
    elif state == ACTIVE:
        lo = first
    elif state == AT_RISK:
        lo = last + 30
    else:
        lo = last + (LAPSE_DAYS["b2b" if b2b else "b2c"] // 2)
    lo = min(lo, days - 7)
    return rnd.randint(lo, max(lo, days - 7))


def _wonback_index(tx_sec: np.ndarray) -> int:
    """The order that ended the longest pause: the one a win-back call most plausibly caused."""
    return int(np.argmax(np.diff(tx_sec))) + 1


def simulate_contacts(
    rng: np.random.Generator,
    cal: Calendar,
    lat: Latent,
    tx: Transactions,
    created_sec: np.ndarray,
) -> ContactResult:
    """Call and e-mail history for the chunk; may move won-back orders to the call's time."""
    m = lat.size
    called = rng.random(m) < np.asarray(_CALLED_SHARE)[lat.state]
    wrong = rng.random(m) < _WRONG_NUMBER_SHARE
    wonback = (
        called
        & (lat.n_tx >= 2)
        & (lat.state != CHURNED)
        & (rng.random(m) < _WONBACK_FACTOR * lat.propensity)
    )
    emailed = lat.has_email & (rng.random(m) < _EMAIL_CAMPAIGN_SHARE)
    rnd = random.Random(int(rng.integers(0, 2**63)))
    sim = CallSimulator(cal, rnd)
    result = ContactResult(rows=[[] for _ in range(m)])

    state = lat.state.tolist()
    b2b = lat.b2b.tolist()
    created_day = (created_sec // SECONDS_PER_DAY).tolist()
    for i in np.flatnonzero(called | emailed).tolist():
        rows = result.rows[i]
        if called[i]:
            caller = Caller(
                b2b=b2b[i],
                profile=ANSWER_PROFILES[lat.profile[i]],
                p_peak=float(lat.p_peak[i]),
                p_base=float(lat.p_base[i]),
                reason=REASONS[lat.reason[i]],
                script=_script_for(state[i], b2b[i]),
                wrong_number=bool(wrong[i]),
            )
            orders = (int(tx.offsets[i]), int(tx.offsets[i + 1]))
            if wonback[i]:
                rows.extend(_wonback_campaign(sim, caller, tx, *orders))
            else:
                rows.extend(_call_history(sim, caller, state[i], tx, orders, created_day[i]))
            if any(r.outcome == "do_not_call" for r in rows):
                result.do_not_call.add(i)
        if emailed[i]:
            email_rows, unsubscribed = sim.email_campaign(rnd.randint(created_day[i], cal.days - 1))
            rows.extend(email_rows)
            if unsubscribed:
                result.opted_out.add(i)
        rows.sort(key=lambda r: r.sec)
    return result


def _call_history(
    sim: CallSimulator,
    caller: Caller,
    state: int,
    tx: Transactions,
    orders: tuple[int, int],
    created_day: int,
) -> list[ContactRow]:
    """One regular campaign; churned customers end theirs with a complaint."""
    o0, o1 = orders
    first_day = int(tx.sec[o0]) // SECONDS_PER_DAY if o1 > o0 else created_day
    last_day = int(tx.sec[o1 - 1]) // SECONDS_PER_DAY if o1 > o0 else created_day
    if state == CHURNED:
        start = min(last_day + sim.rnd.randint(2, 10), sim.cal.days - 1)
        return sim.forced_complaint(caller, start)
    start = _campaign_start_day(
        sim.rnd, state, caller.b2b, first_day, last_day, created_day, sim.cal.days
    )
    return sim.campaign(caller, start, max_attempts=sim.rnd.randint(3, 8))[0]


def _wonback_campaign(
    sim: CallSimulator, caller: Caller, tx: Transactions, o0: int, o1: int
) -> list[ContactRow]:
    """A campaign that (if the customer picks up in time) produced one of their real orders."""
    j = o0 + _wonback_index(tx.sec[o0:o1])
    prev_day = int(tx.sec[j - 1]) // SECONDS_PER_DAY
    target_day = int(tx.sec[j]) // SECONDS_PER_DAY
    next_sec = int(tx.sec[j + 1]) if j + 1 < o1 else sim.cal.end_sec
    start_day = max(prev_day + 1, target_day - sim.rnd.randint(1, 10))
    rows, reached = sim.campaign(caller, start_day, max_attempts=6, reactivate_before=next_sec)
    if reached >= 0:
        # The order was placed during the call: move it there and report its amount.
        tx.sec[j] = reached + sim.rnd.randrange(300, 1800)
        rows[-1].amount = str(int(tx.amount[j]))
    return rows
