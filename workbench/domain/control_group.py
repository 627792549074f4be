"""Who is in the control group: customers held back from every contact so the KPIs can be
measured against what would have happened anyway.

Membership is a pure function of a stored seed, the customer's id and the configured share:
each customer's id is hashed with the seed (splitmix64, a bijection of 64-bit integers) into a
uniform number in [0, 1), and the customer is in the control group when it falls below the
share. So membership never depends on who else is in the database (customers coming and going
change nobody else's), raising the share only adds members, and the scalar and the vectorised
forms agree bit for bit.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

_MASK: Final = (1 << 64) - 1
_GAMMA: Final = 0x9E3779B97F4A7C15
_M1: Final = 0xBF58476D1CE4E5B9
_M2: Final = 0x94D049BB133111EB
_SCALE: Final = float(1 << 53)


def _mix(z: int) -> int:
    z = (z + _GAMMA) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def draw(seed: int, customer_id: int) -> float:
    """The customer's uniform draw in [0, 1) under ``seed``."""
    return (_mix((seed ^ _mix(customer_id & _MASK)) & _MASK) >> 11) / _SCALE


def in_control(seed: int, customer_id: int, share: float) -> bool:
    """Whether the customer is held back from every call and email."""
    return share > 0.0 and draw(seed, customer_id) < share


def _mix_array(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        z = z + np.uint64(_GAMMA)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


def draws(seed: int, customer_ids: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """`draw` for many customers at once (the rescore's columns)."""
    ids = np.asarray(customer_ids, dtype=np.int64).astype(np.uint64)
    mixed = _mix_array(np.uint64(seed & _MASK) ^ _mix_array(ids))
    return (mixed >> np.uint64(11)).astype(np.float64) / _SCALE


def members(seed: int, customer_ids: npt.ArrayLike, share: float) -> npt.NDArray[np.bool_]:
    """`in_control` for many customers at once."""
    ids = np.asarray(customer_ids, dtype=np.int64)
    if share <= 0.0:
        return np.zeros(ids.shape, dtype=bool)
    return draws(seed, ids) < share
