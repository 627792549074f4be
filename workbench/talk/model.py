"""Plain data types shared by the talk-script modules."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

REQUIRED_SECTIONS: tuple[str, ...] = ("opening", "hearing", "closing")
SCRIPT_KINDS: tuple[str, ...] = ("b2c", "b2b", "any")
SCRIPT_LANGUAGES: tuple[str, ...] = ("ja", "en")


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class LintIssue:
    """One finding of the linter; ``line`` is 1-based in the file (0 when it has no line)."""

    path: Path
    line: int
    code: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code}: {self.message}"


@dataclass(frozen=True)
class Branch:
    """A choice offered to the operator: go to ``target`` when ``label`` happens."""

    target: str
    label: str
    line: int


@dataclass(frozen=True)
class Section:
    """A ``## id title`` part of a script body.

    ``source`` is the Jinja template: the raw text with branch lines blanked, so template
    line N is file line ``body_line + N - 1``.
    """

    id: str
    title: str
    line: int
    body_line: int
    raw: str
    source: str
    branches: tuple[Branch, ...]


@dataclass(frozen=True)
class TalkScript:
    path: Path
    id: str
    title: str
    reasons: tuple[str, ...]
    kind: str
    language: str
    active: bool
    purpose: str
    version: str
    sections: tuple[Section, ...]
    variant_group: str | None = None
    pinned: bool = False
    dormant_months: tuple[int, int] | None = None
    description: str = ""
    body_line: int = 1  # first line after the front matter
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)

    def section(self, section_id: str) -> Section | None:
        for section in self.sections:
            if section.id == section_id:
                return section
        return None

    def line_of(self, key: str) -> int:
        """Line of a front-matter key (1 = the opening ``---`` when the key is absent)."""
        return self.key_lines.get(key, 1)

    def serves(self, reason: str, kind: str) -> bool:
        return reason in self.reasons and self.kind in (kind, "any")


def script_version(data: bytes) -> str:
    """First 12 hex digits of the sha256 of the file: editing a script starts a new series."""
    return hashlib.sha256(data).hexdigest()[:12]
