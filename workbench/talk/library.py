"""The scripts of one language, loaded from ``<root>/<language>/*.md`` with hot reload.

A file is re-read when its mtime or size changes. An edit that fails the linter does not
replace the last good version: the library keeps serving it and reports a warning naming
the file and line, so a team lead's typo never blanks an operator's screen.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from workbench.talk.i18n import msg
from workbench.talk.lint import check_file
from workbench.talk.model import LintIssue, Severity, TalkScript

Signature = tuple[int, int]


def _signature(path: Path) -> Signature | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class ScriptLibrary:
    def __init__(self, root: Path, language: str) -> None:
        self.root = Path(root)
        self.language = language
        self.directory = self.root / language
        self._seen: dict[Path, Signature | None] = {}
        self._good: dict[Path, TalkScript] = {}
        self._by_id: dict[str, TalkScript] = {}
        self._reported_duplicates: set[tuple[Path, str]] = set()
        self.warnings: list[str] = self.reload_if_changed()

    def _files(self) -> dict[Path, Signature | None]:
        if not self.directory.is_dir():
            return {}
        return {
            path: _signature(path)
            for path in sorted(self.directory.glob("*.md"))
            if path.name.lower() != "readme.md"
        }

    def _load(self, path: Path) -> str | None:
        """Re-read one file; returns a warning when it cannot be served."""
        before = _signature(path)
        script, issues = check_file(path)
        # A file still being written changes under us: forget the signature to retry later.
        self._seen[path] = before if _signature(path) == before else None
        errors: list[LintIssue] = [i for i in issues if i.severity is Severity.ERROR]
        if script is not None and not errors:
            self._good[path] = script
            return None
        first = errors[0] if errors else LintIssue(path, 0, "io", "?")
        key = "lib.kept" if path in self._good else "lib.skipped"
        return msg(key, path=path, line=first.line, detail=f"{first.code}: {first.message}")

    def reload_if_changed(self) -> list[str]:
        """Pick up edited, new and removed files; returns warnings (empty when all is well)."""
        warnings: list[str] = []
        current = self._files()
        changed = False
        for path in set(self._seen) - set(current):
            del self._seen[path]
            changed |= self._good.pop(path, None) is not None
        for path, signature in current.items():
            if path in self._seen and signature is not None and self._seen[path] == signature:
                continue
            previous = self._good.get(path)
            warning = self._load(path)
            if warning is not None:
                warnings.append(warning)
            changed |= self._good.get(path) is not previous
        if changed or not self._by_id:
            warnings.extend(self._index())
        return warnings

    def _index(self) -> list[str]:
        warnings: list[str] = []
        holders = {s.id: s.path for s in self._by_id.values()}
        ordered = sorted(
            self._good.values(), key=lambda s: (holders.get(s.id) != s.path, str(s.path))
        )
        by_id: dict[str, TalkScript] = {}
        for script in ordered:
            other = by_id.get(script.id)
            if other is None:
                by_id[script.id] = script
                continue
            if (script.path, script.id) not in self._reported_duplicates:
                self._reported_duplicates.add((script.path, script.id))
                warnings.append(msg("lib.dup", path=script.path, value=script.id, other=other.path))
        self._by_id = by_id
        return warnings

    def get(self, script_id: str) -> TalkScript | None:
        return self._by_id.get(script_id)

    def scripts(self) -> list[TalkScript]:
        """Every loaded script (active or not), sorted by id."""
        return sorted(self._by_id.values(), key=lambda s: s.id)

    def active(self) -> list[TalkScript]:
        return [s for s in self.scripts() if s.active]

    def pins(self) -> dict[str, tuple[str, ...]]:
        """reason → ids of active scripts a team lead pinned for it (one per kind, ideally)."""
        pinned: dict[str, list[str]] = {}
        for script in self.active():
            if script.pinned:
                for reason in script.reasons:
                    pinned.setdefault(reason, []).append(script.id)
        return {reason: tuple(ids) for reason, ids in pinned.items()}

    def __iter__(self) -> Iterator[TalkScript]:
        return iter(self.scripts())

    def __len__(self) -> int:
        return len(self._by_id)


def default_root() -> Path:
    """``$WORKBENCH_TALKSCRIPTS_DIR`` or ``./talkscripts``."""
    return Path(os.environ.get("WORKBENCH_TALKSCRIPTS_DIR", "talkscripts"))
