"""Read one talk-script file: simple ``key: value`` front matter, then ``## section`` parts.

Parsing is lenient: it always tries to return a script (with defaults where the front
matter is broken) together with the issues found, so the linter can report everything in
one pass. A script with any error-level issue must not be served.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.domain.codes import REASON_SET
from workbench.talk.i18n import msg, section_title
from workbench.talk.model import (
    SCRIPT_KINDS,
    SCRIPT_LANGUAGES,
    Branch,
    LintIssue,
    Section,
    Severity,
    TalkScript,
    script_version,
)

KNOWN_KEYS: frozenset[str] = frozenset(
    {
        "id",
        "title",
        "reasons",
        "kind",
        "language",
        "active",
        "purpose",
        "variant_group",
        "pinned",
        "dormant_months",
        "description",
    }
)
REQUIRED_KEYS: tuple[str, ...] = ("id", "title", "reasons", "kind", "language", "purpose")

_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*$")
_HEADING_ID = re.compile(r"^([a-z][a-z0-9_]*)(?:\s*[:：|—–-]\s*|\s+|$)(.*)$")
_BRANCH = re.compile(r"^\s*->\s*(.*?)\s*$")
_BRANCH_BODY = re.compile(r"^([a-z][a-z0-9_]*)\s*[:：]\s*(.+)$")
_MONTHS = re.compile(r"^(\d{1,3})(?:\s*-\s*(\d{1,3}))?$")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class Issues:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.items: list[LintIssue] = []

    def add(self, line: int, code: str, text_id: str, warn: bool = False, **values: object) -> None:
        severity = Severity.WARNING if warn else Severity.ERROR
        self.items.append(LintIssue(self.path, line, code, msg(text_id, **values), severity))


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in re.split(r"[,、]", value) if part.strip())


def _read_front_matter(
    lines: list[str], issues: Issues
) -> tuple[dict[str, str], dict[str, int], int] | None:
    """Return (values, key lines, index of the first body line) or None when absent."""
    if not lines or lines[0].strip() != "---":
        issues.add(1, "front-matter", "fm.missing")
        return None
    values: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    found = Issues(issues.path)
    for index in range(1, len(lines)):
        text = lines[index].strip()
        lineno = index + 1
        if text == "---":
            issues.items.extend(found.items)
            return values, key_lines, index + 1
        if not text or text.startswith("#"):
            continue
        match = _KEY_LINE.match(text)
        if match is None:
            found.add(lineno, "front-matter", "fm.bad_line", text=text)
            continue
        key, value = match.group(1).lower(), unquote(match.group(2))
        if key in values:
            found.add(lineno, "front-matter", "fm.dup_key", key=key)
            continue
        if key not in KNOWN_KEYS:
            found.add(lineno, "unknown-key", "fm.unknown_key", warn=True, key=key)
        values[key] = value
        key_lines[key] = lineno
    # Without a closing line every body line would look malformed: report just this.
    issues.add(1, "front-matter", "fm.unclosed")
    return None


def _parse_bool(
    key: str, values: dict[str, str], lines: dict[str, int], issues: Issues, default: bool
) -> bool:
    raw = values.get(key)
    if raw is None or raw == "":
        return default
    lowered = raw.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    issues.add(lines[key], "front-matter", "fm.bad_bool", key=key, value=raw)
    return default


def _parse_months(
    values: dict[str, str], lines: dict[str, int], issues: Issues
) -> tuple[int, int] | None:
    raw = values.get("dormant_months", "")
    if not raw:
        return None
    match = _MONTHS.match(raw)
    if match is None or int(match.group(2) or match.group(1)) < int(match.group(1)):
        issues.add(lines["dormant_months"], "front-matter", "fm.bad_months", value=raw)
        return None
    low = int(match.group(1))
    return low, int(match.group(2) or low)


def _check_values(
    path: Path, values: dict[str, str], lines: dict[str, int], issues: Issues
) -> None:
    for key in REQUIRED_KEYS:
        if key not in values:
            issues.add(1, "front-matter", "fm.required", key=key)
        elif not values[key]:
            issues.add(lines[key], "front-matter", "fm.empty", key=key)
    script_id = values.get("id", "")
    if script_id and not _ID.match(script_id):
        issues.add(lines["id"], "front-matter", "fm.bad_id", value=script_id)
    elif script_id and script_id != path.stem:
        issues.add(lines["id"], "id-filename", "fm.id_filename", warn=True, value=script_id)
    kind = values.get("kind", "")
    if kind and kind not in SCRIPT_KINDS:
        issues.add(lines["kind"], "front-matter", "fm.bad_kind", value=kind)
    language = values.get("language", "")
    if language and language not in SCRIPT_LANGUAGES:
        issues.add(lines["language"], "front-matter", "fm.bad_language", value=language)
    elif language and path.parent.name in SCRIPT_LANGUAGES and path.parent.name != language:
        issues.add(
            lines["language"],
            "front-matter",
            "fm.language_dir",
            value=language,
            folder=path.parent.name,
        )
    for reason in split_list(values.get("reasons", "")):
        if reason not in REASON_SET:
            issues.add(lines["reasons"], "unknown-reason", "reason.unknown", value=reason)


def _parse_sections(
    lines: list[str], start: int, language: str, issues: Issues
) -> tuple[Section, ...]:
    sections: list[Section] = []
    seen: set[str] = set()
    current: tuple[str, str, int] | None = None  # id, title, heading line
    body: list[str] = []
    skipping = False

    def flush() -> None:
        if current is None:
            return
        section_id, title, heading_line = current
        source_lines: list[str] = []
        branches: list[Branch] = []
        for offset, text in enumerate(body):
            match = _BRANCH.match(text)
            if match is None:
                source_lines.append(text)
                continue
            source_lines.append("")
            lineno = heading_line + 1 + offset
            target = _BRANCH_BODY.match(match.group(1))
            if target is None:
                issues.add(lineno, "bad-branch", "branch.bad", text=text.strip())
            else:
                branches.append(Branch(target.group(1), target.group(2).strip(), lineno))
        sections.append(
            Section(
                section_id,
                title,
                heading_line,
                heading_line + 1,
                "\n".join(body),
                "\n".join(source_lines),
                tuple(branches),
            )
        )

    for index in range(start, len(lines)):
        lineno = index + 1
        heading = _HEADING.match(lines[index])
        if heading is None:
            if current is not None and not skipping:
                body.append(lines[index])
            continue
        flush()
        current, body, skipping = None, [], True
        match = _HEADING_ID.match(heading.group(1))
        if match is None:
            issues.add(lineno, "section-heading", "sec.no_id", text=lines[index].strip())
            continue
        section_id = match.group(1)
        if section_id in seen:
            issues.add(lineno, "duplicate-section", "sec.dup", section=section_id)
            continue
        seen.add(section_id)
        title = match.group(2).strip() or section_title(section_id, language)
        current, skipping = (section_id, title, lineno), False
    flush()
    return tuple(sections)


def parse_script(path: Path, data: bytes) -> tuple[TalkScript | None, list[LintIssue]]:
    """Parse file bytes; returns (script or None when unreadable, issues found)."""
    issues = Issues(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        issues.add(1, "front-matter", "io.encoding")
        return None, issues.items
    lines = text.splitlines()
    front = _read_front_matter(lines, issues)
    if front is None:
        return None, issues.items
    values, key_lines, body_start = front
    _check_values(path, values, key_lines, issues)
    language = values.get("language", "")
    language = language if language in SCRIPT_LANGUAGES else "ja"
    script = TalkScript(
        path=path,
        id=values.get("id") or path.stem,
        title=values.get("title", ""),
        reasons=split_list(values.get("reasons", "")),
        kind=values.get("kind", "any"),
        language=language,
        active=_parse_bool("active", values, key_lines, issues, True),
        purpose=values.get("purpose", ""),
        version=script_version(data),
        sections=_parse_sections(lines, body_start, language, issues),
        variant_group=values.get("variant_group") or None,
        pinned=_parse_bool("pinned", values, key_lines, issues, False),
        dormant_months=_parse_months(values, key_lines, issues),
        description=values.get("description", ""),
        body_line=body_start + 1,
        key_lines=key_lines,
    )
    return script, issues.items


def read_script(path: Path) -> tuple[TalkScript | None, list[LintIssue]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        # The system's reason is English: the common ones are said in the interface language.
        known = {FileNotFoundError: "io.not_found", IsADirectoryError: "io.directory",
                 PermissionError: "io.permission"}  # fmt: skip
        reason = known.get(type(exc))
        detail = msg(reason) if reason else exc.strerror or str(exc)
        return None, [LintIssue(path, 0, "io", msg("io.read", detail=detail))]
    return parse_script(path, data)
