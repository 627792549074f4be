"""Each simulated customer's hidden email behaviour, and how they react to one email.

Drawn from its own random stream (world seed, world salt, 0xE3A1), so adding the email step
leaves every other part of a world as it was.  Nothing here is written where the product
can read it except what a real customer file would say: the address (or none) and whether
the customer refused email (`email_opt_out`, the only consent column of the customers CSV).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from .world import Truth

EMAIL_SALT = 0xE3A1
RESPONSES = ("opened", "clicked", "replied")


@dataclass(frozen=True)
class EmailSpec:
    """A world's email habits: households read more than companies (about 20 % open rates)."""

    address_share: dict[str, float]  # by kind: P(the file holds an address)
    consent_share: float  # P(an address holder has not refused email)
    dead_share: float  # P(the address no longer exists: the server answers 550)
    open_mean: dict[str, float]  # by kind: mean P(open) of one email (Beta, concentration 6)
    click_given_open: float
    reply_given_open: dict[str, float]  # by kind
    unsubscribe_given_open: float
    alive_factor: float  # customers still in the market open more (and the dropped-out less)
    # Hidden lift on P(win-back | conversation) of a customer who responded before the call.
    lift: dict[str, float]


EMAIL_WORLDS: dict[str, EmailSpec] = {
    "households": EmailSpec(
        address_share={"b2c": 0.8, "b2b": 0.9}, consent_share=0.9, dead_share=0.05,
        open_mean={"b2c": 0.32, "b2b": 0.18}, click_given_open=0.25,
        reply_given_open={"b2c": 0.06, "b2b": 0.10}, unsubscribe_given_open=0.03,
        alive_factor=1.5, lift={"opened": 1.2, "clicked": 1.5, "replied": 1.9},
    ),
    "b2b_callbacks": EmailSpec(
        address_share={"b2c": 0.7, "b2b": 0.95}, consent_share=0.85, dead_share=0.08,
        open_mean={"b2c": 0.25, "b2b": 0.14}, click_given_open=0.2,
        reply_given_open={"b2c": 0.05, "b2b": 0.12}, unsubscribe_given_open=0.04,
        alive_factor=1.4, lift={"opened": 1.15, "clicked": 1.4, "replied": 1.8},
    ),
    "silent_seasonal": EmailSpec(
        address_share={"b2c": 0.6, "b2b": 0.85}, consent_share=0.8, dead_share=0.1,
        open_mean={"b2c": 0.16, "b2b": 0.1}, click_given_open=0.15,
        reply_given_open={"b2c": 0.03, "b2b": 0.06}, unsubscribe_given_open=0.05,
        alive_factor=1.3, lift={"opened": 1.1, "clicked": 1.3, "replied": 1.6},
    ),
}  # fmt: skip


@dataclass(frozen=True)
class EmailTruth:
    customer_id: str
    index: int
    address: str  # "" when the customer file holds none
    consent: bool  # False: written as email_opt_out = 1
    dead: bool  # the address bounces (550)
    p_open: float
    p_click: float  # given an open
    p_reply: float  # given an open
    p_unsubscribe: float  # given an open


@dataclass(frozen=True)
class Reaction:
    """What a customer does with one email, at simulated instants after it arrived."""

    opened_at: datetime | None
    clicked_at: datetime | None
    replied_at: datetime | None
    unsubscribed_at: datetime | None


def draw_email_truths(
    world: str, spec_salt: int, seed: int, truths: dict[str, Truth]
) -> dict[str, EmailTruth]:
    spec = EMAIL_WORLDS[world]
    rng = np.random.default_rng([seed, spec_salt, EMAIL_SALT])
    out = {}
    for cid, t in sorted(truths.items(), key=lambda kv: kv[1].index):
        u = rng.random(4)
        has = u[0] < spec.address_share[t.kind]
        mean = min(
            0.95, spec.open_mean[t.kind] * (spec.alive_factor if t.alive else 1 / spec.alive_factor)
        )
        p_open = float(rng.beta(6 * mean, 6 * (1 - mean)))
        out[cid] = EmailTruth(
            cid, t.index, f"{cid.lower()}@example.jp" if has else "", bool(u[1] < spec.consent_share),
            bool(u[2] < spec.dead_share), p_open, spec.click_given_open,
            spec.reply_given_open[t.kind], spec.unsubscribe_given_open,
        )  # fmt: skip
    return out


def react(truth: EmailTruth, seed: int, step: int, sent_at: datetime) -> Reaction:
    """The customer's reaction to their `step`-th email (0-based); common random numbers per
    (seed, customer, step), whenever it is sent."""
    u = np.random.default_rng([seed, truth.index, step, EMAIL_SALT]).random(8)
    if u[0] >= truth.p_open:
        return Reaction(None, None, None, None)
    opened = sent_at + _hours(u[1], mean=10.0)
    clicked = opened + _hours(u[3], mean=0.1) if u[2] < truth.p_click else None
    replied = opened + _hours(u[5], mean=3.0) if u[4] < truth.p_reply else None
    unsub = (
        opened + _hours(u[7], mean=0.2) if replied is None and u[6] < truth.p_unsubscribe else None
    )
    return Reaction(opened, clicked, replied, unsub)


def _hours(u: float, mean: float) -> timedelta:
    return timedelta(hours=-mean * math.log1p(-min(u, 0.999999)))


def write_email_truths(path: Path, truths: dict[str, EmailTruth]) -> None:
    path.write_text(json.dumps({k: asdict(v) for k, v in truths.items()}), encoding="utf-8")


def load_email_truths(path: Path) -> dict[str, EmailTruth]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {k: EmailTruth(**v) for k, v in raw.items()}
