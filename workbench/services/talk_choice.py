"""Which talk script the queue offers: Thompson sampling over the live library and outcomes.

The library is loaded once per process and hot-reloaded when files change.  Outcomes
are counted per case (`workbench.domain.reasons.case_key`: the reason heard, or the
reason guessed, before the call) and per script version.  The scoring run stores the
tally (`script_stats.refresh_case_tally`); a pick reads it with the attempts since, at
most once a minute per database, and after a disposition in this process only the
attempts after the last one counted.

A customer whose reason is only guessed, with a confidence below
`scoring.reason_confidence_min`, gets the listen-first pool of `workbench.talk.select`:
hearing-first scripts by default, the guess's pitches tried on the counts of that case.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from workbench.config import Settings
from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.domain.reasons import HEARD, case_key
from workbench.services.script_admin import script_rules
from workbench.services.script_contents import record_versions
from workbench.services.script_folder import scripts_root
from workbench.talk.library import LibraryNews, ScriptLibrary
from workbench.talk.select import choose_script

COUNTS_TTL_SECONDS = (
    60.0  # dispositions are counted in as they happen; a re-read catches other processes
)
RELOAD_CHECK_SECONDS = 2.0
EXPLORATION_SHARE = 0.1

_lock = threading.Lock()
_libraries: dict[tuple[str, str], ScriptLibrary] = {}
_checked: dict[tuple[str, str], float] = {}

Counts = dict[tuple[str, str], tuple[int, int]]


@dataclass
class _Tally:
    """Case → (script_id, version) → (reactivations, contacts), through attempt `through_id`."""

    read_at: float
    through_id: int
    by_case: dict[str, Counts]
    behind: bool = False


_tallies: dict[str, _Tally] = {}


@dataclass(frozen=True)
class ScriptPick:
    script_id: str
    version: str
    method: str
    case: str = ""  # the outcome counts' case, e.g. "guessed:usage_decreased"


def library_for(settings: Settings, check_now: bool = False) -> ScriptLibrary:
    """The process's library for the configured folder and language, reloaded when its files
    changed (looked at most every RELOAD_CHECK_SECONDS unless `check_now`).

    The reload's warnings are not lost here: the library logs them for every reader
    (`ScriptWatch`, `ScriptLibrary.news_since`).
    """
    root = scripts_root(settings)
    key = (str(root.resolve()), settings.language)
    with _lock:
        library = _libraries.get(key)
        if library is None:
            library = _libraries[key] = ScriptLibrary(root, settings.language)
            _checked[key] = time.monotonic()
        elif check_now or time.monotonic() - _checked.get(key, 0.0) > RELOAD_CHECK_SECONDS:
            library.reload_if_changed()
            _checked[key] = time.monotonic()
        return library


class ScriptWatch:
    """One reader's place in the library's news (an operator's UI has one): every warning
    about a broken edit and every updated script is reported to it once, whichever path
    of the process reloaded the files."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._mark: int | None = None  # first: the files broken now
        self._lock = threading.Lock()

    def check(self) -> LibraryNews:
        library = library_for(self.settings, check_now=True)
        with self._lock:
            news = library.news_since(self._mark)
            self._mark = news.mark
        return news


def _add(by_case: dict[str, Counts], counts: dict[tuple[str, str, str], tuple[int, int]]) -> None:
    for (case, sid, version), (won, n) in counts.items():
        tally = by_case.setdefault(case, {})
        w, t = tally.get((sid, version), (0, 0))
        tally[(sid, version)] = (w + won, t + n)


def _case_counts(conn: Connection, case: str) -> Counts:
    from workbench.services.script_stats import (
        case_selection_counts,
        last_attempt_id,
        load_case_tally,
    )

    key = str(conn.engine.url)
    now = time.monotonic()
    with _lock:
        tally = _tallies.get(key)
        fresh = tally is not None and now - tally.read_at < COUNTS_TTL_SECONDS
        if tally is not None and fresh and not tally.behind:
            return tally.by_case.get(case, {})
        base = tally.through_id if tally is not None and fresh else None
    top = last_attempt_id(conn)
    if base is None:
        by_case: dict[str, Counts] = {}
        stored_through, stored = load_case_tally(conn)
        _add(by_case, stored)
        if top > stored_through:
            _add(by_case, case_selection_counts(conn, stored_through, top))
        with _lock:
            _tallies[key] = _Tally(now, max(top, stored_through), by_case)
            return by_case.get(case, {})
    delta = case_selection_counts(conn, base, top) if top > base else {}
    with _lock:
        tally = _tallies[key]
        if tally.through_id == base:  # another thread may have caught up meanwhile
            _add(tally.by_case, delta)
            tally.through_id, tally.behind = max(top, base), False
        return tally.by_case.get(case, {})


def note_outcome(url: str, script_id: str | None, version: str | None, outcome: str) -> None:
    """A disposition was committed: the next pick counts the attempts since the last tally."""
    if script_id is None or version is None or outcome not in CONTACTED_OUTCOMES:
        return
    with _lock:
        tally = _tallies.get(url)
        if tally is not None:
            tally.behind = True


def pick_script(
    conn: Connection,
    settings: Settings,
    reason: str,
    kind: str,
    rng: random.Random,
    months_dormant: int | None = None,
    reason_source: str = HEARD,
    reason_confidence: float = 1.0,
) -> ScriptPick | None:
    """The script for a customer; a guess below `scoring.reason_confidence_min` listens first.

    A team lead's stored pin for the reason (and kind) wins over the sampling, and a retired
    script is never offered (`services.script_admin`); the text of a version met for the first
    time is stored (`services.script_contents`).
    """
    library = library_for(settings)
    record_versions(conn, library.scripts())
    rules = script_rules(conn)
    scripts = [s for s in library.active() if s.id not in rules.retired]
    case = case_key(reason, reason_source)
    listen_first = (
        reason_source != HEARD and reason_confidence < settings.scoring.reason_confidence_min
    )
    choice = choose_script(
        scripts, reason, kind, _case_counts(conn, case), rng, epsilon=EXPLORATION_SHARE,
        pins=rules.choice_pins(scripts, kind), months_dormant=months_dormant,
        listen_first=listen_first,
    )  # fmt: skip
    if choice is None:
        return None
    return ScriptPick(choice.script.id, choice.script.version, choice.method, case)


def customer_draw(customer_id: int, at: datetime) -> random.Random:
    """The customer's own script draw for the hour: the queue shows, the claim leases and a
    disposition without a script is credited to the same pick (until the counts move)."""
    return random.Random(f"{customer_id}:{at.astimezone(UTC):%Y-%m-%dT%H}")
