"""Choose which script an operator reads, learning which one wins customers back.

Thompson sampling: draw a plausible success rate for each candidate version from
Beta(1 + reactivations, 1 + failures) and take the highest draw. With probability
``epsilon`` a candidate is picked uniformly instead, so a script that started badly
still gets enough calls to be judged. A team lead's pin for the reason overrides both.

When the customer's reason is only a weak guess (``listen_first``), the candidates are the
hearing-first scripts (those serving ``unknown`` for the kind) and the pitches for the
guessed reason, and the outcome counts given are those of that case alone.  Listening is
the default, as the seeds' practice has it: a pitch enters Thompson sampling only once it
has ``min_pitch_contacts`` conversations in the case, and until then it is read only
through the exploration share.  Once in, every candidate has the same neutral Beta(1, 1)
prior, so from then on the data alone decides whether the pitch beats listening.  A
neutral prior from the first call would not favour listening: with rates near 5 %, a
pitch with one failed call still out-draws a well-measured hearing script most of the time.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from workbench.talk.model import TalkScript

# (script_id, version) → (reactivations, contacts). Unreached attempts must not be counted.
Stats = Mapping[tuple[str, str], tuple[int, int]]
DEFAULT_EPSILON = 0.1
MIN_PITCH_CONTACTS = 10


class Versioned(Protocol):
    """Anything chosen by version: a talk script, an email template."""

    @property
    def id(self) -> str: ...

    @property
    def version(self) -> str: ...


V = TypeVar("V", bound=Versioned)


@dataclass(frozen=True)
class Choice:
    script: TalkScript
    method: str  # "pinned", "only", "explore", "thompson" or "listen" (no pitch had enough data)
    fallback: bool  # True when no script served the reason and an `unknown` one was used
    candidates: tuple[str, ...]
    listen_first: bool = False  # the weak-guess pool: hearing-first scripts and the guess's pitches


def _eligible(script: TalkScript, reason: str, kind: str, months_dormant: int | None) -> bool:
    if not script.active or not script.serves(reason, kind):
        return False
    if script.dormant_months is None:
        return True
    low, high = script.dormant_months
    return months_dormant is not None and low <= months_dormant <= high


def candidates_for(
    scripts: Iterable[TalkScript], reason: str, kind: str, months_dormant: int | None = None
) -> tuple[list[TalkScript], bool]:
    """Active scripts serving the reason for this kind; else those serving ``unknown``.

    Scripts with a ``dormant_months`` window only qualify inside it (a deadline script
    told in month 11 must not be read in month 14). Returns (candidates, used fallback).
    """
    pool = sorted(scripts, key=lambda s: s.id)
    found = [s for s in pool if _eligible(s, reason, kind, months_dormant)]
    if found or reason == "unknown":
        return found, False
    return [s for s in pool if _eligible(s, "unknown", kind, months_dormant)], True


def listen_first_pool(
    scripts: Iterable[TalkScript], reason: str, kind: str, months_dormant: int | None = None
) -> tuple[list[TalkScript], list[TalkScript]]:
    """(hearing-first scripts, pitches for the guessed reason) for a weakly guessed reason.

    Hearing-first scripts serve ``unknown`` for the kind; a pitch serves the reason and not
    ``unknown``.  The same eligibility as `candidates_for` (active, kind, dormancy window).
    """
    pool = sorted(scripts, key=lambda s: s.id)
    hearing = [s for s in pool if _eligible(s, "unknown", kind, months_dormant)]
    if reason == "unknown":
        return hearing, []
    listening = {s.id for s in hearing}
    pitches = [
        s for s in pool if s.id not in listening and _eligible(s, reason, kind, months_dormant)
    ]
    return hearing, pitches


def thompson_pick(candidates: Sequence[V], stats: Stats, rng: random.Random) -> V:
    """The candidate with the highest draw from Beta(1 + successes, 1 + failures)."""
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
    listen_first: bool = False,
    min_pitch_contacts: int = MIN_PITCH_CONTACTS,
) -> Choice | None:
    """Pick a script for a customer's reason and kind; None when nothing fits.

    ``pins`` maps reason → script id; when omitted, scripts with ``pinned: true`` in their
    front matter are the pins. Deterministic for a given ``rng`` state.  ``listen_first``
    chooses from `listen_first_pool` (see the module docstring); there only pins of the
    hearing-first scripts count, as the reason a pitch is pinned for is not known yet.
    """
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must be within [0, 1], got {epsilon}")
    if listen_first:
        hearing, pitches = listen_first_pool(scripts, reason, kind, months_dormant)
        if hearing:
            return _listen_first(hearing, pitches, stats, rng, epsilon, pins, min_pitch_contacts)
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


def _listen_first(hearing: list[TalkScript], pitches: list[TalkScript], stats: Stats, rng: random.Random,
                  epsilon: float, pins: Mapping[str, str] | None, min_pitch_contacts: int) -> Choice:  # fmt: skip
    candidates = hearing + pitches
    ids = tuple(s.id for s in candidates)
    if pins is not None:
        pinned = [s for s in hearing if pins.get("unknown") == s.id]
    else:
        pinned = [s for s in hearing if s.pinned]
    if pinned:
        return Choice(pinned[0], "pinned", False, ids, True)
    if len(candidates) == 1:
        return Choice(candidates[0], "only", False, ids, True)
    if rng.random() < epsilon:
        return Choice(rng.choice(candidates), "explore", False, ids, True)
    ready = [s for s in pitches if stats.get((s.id, s.version), (0, 0))[1] >= min_pitch_contacts]
    if not ready and len(hearing) == 1:
        return Choice(hearing[0], "listen", False, ids, True)
    return Choice(thompson_pick(hearing + ready, stats, rng), "thompson", False, ids, True)
