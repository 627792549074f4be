"""Order history per chunk of customers (vectorised): when, which category, what amount.

Orders between a customer's first and last one follow a Poisson process (uniform order
statistics); categories are drawn per month from seasonal weights with a boost for the
customer's favourite.  Each order row is kept as an index into ``TAILS``, the
pre-formatted ``,amount,category,product`` text of every (product, quantity) pair.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.demo.catalogue import (
    CATEGORIES,
    CATEGORY_SEASONALITY,
    KIND_CATEGORY_SHARE,
    MAX_QUANTITY,
    PRODUCTS,
    PRODUCTS_PER_CATEGORY,
)
from workbench.demo.timeline import SECONDS_PER_DAY, Calendar
from workbench.demo.truth import Latent, normalised

# Hour-of-day weights for orders (0 … 23).
B2C_ORDER_HOURS: tuple[float, ...] = (
    0.3,
    0.15,
    0.08,
    0.05,
    0.05,
    0.1,
    0.3,
    0.6,
    0.8,
    1.0,
    1.2,
    1.3,
    1.5,
    1.3,
    1.1,
    1.0,
    1.0,
    1.1,
    1.3,
    1.6,
    1.9,
    2.0,
    1.6,
    0.8,
)
B2B_ORDER_HOURS: tuple[float, ...] = (
    0.0,
    0.0,
    0.0,
    0.0,
    0.0,
    0.0,
    0.02,
    0.1,
    0.6,
    1.8,
    2.0,
    1.8,
    0.8,
    1.6,
    1.8,
    1.7,
    1.5,
    1.0,
    0.5,
    0.2,
    0.1,
    0.05,
    0.0,
    0.0,
)


def _seasonal_table() -> np.ndarray:
    """Category weights indexed [is_b2b, month, category]."""
    season = np.array([CATEGORY_SEASONALITY[c] for c in CATEGORIES]).T  # (12, C)
    shares = np.array([KIND_CATEGORY_SHARE["b2c"], KIND_CATEGORY_SHARE["b2b"]])  # (2, C)
    return shares[:, None, :] * season[None, :, :]


_SEASONAL = _seasonal_table()
_FAV_BOOST = 3.0
_PRODUCT_NAMES = [name for c in CATEGORIES for name, _ in PRODUCTS[c]]
_PRODUCT_PRICES = np.array([price for c in CATEGORIES for _, price in PRODUCTS[c]], dtype=np.int64)
_ORDER_HOUR_CUM = (np.cumsum(normalised(B2C_ORDER_HOURS)), np.cumsum(normalised(B2B_ORDER_HOURS)))


def _tail_table() -> np.ndarray:
    """ ",amount,category,product\\n" for every (product, quantity) pair."""
    tails = [
        f",{price * q},{CATEGORIES[p // PRODUCTS_PER_CATEGORY]},{_PRODUCT_NAMES[p]}\n"
        for p, price in enumerate(_PRODUCT_PRICES.tolist())
        for q in range(1, MAX_QUANTITY + 1)
    ]
    return np.array(tails, dtype=object)


TAILS = _tail_table()


@dataclass
class Transactions:
    offsets: np.ndarray  # rows of customer i are offsets[i]:offsets[i+1]
    sec: np.ndarray  # int64 seconds since start (JST)
    tail: np.ndarray  # index into TAILS
    amount: np.ndarray

    @property
    def size(self) -> int:
        return len(self.sec)


def _order_seconds(
    rng: np.random.Generator, cal: Calendar, lat: Latent, rep: np.ndarray, pos: np.ndarray
) -> np.ndarray:
    n_rep = lat.n_tx[rep]
    u = rng.random(len(rep))
    u[pos == 0] = 0.0
    u[pos == n_rep - 1] = 1.0
    first = lat.first_day[rep]
    day = np.floor(first + u * (lat.last_day[rep] - first)).astype(np.int64)
    day = np.minimum(day, cal.days - 1)
    b2b_rows = lat.b2b[rep]
    weekday = cal.weekday[day]
    # Businesses order on business days: move weekend orders back to Friday.
    shift = np.where(b2b_rows & (weekday == 5), 1, 0) + np.where(b2b_rows & (weekday == 6), 2, 0)
    day = np.maximum(day - shift, 0)
    u_hour = rng.random(len(rep))
    hour = np.where(
        b2b_rows,
        np.searchsorted(_ORDER_HOUR_CUM[1], u_hour, side="right"),
        np.searchsorted(_ORDER_HOUR_CUM[0], u_hour, side="right"),
    )
    hour = np.minimum(hour, 23)
    return day * SECONDS_PER_DAY + hour * 3600 + rng.integers(0, 3600, len(rep))


def draw_transactions(rng: np.random.Generator, cal: Calendar, lat: Latent) -> Transactions:
    n = lat.n_tx
    offsets = np.concatenate(([0], np.cumsum(n)))
    total = int(offsets[-1])
    rep = np.repeat(np.arange(lat.size), n)
    pos = np.arange(total) - offsets[rep]
    sec = _order_seconds(rng, cal, lat, rep, pos)
    # Sort within each customer; rep is already grouped so it is unchanged by the sort.
    sec = sec[np.argsort(rep * (cal.end_sec + 1) + sec, kind="stable")]

    month = cal.month[sec // SECONDS_PER_DAY]
    weights = _SEASONAL[lat.b2b[rep].astype(np.int64), month]
    weights[np.arange(total), lat.fav[rep]] *= _FAV_BOOST
    cum = np.cumsum(weights, axis=1)
    pick = rng.random(total) * cum[:, -1]
    category = np.minimum((cum < pick[:, None]).sum(axis=1), len(CATEGORIES) - 1)
    product = category * PRODUCTS_PER_CATEGORY + rng.integers(0, PRODUCTS_PER_CATEGORY, total)
    price = _PRODUCT_PRICES[product]
    wanted = lat.value[rep] * rng.lognormal(0.0, 0.35, total)
    qty = np.clip(np.rint(wanted / price), 1, MAX_QUANTITY).astype(np.int64)
    return Transactions(
        offsets=offsets, sec=sec, tail=product * MAX_QUANTITY + qty - 1, amount=price * qty
    )
