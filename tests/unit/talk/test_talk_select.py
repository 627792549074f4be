"""Script selection: candidates, pins, Thompson sampling with exploration."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from workbench.domain.codes import REASONS
from workbench.talk.library import ScriptLibrary
from workbench.talk.model import TalkScript
from workbench.talk.select import candidates_for, choose_script, listen_first_pool

REPO = Path(__file__).parents[3]


def _script(
    script_id: str, reasons: tuple[str, ...] = ("price",), kind: str = "any", **extra: object
) -> TalkScript:
    fields: dict[str, object] = {
        "path": Path(f"{script_id}.md"),
        "id": script_id,
        "title": script_id,
        "reasons": reasons,
        "kind": kind,
        "language": "ja",
        "active": True,
        "purpose": "p",
        "version": f"v-{script_id}",
        "sections": (),
    }
    fields.update(extra)
    return TalkScript(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def starter() -> list[TalkScript]:
    return ScriptLibrary(REPO / "talkscripts", "ja").scripts()


@pytest.mark.parametrize("kind", ["b2c", "b2b"])
@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_and_kind_gets_a_script(
    starter: list[TalkScript], reason: str, kind: str
) -> None:
    choice = choose_script(starter, reason, kind, {}, random.Random(1))
    assert choice is not None
    assert choice.script.kind in (kind, "any")
    expected_fallback = (reason, kind) in {
        ("life_stage_change", "b2b"),
        ("contact_person_changed", "b2c"),
    }
    assert choice.fallback is expected_fallback
    assert reason in choice.script.reasons or "unknown" in choice.script.reasons


def test_price_has_two_competing_variants(starter: list[TalkScript]) -> None:
    found, fallback = candidates_for(starter, "price", "b2c")
    assert not fallback
    assert {s.id for s in found} == {"price_plan_review", "price_return_offer"}
    assert {s.variant_group for s in found} == {"price_2026"}


def test_deadline_script_only_in_its_month(starter: list[TalkScript]) -> None:
    in_month = {s.id for s in candidates_for(starter, "usage_decreased", "b2c", 11)[0]}
    assert "loyalty_deadline" in in_month
    for months in (None, 10, 12):
        ids = {s.id for s in candidates_for(starter, "usage_decreased", "b2c", months)[0]}
        assert "loyalty_deadline" not in ids


def test_inactive_and_wrong_kind_are_excluded() -> None:
    scripts = [_script("a", active=False), _script("b", kind="b2b"), _script("c", kind="b2c")]
    found, _ = candidates_for(scripts, "price", "b2c")
    assert [s.id for s in found] == ["c"]
    assert choose_script(scripts[:1], "price", "b2c", {}, random.Random(0)) is None


def test_pins_override_sampling() -> None:
    scripts = [_script("a"), _script("b", pinned=True), _script("c", kind="b2b", pinned=True)]
    stats = {("a", "v-a"): (90, 100), ("b", "v-b"): (0, 100)}
    rng = random.Random(3)
    for _ in range(50):
        choice = choose_script(scripts, "price", "b2c", stats, rng, epsilon=0.5)
        assert choice is not None and choice.script.id == "b" and choice.method == "pinned"
    explicit = choose_script(scripts, "price", "b2c", stats, rng, pins={"price": "a"})
    assert explicit is not None and explicit.script.id == "a"
    # an explicit pin mapping replaces front-matter pins; a pin for another reason is ignored
    unpinned = choose_script(scripts, "price", "b2c", stats, rng, pins={"moved": "b"}, epsilon=0)
    assert unpinned is not None and unpinned.method == "thompson"


def _simulate(seed: int, rounds: int = 3000, epsilon: float = 0.1) -> list[tuple[str, str]]:
    scripts = [_script("worse"), _script("better")]
    truth = {"worse": 0.10, "better": 0.20}
    rng, world = random.Random(seed), random.Random(seed + 1000)
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    picks = []
    for _ in range(rounds):
        choice = choose_script(scripts, "price", "b2c", counts, rng, epsilon=epsilon)
        assert choice is not None
        key = (choice.script.id, choice.script.version)
        wins, trials = counts.get(key, (0, 0))
        counts[key] = (wins + (world.random() < truth[choice.script.id]), trials + 1)
        picks.append((choice.script.id, choice.method))
    return picks


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_thompson_converges_to_the_better_variant(seed: int) -> None:
    picks = _simulate(seed)
    last = Counter(script for script, _ in picks[-1000:])
    assert last["better"] > 800
    explored = sum(1 for _, method in picks if method == "explore") / len(picks)
    assert 0.08 <= explored <= 0.12
    # exploration keeps the worse variant in play
    assert last["worse"] >= 30


def test_selection_is_deterministic_for_a_seed() -> None:
    assert _simulate(5, rounds=300) == _simulate(5, rounds=300)
    assert _simulate(5, rounds=300) != _simulate(6, rounds=300)


def test_epsilon_bounds() -> None:
    scripts = [_script("a"), _script("b")]
    rng = random.Random(0)
    methods = {
        choose_script(scripts, "price", "b2c", {}, rng, epsilon=1.0).method  # type: ignore[union-attr]
        for _ in range(20)
    }
    assert methods == {"explore"}
    methods = {
        choose_script(scripts, "price", "b2c", {}, rng, epsilon=0.0).method  # type: ignore[union-attr]
        for _ in range(20)
    }
    assert methods == {"thompson"}
    with pytest.raises(ValueError):
        choose_script(scripts, "price", "b2c", {}, rng, epsilon=1.5)


def test_statistics_are_per_version() -> None:
    old, new = _script("a", version="old"), _script("b")
    # the old version's great record does not carry over to a new version of the same id
    renamed = _script("a", version="new")
    stats = {("a", "old"): (50, 50), ("b", "v-b"): (30, 50)}
    rng = random.Random(0)
    picks = Counter(
        choose_script([renamed, new], "price", "b2c", stats, rng, epsilon=0).script.id  # type: ignore[union-attr]
        for _ in range(200)
    )
    assert picks["b"] > picks["a"]
    assert choose_script([old, new], "price", "b2c", stats, rng, epsilon=0).script.id == "a"  # type: ignore[union-attr]


# A weak guess: hearing-first scripts and the guessed reason's pitches, listening by default.


def test_listen_first_pool_from_the_starter_library(starter: list[TalkScript]) -> None:
    hearing, pitches = listen_first_pool(starter, "usage_decreased", "b2c")
    assert [s.id for s in hearing] == ["b2c_listen_general"]
    assert [s.id for s in pitches] == ["b2c_usage_decreased"]
    # in month 11 the deadline script serves `unknown` too, so it listens rather than pitches
    hearing, pitches = listen_first_pool(starter, "usage_decreased", "b2c", 11)
    assert [s.id for s in hearing] == ["b2c_listen_general", "loyalty_deadline"]
    assert [s.id for s in pitches] == ["b2c_usage_decreased"]
    hearing, pitches = listen_first_pool(starter, "quality_dissatisfaction", "b2b")
    assert [s.id for s in hearing] == ["b2b_listen_general"]
    assert [s.id for s in pitches] == ["quality_followup", "quality_improved_news"]
    hearing, pitches = listen_first_pool(starter, "unknown", "b2b")
    assert [s.id for s in hearing] == ["b2b_listen_general"] and pitches == []


def _pool() -> list[TalkScript]:
    return [_script("listen", reasons=("unknown",)), _script("pitch", reasons=("usage_decreased",)),
            _script("other", reasons=("price",))]  # fmt: skip


def test_weak_guess_listens_until_the_pitch_has_data() -> None:
    rng = random.Random(7)
    picks = [choose_script(_pool(), "usage_decreased", "b2c", {}, rng, listen_first=True)
             for _ in range(2000)]  # fmt: skip
    assert all(
        c is not None and c.listen_first and c.candidates == ("listen", "pitch") for c in picks
    )
    methods = Counter((c.script.id, c.method) for c in picks)  # type: ignore[union-attr]
    # listening by default; the pitch only through exploration (ε/2 of the picks)
    assert set(methods) <= {("listen", "listen"), ("listen", "explore"), ("pitch", "explore")}
    assert 0.03 * 2000 <= methods[("pitch", "explore")] <= 0.07 * 2000
    # nine failed pitch conversations: still not in Thompson sampling
    nine = {("pitch", "v-pitch"): (0, 9), ("listen", "v-listen"): (2, 40)}
    choice = choose_script(
        _pool(), "usage_decreased", "b2c", nine, random.Random(1), listen_first=True, epsilon=0
    )
    assert choice is not None and (choice.script.id, choice.method) == ("listen", "listen")


def test_weak_guess_follows_the_data_once_the_pitch_has_enough() -> None:
    rng = random.Random(3)
    better = {("pitch", "v-pitch"): (12, 40), ("listen", "v-listen"): (2, 40)}
    worse = {("pitch", "v-pitch"): (1, 40), ("listen", "v-listen"): (12, 40)}
    for stats, winner in ((better, "pitch"), (worse, "listen")):
        picks = Counter(
            choose_script(
                _pool(), "usage_decreased", "b2c", stats, rng, listen_first=True, epsilon=0
            ).script.id  # type: ignore[union-attr]
            for _ in range(500)
        )
        assert picks[winner] > 480


def test_weak_guess_without_a_hearing_script_or_with_a_pin() -> None:
    pitches_only = [
        _script("pitch", reasons=("usage_decreased",)),
        _script("pitch2", reasons=("usage_decreased",)),
    ]
    choice = choose_script(
        pitches_only, "usage_decreased", "b2c", {}, random.Random(0), listen_first=True
    )
    assert (
        choice is not None and not choice.listen_first and choice.candidates == ("pitch", "pitch2")
    )
    # a pitch pinned for its reason does not apply while the reason is only guessed
    pinned_pitch = [
        _script("listen", reasons=("unknown",)),
        _script("pitch", reasons=("usage_decreased",), pinned=True),
    ]
    choice = choose_script(
        pinned_pitch, "usage_decreased", "b2c", {}, random.Random(0), listen_first=True, epsilon=0
    )
    assert choice is not None and choice.script.id == "listen"
    heard = choose_script(pinned_pitch, "usage_decreased", "b2c", {}, random.Random(0))
    assert heard is not None and (heard.script.id, heard.method) == ("pitch", "pinned")
    pinned_listen = [
        _script("listen", reasons=("unknown",), pinned=True),
        _script("pitch", reasons=("usage_decreased",)),
    ]
    choice = choose_script(
        pinned_listen, "usage_decreased", "b2c", {}, random.Random(0), listen_first=True, epsilon=1
    )
    assert choice is not None and (choice.script.id, choice.method) == ("listen", "pinned")
