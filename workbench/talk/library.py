"""The scripts of one language, loaded from ``<root>/<language>/*.md`` with hot reload.

A file is re-read when its mtime or size changes. An edit that fails the linter does not
replace the last good version: the library keeps serving it and reports a warning naming
the file and line, so a team lead's typo never blanks an operator's screen.

Several readers share one library in a process (the queue's pick, the call view, the
CLI), and whichever reloads first sees the warnings.  So besides returning them, each
reload appends its warnings and the ids of the scripts it changed to a news log; a reader
keeps its own `mark` and asks `news_since(mark)`, and no reload consumes another's news.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.talk.i18n import msg
from workbench.talk.lint import check_file
from workbench.talk.model import LintIssue, Severity, TalkScript

Signature = tuple[int, int]
NEWS_KEPT = 500  # log entries kept; a reader further behind gets the newest ones


@dataclass(frozen=True)
class LibraryNews:
    """What changed since a reader's mark: warnings (file and line) and the script ids whose
    served version was added, changed or removed."""

    mark: int
    warnings: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()


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
        self._lock = threading.RLock()  # readers in worker threads reload the same library
        self._news: list[tuple[str, str]] = []  # ("warning", text) or ("updated", script id)
        self._news_start = 0  # the mark of `_news[0]`
        self._problems: dict[Path, str] = {}  # files not served as saved: their warning
        self._loaded = False  # the first load updates nothing a reader has seen
        self.warnings: list[str] = self.reload_if_changed()
        self._loaded = True

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
            self._problems.pop(path, None)
            return None
        first = errors[0] if errors else LintIssue(path, 0, "io", "?")
        key = "lib.kept" if path in self._good else "lib.skipped"
        warning = msg(key, path=path, line=first.line, detail=f"{first.code}: {first.message}")
        self._problems[path] = warning
        return warning

    def reload_if_changed(self) -> list[str]:
        """Pick up edited, new and removed files; returns warnings (empty when all is well).

        The same warnings, and the ids of changed scripts, go to the news log for every
        reader (`news_since`), so a reload elsewhere in the process hides nothing.
        """
        with self._lock:
            before = {sid: s.version for sid, s in self._by_id.items()}
            warnings = self._reload()
            after = {sid: s.version for sid, s in self._by_id.items()}
            updated = (
                sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
                if self._loaded
                else []
            )
            self._record([("warning", w) for w in warnings] + [("updated", k) for k in updated])
            return warnings

    def _record(self, entries: list[tuple[str, str]]) -> None:
        self._news.extend(entries)
        extra = len(self._news) - NEWS_KEPT
        if extra > 0:
            del self._news[:extra]
            self._news_start += extra

    def news_since(self, mark: int | None = None) -> LibraryNews:
        """Warnings and updated script ids logged after `mark`; the answer's `mark` is where
        the next question starts.  A new reader (`mark` None) hears of the files that are
        broken now, and of nothing older."""
        with self._lock:
            end = self._news_start + len(self._news)
            if mark is None:
                return LibraryNews(end, tuple(self._problems[p] for p in sorted(self._problems)))
            entries = self._news[max(0, mark - self._news_start) :]
        warnings = tuple(text for kind, text in entries if kind == "warning")
        updated = tuple(dict.fromkeys(text for kind, text in entries if kind == "updated"))
        return LibraryNews(end, warnings, updated)

    def _reload(self) -> list[str]:
        warnings: list[str] = []
        current = self._files()
        changed = False
        for path in set(self._seen) - set(current):
            del self._seen[path]
            self._problems.pop(path, None)
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
