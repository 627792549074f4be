"""Choose which script an operator reads, learning which one wins customers back.

Thompson sampling: draw a plausible success rate for each candidate version from
Beta(1 + reactivations, 1 + failures) and take the highest draw. With probability
``epsilon`` a candidate is picked uniformly instead, so a script that started badly
still gets enough calls to be judged. A team lead's pin for the reason overrides both.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workbench.talk.model import TalkScript

# (script_id, version) → (reactivations, contacts). Unreached attempts must not be counted.
Stats = Mapping[tuple[str, str], tuple[int, int]]
DEFAULT_EPSILON = 0.1


@dataclass(frozen=True)
class Choice:
    script: TalkScript
    method: str  # "pinned", "only", "explore" or "thompson"
    fallback: bool  # True when no script served the reason and an `unknown` one was used
    candidates: tuple[str, ...]


def _eligible(script: TalkScript, reason: str, kind: str, months_dormant: int | None) -> bool:
    if not script.active or not script.serves(reason, kind):
        return False
    if script.dormant_months is None:
        return True
    low, high = script.dormant_months
    return months_dormant is not None and low <= months_dormant <= high


def candidates_for(scripts: Iterable[TalkScript], reason: str, kind: str,
                   months_dormant: int | None = None) -> tuple[list[TalkScript], bool]:
    """Active scripts serving the reason for this kind; else those serving ``unknown``.

    Scripts with a ``dormant_months`` window only qualify inside it (a deadline script
    told in month 11 must not be read in month 14). Returns (candidates, used fallback).
    """
    pool = sorted(scripts, key=lambda s: s.id)
    found = [s for s in pool if _eligible(s, reason, kind, months_dormant)]
    if found or reason == "unknown":
        return found, False
    return [s for s in pool if _eligible(s, "unknown", kind, months_dormant)], True


def thompson_pick(candidates: list[TalkScript], stats: Stats, rng: random.Random) -> TalkScript:
    best, best_draw = candidates[0], -1.0
    for script in candidates:
        successes, trials = stats.get((script.id, script.version), (0, 0))
        successes = max(0, min(successes, trials))
        draw = rng.betavariate(1 + successes, 1 + trials - successes)
        if draw > best_draw:
            best, best_draw = script, draw
    return best


def choose_script(
    scripts: Iterable[TalkScript],
    reason: str,
    kind: str,
    stats: Stats,
    rng: random.Random,
    *,
    epsilon: float = DEFAULT_EPSILON,
    pins: Mapping[str, str] | None = None,
    months_dormant: int | None = None,
) -> Choice | None:
    """Pick a script for a customer's reason and kind; None when nothing fits.

    ``pins`` maps reason → script id; when omitted, scripts with ``pinned: true`` in their
    front matter are the pins. Deterministic for a given ``rng`` state.
    """
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must be within [0, 1], got {epsilon}")
    candidates, fallback = candidates_for(scripts, reason, kind, months_dormant)
    if not candidates:
        return None
    ids = tuple(s.id for s in candidates)
    effective = "unknown" if fallback else reason
    if pins is not None:
        pinned = [s for s in candidates if pins.get(effective) == s.id]
    else:
        pinned = [s for s in candidates if s.pinned]
    if pinned:
        return Choice(pinned[0], "pinned", fallback, ids)
    if len(candidates) == 1:
        return Choice(candidates[0], "only", fallback, ids)
    if rng.random() < epsilon:
        return Choice(rng.choice(candidates), "explore", fallback, ids)
    return Choice(thompson_pick(candidates, stats, rng), "thompson", fallback, ids)
