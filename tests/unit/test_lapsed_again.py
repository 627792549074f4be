"""`domain.reason_fixes.lapsed_again`: who among the churned is dormant again."""

from __future__ import annotations

import numpy as np

from workbench.domain.codes import LifecycleState
from workbench.domain.lifecycle import STATES
from workbench.domain.reason_fixes import lapsed_again

CHURNED, DORMANT, ACTIVE = (np.int8(STATES.index(s)) for s in
                            (LifecycleState.CHURNED, LifecycleState.DORMANT, LifecycleState.ACTIVE))  # fmt: skip


def test_only_an_unblocked_churned_complainer_over_a_fixed_reason_comes_back() -> None:
    # 0: comes back; 1: blocked; 2: no complaint; 3: did not leave for it; 4: not churned.
    states = np.array([CHURNED, CHURNED, CHURNED, CHURNED, ACTIVE], dtype=np.int8)
    complaint = np.array([True, True, False, True, True])
    blocked = np.array([False, True, False, False, False])
    left = np.array([True, True, True, False, True])
    out = lapsed_again(states, complaint, blocked, left)
    assert out.tolist() == [DORMANT, CHURNED, CHURNED, CHURNED, ACTIVE]
    assert states[0] == CHURNED  # the input is not changed


def test_nobody_back_returns_the_same_array() -> None:
    states = np.array([CHURNED, ACTIVE], dtype=np.int8)
    no = np.zeros(2, dtype=bool)
    assert lapsed_again(states, no, no, no) is states


def test_one_customers_own_record_rules_out_a_comeback_without_the_base() -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from workbench.domain.reason_fixes import FixedReasons, could_lapse_again

    tokyo = ZoneInfo("Asia/Tokyo")
    fixes = FixedReasons({("price", "b2c"): date(2026, 6, 1)}, 1.5, 0.5, tokyo)
    before = datetime(2026, 5, 31, 23, 59, tzinfo=tokyo)
    on_the_day = datetime(2026, 6, 1, 0, 0, tzinfo=tokyo)
    assert could_lapse_again(fixes, "b2c", before, complaint=True, blocked=False)
    assert not could_lapse_again(fixes, "b2c", on_the_day, complaint=True, blocked=False)
    assert not could_lapse_again(fixes, "b2b", before, complaint=True, blocked=False)
    assert not could_lapse_again(fixes, "b2c", before, complaint=False, blocked=False)
    assert not could_lapse_again(fixes, "b2c", before, complaint=True, blocked=True)
    assert not could_lapse_again(fixes, "b2c", None, complaint=True, blocked=False)
    both = FixedReasons({("price", "any"): date(2026, 6, 1)}, 1.5, 0.5, tokyo)
    assert could_lapse_again(both, "b2b", before, complaint=True, blocked=False)
