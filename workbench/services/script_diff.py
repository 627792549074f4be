"""`scripts diff`: what changed between two stored versions of a script, and how each did.

The versions are those `services.script_contents` stored for the script id in one
language, oldest first; the current file is stored on the way in, so by default the diff
runs from the version before the current one to the current file.  A version is named by
its hash or by a prefix only one version has.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from workbench.services.script_contents import StoredVersion, record_versions, stored_versions
from workbench.services.script_stats import VersionHistory, script_history
from workbench.talk.library import ScriptLibrary


class UnknownVersion(LookupError):
    """A script or version not stored; `known` lists the stored versions, oldest first
    (empty for an id with no stored version), `value` is what was asked (None: the default
    'previous version', when there is only one)."""

    def __init__(self, script_id: str, language: str, value: str | None, known: list[str]) -> None:
        self.script_id, self.language, self.value, self.known = script_id, language, value, known
        what = f"version {value!r}" if value is not None else "an earlier version"
        super().__init__(
            f"{script_id} ({language}): no {what} stored (known: {', '.join(known) or 'none'})"
        )


@dataclass(frozen=True)
class DiffSide:
    """One end of the diff: the stored version and the figures of its calls."""

    version: str
    first_seen: datetime
    current: bool
    figures: VersionHistory | None  # None: no call read this version

    def as_json(self) -> dict[str, Any]:
        figures = self.figures.as_json() if self.figures else {"attempts": 0, "contacts": 0,
                  "reactivations": 0, "rate": None, "wilson_low": 0.0, "wilson_high": 1.0,
                  "revenue": 0}  # fmt: skip
        figures.pop("first_seen", None)
        figures.pop("last_seen", None)
        return {**figures, "version": self.version, "first_seen": self.first_seen.isoformat(),
                "current": self.current}  # fmt: skip


@dataclass(frozen=True)
class ScriptDiff:
    script_id: str
    language: str
    old: DiffSide
    new: DiffSide
    lines: list[str]  # unified diff, each line without its newline

    def as_json(self) -> dict[str, Any]:
        return {"script_id": self.script_id, "language": self.language,
                "from": self.old.as_json(), "to": self.new.as_json(), "diff": self.lines}  # fmt: skip


def _resolve(versions: list[StoredVersion], value: str, script_id: str, language: str) -> int:
    matches = [i for i, v in enumerate(versions) if v.version == value]
    if not matches and len(value) >= 4:
        matches = [i for i, v in enumerate(versions) if v.version.startswith(value)]
    if len(matches) != 1:
        raise UnknownVersion(script_id, language, value, [v.version for v in versions])
    return matches[0]


def script_diff(
    engine: Engine,
    library: ScriptLibrary,
    script_id: str,
    from_version: str | None = None,
    to_version: str | None = None,
    at: datetime | None = None,
) -> ScriptDiff:
    """The unified diff `from_version` → `to_version` of `script_id` in the library's
    language (defaults: the version before `to`; the current file).  Raises `UnknownVersion`."""
    language = library.language
    current = library.get(script_id)
    if current is not None:
        with engine.connect() as conn:
            record_versions(conn, [current], at, look=True)
    versions = stored_versions(engine, script_id, language)
    known = [v.version for v in versions]
    if not versions:
        raise UnknownVersion(script_id, language, to_version or from_version, known)
    if to_version is not None:
        new = _resolve(versions, to_version, script_id, language)
    elif current is not None and current.version in known:
        new = known.index(current.version)
    else:
        new = len(versions) - 1
    if from_version is not None:
        old = _resolve(versions, from_version, script_id, language)
    elif new > 0:
        old = new - 1
    else:
        raise UnknownVersion(script_id, language, None, known)
    figures = {row.version: row for row in script_history(engine, library, script_id)}
    now = current.version if current is not None else None
    sides = [
        DiffSide(v.version, v.first_seen, v.version == now, figures.get(v.version))
        for v in (versions[old], versions[new])
    ]
    lines = difflib.unified_diff(
        versions[old].content.splitlines(),
        versions[new].content.splitlines(),
        fromfile=f"{script_id}@{versions[old].version}",
        tofile=f"{script_id}@{versions[new].version}",
        lineterm="",
    )
    return ScriptDiff(script_id, language, sides[0], sides[1], list(lines))
