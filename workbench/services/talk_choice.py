"""Which talk script the queue offers: Thompson sampling over the live library and outcomes.

The library is loaded once per process and hot-reloaded when files change; the
outcome counts per script version are re-read at most every few seconds.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from workbench.config import Settings
from workbench.domain.codes import CONTACTED_OUTCOMES
from workbench.talk.library import ScriptLibrary
from workbench.talk.select import choose_script

COUNTS_TTL_SECONDS = 60.0  # dispositions are counted in as they happen; a re-read catches other processes
RELOAD_CHECK_SECONDS = 2.0
EXPLORATION_SHARE = 0.1

_lock = threading.Lock()
_libraries: dict[tuple[str, str], ScriptLibrary] = {}
_counts: dict[str, tuple[float, dict[tuple[str, str], tuple[int, int]]]] = {}
_checked: dict[tuple[str, str], float] = {}


@dataclass(frozen=True)
class ScriptPick:
    script_id: str
    version: str
    method: str


REPO_ROOT = Path(__file__).resolve().parents[2]


def scripts_root(settings: Settings) -> Path:
    """The configured folder; a relative one missing here falls back to the checkout's."""
    root = Path(settings.talkscripts_dir)
    if not root.is_absolute() and not root.is_dir() and (REPO_ROOT / root).is_dir():
        return REPO_ROOT / root
    return root


def library_for(settings: Settings) -> ScriptLibrary:
    root = scripts_root(settings)
    key = (str(root.resolve()), settings.language)
    with _lock:
        library = _libraries.get(key)
        if library is None:
            library = _libraries[key] = ScriptLibrary(root, settings.language)
            _checked[key] = time.monotonic()
        elif time.monotonic() - _checked.get(key, 0.0) > RELOAD_CHECK_SECONDS:
            library.reload_if_changed()
            _checked[key] = time.monotonic()
        return library


def _selection_counts(conn: Connection) -> dict[tuple[str, str], tuple[int, int]]:
    from workbench.services.script_stats import selection_counts

    key = str(conn.engine.url)
    now = time.monotonic()
    with _lock:
        cached = _counts.get(key)
        if cached and now - cached[0] < COUNTS_TTL_SECONDS:
            return cached[1]
    counts = selection_counts(conn)
    with _lock:
        _counts[key] = (now, counts)
    return counts


def note_outcome(url: str, script_id: str | None, version: str | None, outcome: str) -> None:
    """Count a new disposition into the cached tally, so the next pick sees it without a re-read."""
    if script_id is None or version is None or outcome not in CONTACTED_OUTCOMES:
        return
    with _lock:
        cached = _counts.get(url)
        if cached is None:
            return
        wins, trials = cached[1].get((script_id, version), (0, 0))
        cached[1][(script_id, version)] = (wins + (outcome == "reactivated"), trials + 1)


def pick_script(
    conn: Connection,
    settings: Settings,
    reason: str,
    kind: str,
    rng: random.Random,
    months_dormant: int | None = None,
) -> ScriptPick | None:
    library = library_for(settings)
    choice = choose_script(
        library.active(), reason, kind, _selection_counts(conn), rng,
        epsilon=EXPLORATION_SHARE, months_dormant=months_dormant,
    )  # fmt: skip
    if choice is None:
        return None
    return ScriptPick(choice.script.id, choice.script.version, choice.method)
