"""Who to dial next: the workbench's claim, three human-team baselines and the oracle.

Every strategy dials only customers the product says may be called now and
records every outcome through the product's disposition service (the runner
does that); only the workbench strategy reads the product's ranking.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from workbench.config import Settings
from workbench.services.claim import claim
from workbench.services.customers import attack_list
from workbench.services.freshness import ensure_scored
from workbench.services.queue import QueueEntry, eligible_states, read_queue

from .email_world import EMAIL_WORLDS
from .mail_loop import MailLoop
from .response import ScriptInfo, answer_probability, best_fit, fit_class, win_probability
from .world import Truth

FIRST_CHUNK = 4  # the head of the list is usually callable; later pages cross held-back customers
CHUNK = 64
CALLBACK_EARLY = timedelta(minutes=5)
FINAL = {"reactivated", "not_interested", "do_not_call", "complaint", "wrong_number"}


@dataclass(frozen=True)
class Pick:
    external_id: str
    script: ScriptInfo | None


@dataclass
class TeamMemory:
    """What a human team knows from its own calls: who is done, heard reasons, promised callbacks."""

    done: set[str] = field(default_factory=set)
    heard: dict[str, str] = field(default_factory=dict)
    dials: dict[str, int] = field(default_factory=dict)
    callbacks: dict[str, tuple[datetime, str]] = field(default_factory=dict)

    def note(
        self,
        external_id: str,
        operator: str,
        outcome: str,
        heard: str | None,
        callback_at: datetime | None,
    ) -> None:
        self.dials[external_id] = self.dials.get(external_id, 0) + 1
        self.callbacks.pop(external_id, None)
        if heard:
            self.heard[external_id] = heard
        if outcome in FINAL:
            self.done.add(external_id)
        if callback_at is not None:
            self.callbacks[external_id] = (callback_at, operator)


class Strategy:
    name = "?"

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        scripts: list[ScriptInfo],
        truths: dict[str, Truth],
        seed: int,
    ) -> None:
        self.engine, self.settings, self.scripts, self.truths = engine, settings, scripts, truths
        self.seed = seed
        self.rng = random.Random(seed)
        self.memory = TeamMemory()

    def start_day(self, at: datetime) -> None:
        ensure_scored(self.engine, self.settings, at)

    def pick(self, at: datetime, operator: str, promised: dict[str, datetime]) -> Pick | None:
        raise NotImplementedError

    def truth_at(self, external_id: str, at: datetime) -> Truth:
        """The customer as they are when dialled (email responses may have changed them)."""
        return self.truths[external_id]

    def note(
        self,
        external_id: str,
        operator: str,
        outcome: str,
        heard: str | None,
        callback_at: datetime | None,
    ) -> None:
        self.memory.note(external_id, operator, outcome, heard, callback_at)


class Workbench(Strategy):
    """`workbench claim --operator … --at …`: the product's queue decides who and which script."""

    name = "workbench"

    def pick(self, at: datetime, operator: str, promised: dict[str, datetime]) -> Pick | None:
        ensure_scored(self.engine, self.settings, at)  # as the CLI's claim does
        entry = claim(self.engine, self.settings, operator, at, self.rng)
        if entry is None:
            return None
        script = next(
            (s for s in self.scripts if entry.script and s.id == entry.script.script_id), None
        )
        return Pick(entry.external_id, script)


class EmailThenCall(Workbench):
    """The workbench with `[escalation] enabled = true`: the email step runs through the CLI
    at each sync (scripts/sim/mail_loop.py), operators claim as the call-only workbench does.
    A customer who really responded before the call is likelier to be won back (hidden lift)."""

    name = "email_then_call"

    def __init__(self, *args: object, mail: MailLoop, world: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.mail, self.lift = mail, EMAIL_WORLDS[world].lift

    def start_day(self, at: datetime) -> None:
        self.mail.sync(at, day_open=True)
        super().start_day(at)

    def pick(self, at: datetime, operator: str, promised: dict[str, datetime]) -> Pick | None:
        if self.mail.due(at):
            self.mail.sync(at, day_open=False)
        return super().pick(at, operator, promised)

    def truth_at(self, external_id: str, at: datetime) -> Truth:
        truth = self.truths[external_id]
        response = self.mail.best_response(external_id, at)
        if response is None:
            return truth
        return replace(truth, propensity=truth.propensity * self.lift[response])


class Team(Strategy):
    """A human team working its own list: due callbacks first, then first pass before second pass.

    The list is the product's lapsed customers (`workbench customers --state …`), refreshed each
    morning; whether a customer may be called now is asked of the product before every dial.
    """

    def __init__(self, *args: object, order: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.order = order
        self.pool: list[tuple[int, str]] = []
        self.ids: dict[str, int] = {}

    def start_day(self, at: datetime) -> None:
        super().start_day(at)
        states = set(eligible_states(self.settings))
        rows = [s for s in attack_list(self.engine, self.settings, at) if s.state in states]
        self.ids.update({s.external_id: s.id for s in rows})
        if self.order == "random":
            ordered = sorted(
                rows, key=lambda s: random.Random(f"{self.seed}:{s.external_id}").random()
            )
        elif self.order == "recent":
            epoch = datetime.min.replace(tzinfo=UTC)
            ordered = sorted(
                rows, key=lambda s: (-(s.last_order_at or epoch).timestamp(), s.external_id)
            )
        else:  # spend
            ordered = sorted(rows, key=lambda s: (-s.monetary, s.external_id))
        self.pool = [(s.id, s.external_id) for s in ordered]

    def candidates(self, at: datetime, promised: dict[str, datetime]) -> list[str]:
        due = sorted(
            (due, ext)
            for ext, (due, _) in self.memory.callbacks.items()
            if due - CALLBACK_EARLY <= at
        )
        first = [ext for _, ext in due]
        rest = [ext for _, ext in self.pool if ext not in self.memory.done]
        rest.sort(
            key=lambda ext: self.memory.dials.get(ext, 0)
        )  # stable: the list's order within a pass
        return first + [ext for ext in rest if ext not in set(first)]

    def pick(self, at: datetime, operator: str, promised: dict[str, datetime]) -> Pick | None:
        entry = self.first_callable(self.candidates(at, promised), at, operator)
        if entry is None:
            return None
        reason = self.memory.heard.get(entry.external_id)
        if reason is None and entry.reason_source == "heard":
            reason = entry.reason
        return Pick(entry.external_id, self.script_for(reason, entry.kind))

    def first_callable(self, order: list[str], at: datetime, operator: str) -> QueueEntry | None:
        with self.engine.connect() as conn:
            start, size = 0, FIRST_CHUNK
            while start < len(order):
                chunk = [ext for ext in order[start : start + size] if ext in self.ids]
                start, size = start + size, min(size * 2, CHUNK)
                if not chunk:
                    continue
                entries = read_queue(
                    conn,
                    self.settings,
                    at,
                    operator,
                    len(chunk),
                    self.rng,
                    only=[self.ids[e] for e in chunk],
                )
                allowed = {e.external_id: e for e in entries}
                for ext in chunk:
                    if ext in allowed:
                        return allowed[ext]
        return None

    def script_for(self, reason: str | None, kind: str) -> ScriptInfo | None:
        """The script for the heard reason, else the hearing-first one for the customer's kind."""
        fits = [s for s in self.scripts if s.kind in (kind, "any")]
        if reason and reason != "unknown":
            for script in fits:
                if reason in script.reasons:
                    return script
        listening = [s for s in fits if "unknown" in s.reasons]
        listening.sort(
            key=lambda s: (len(s.reasons), s.kind != kind, s.id)
        )  # listen-only scripts first
        return listening[0] if listening else None


class Knowing(Team):
    """Dials the callable customer with the highest true expected value now, by the hidden truth
    of when they answer, how likely they come back and how much they would order."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, order="spend", **kwargs)

    def fit(self, external_id: str, truth: Truth) -> str:
        """How well the script this strategy would use fits the customer's true reason."""
        raise NotImplementedError

    def candidates(self, at: datetime, promised: dict[str, datetime]) -> list[str]:
        scored = []
        for _, ext in self.pool:
            if ext in self.memory.done:
                continue
            t = self.truths[ext]
            if t.wrong_number:
                continue
            when = promised.get(ext)
            on_time = when is not None and abs(at - when) <= timedelta(minutes=15)
            p_win = win_probability(t, self.fit(ext, t), on_time)
            scored.append((-answer_probability(t, at, when) * p_win * t.value, ext))
        scored.sort()
        return [ext for _, ext in scored]


class Oracle(Knowing):
    """Knows the hidden truth, the reason too: dials with the script that fits it best."""

    name = "oracle"

    def fit(self, external_id: str, truth: Truth) -> str:
        return best_fit(self.scripts, truth)[1]

    def pick(self, at: datetime, operator: str, promised: dict[str, datetime]) -> Pick | None:
        entry = self.first_callable(self.candidates(at, promised), at, operator)
        if entry is None:
            return None
        return Pick(entry.external_id, best_fit(self.scripts, self.truths[entry.external_id])[0])


class Informed(Knowing):
    """Knows when each customer answers and how likely and how much they would come back, but not
    why they left: it dials with a team's scripts (hearing-first, or the heard reason's).  What
    ordering alone could reach; the oracle adds reasons."""

    name = "informed"

    def fit(self, external_id: str, truth: Truth) -> str:
        return fit_class(self.script_for(self.memory.heard.get(external_id), truth.kind), truth)


def make(
    name: str,
    engine: Engine,
    settings: Settings,
    scripts: list[ScriptInfo],
    truths: dict[str, Truth],
    seed: int,
    mail: MailLoop | None = None,
    world: str = "",
) -> Strategy:
    if name == "workbench":
        return Workbench(engine, settings, scripts, truths, seed)
    if name == "email_then_call":
        assert mail is not None, "email_then_call needs the run's mail loop"
        return EmailThenCall(engine, settings, scripts, truths, seed, mail=mail, world=world)
    if name == "oracle":
        return Oracle(engine, settings, scripts, truths, seed)
    if name == "informed":
        return Informed(engine, settings, scripts, truths, seed)
    if name in ("random", "recent", "spend"):
        team = Team(engine, settings, scripts, truths, seed, order=name)
        team.name = name
        return team
    raise ValueError(f"unknown strategy {name!r} (known: {', '.join(STRATEGIES)})")


STRATEGIES = ("workbench", "email_then_call", "random", "recent", "spend", "informed", "oracle")
EMAIL_PAIR = ("workbench", "email_then_call")  # call-only against email-then-call
BASELINES = ("random", "recent", "spend")
