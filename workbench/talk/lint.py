"""Check talk scripts before they reach an operator.

Errors block a script (the library will not serve it); warnings are advice. Every issue
carries the real file line, front matter included.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

from jinja2 import meta, nodes
from jinja2.exceptions import TemplateAssertionError, TemplateSyntaxError

from workbench.talk.demo import DEMO_KINDS, demo_context
from workbench.talk.i18n import msg, ui_language
from workbench.talk.model import REQUIRED_SECTIONS, LintIssue, Section, Severity, TalkScript
from workbench.talk.parse import read_script
from workbench.talk.render import (
    ENV,
    KNOWN_NAMES,
    compile_template,
    error_line,
    render_template,
    script_variables,
)

ART16_VARIABLES: tuple[tuple[str, str], ...] = (
    ("company", "art16.company"),
    ("operator", "art16.operator"),
    ("purpose", "art16.purpose"),
)


def has_errors(issues: Iterable[LintIssue]) -> bool:
    return any(issue.severity is Severity.ERROR for issue in issues)


def _issue(script: TalkScript, line: int, code: str, text_id: str, **values: object) -> LintIssue:
    return LintIssue(script.path, line, code, msg(text_id, **values))


def _template_names(
    script: TalkScript, source: str, first_line: int, issues: list[LintIssue]
) -> set[str] | None:
    """Compile a template, report syntax and unknown names; return its free names."""
    try:
        compile_template(source)
        tree = ENV.parse(source)
    except TemplateSyntaxError as exc:
        line = first_line + (exc.lineno or 1) - 1
        detail = exc.message or str(exc)
        if isinstance(exc, TemplateAssertionError) and "filter" in detail.lower():
            issues.append(
                _issue(script, line, "unknown-filter", "tpl.unknown_filter", detail=detail)
            )
        else:
            issues.append(_issue(script, line, "syntax", "tpl.syntax", detail=detail))
        return None
    free = meta.find_undeclared_variables(tree)
    first_use: dict[str, int] = {}
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name in free:
            first_use.setdefault(node.name, node.lineno)
    for name in sorted(free - KNOWN_NAMES, key=lambda n: (first_use.get(n, 1), n)):
        line = first_line + first_use.get(name, 1) - 1
        issues.append(_issue(script, line, "unknown-variable", "tpl.unknown_var", name=name))
    return free


def _check_structure(script: TalkScript, issues: list[LintIssue]) -> None:
    ids = {section.id for section in script.sections}
    for required in REQUIRED_SECTIONS:
        if required not in ids:
            issues.append(
                _issue(script, script.body_line, "missing-section", "sec.missing", section=required)
            )
    opening = script.section("opening")
    if opening is not None and script.sections[0] is not opening:
        issues.append(_issue(script, opening.line, "art16", "sec.opening_first"))
    for section in script.sections:
        if not section.source.strip() and not section.branches:
            issues.append(
                LintIssue(
                    script.path,
                    section.line,
                    "empty-section",
                    msg("sec.empty", section=section.id),
                    Severity.WARNING,
                )
            )
        for branch in section.branches:
            if branch.target not in ids:
                issues.append(
                    _issue(
                        script, branch.line, "bad-branch", "branch.target", section=branch.target
                    )
                )


def _trial_render(script: TalkScript, sections: list[Section], issues: list[LintIssue]) -> None:
    """Render with every demo customer, with and without an offer, to catch runtime errors."""
    failed: set[str] = set()
    for kind in DEMO_KINDS:
        for with_offer in (True, False):
            demo = f"{kind}{'' if with_offer else ', offer なし'}"
            context = demo_context(
                kind,
                script.language,
                with_offer,
                script.reasons[0] if script.reasons else "unknown",
            )
            if script.purpose and "purpose" not in failed:
                try:
                    render_template(script.purpose, context.to_dict())
                except Exception as exc:  # noqa: BLE001 - reported as a lint issue
                    failed.add("purpose")
                    issues.append(
                        _issue(
                            script,
                            script.line_of("purpose"),
                            "render",
                            "tpl.render",
                            demo=demo,
                            detail=str(exc),
                        )
                    )
            if "purpose" in failed:
                return
            variables = script_variables(script, context)
            for section in sections:
                if section.id in failed:
                    continue
                try:
                    text = render_template(section.source, variables)
                except Exception as exc:  # noqa: BLE001 - reported as a lint issue
                    failed.add(section.id)
                    line = section.body_line + (error_line(exc) or 1) - 1
                    issues.append(
                        _issue(
                            script,
                            line,
                            "render",
                            "tpl.render",
                            demo=demo,
                            detail=f"{type(exc).__name__}: {exc}",
                        )
                    )
                    continue
                if (
                    section.id == "opening"
                    and "opening-spoken" not in failed
                    and _check_spoken(script, section, text, variables, issues)
                ):
                    failed.add("opening-spoken")


def _check_spoken(
    script: TalkScript,
    opening: Section,
    text: str,
    variables: dict[str, object],
    issues: list[LintIssue],
) -> bool:
    """The rendered opening must really say the names and purpose (not only mention them
    in a branch that is never taken). Returns True when an issue was added."""
    before = len(issues)
    for name, text_id in ART16_VARIABLES:
        value = variables.get(name)
        if isinstance(value, str) and value and value not in text:
            issues.append(_issue(script, opening.line, "art16", text_id))
    return len(issues) > before


def lint_script(script: TalkScript) -> list[LintIssue]:
    """Checks that need only this one script (no duplicate-id check)."""
    issues: list[LintIssue] = []
    _check_structure(script, issues)
    purpose_ok = True
    if script.purpose:
        before = len(issues)
        _template_names(script, script.purpose, script.line_of("purpose"), issues)
        purpose_ok = len(issues) == before
    renderable: list[Section] = []
    for section in script.sections:
        before = len(issues)
        free = _template_names(script, section.source, section.body_line, issues)
        if free is not None and section.id == "opening":
            for name, key in ART16_VARIABLES:
                if name not in free:
                    issues.append(_issue(script, section.line, "art16", key))
        if len(issues) == before:
            renderable.append(section)
    if purpose_ok:
        _trial_render(script, renderable, issues)
    return issues


def check_file(path: Path) -> tuple[TalkScript | None, list[LintIssue]]:
    """The script in `path` and its issues, remembered by (path, content, message language):
    compiling every template of a library is most of what loading it costs, and a
    long-lived process (the UI, the command server's children) meets the same files again."""
    try:
        data = path.read_bytes()
    except OSError:
        script, issues = _check(path)
        return script, list(issues)
    key = (str(path), hashlib.sha256(data).digest(), ui_language())
    found = _CHECKED.get(key)
    if found is None:
        found = _check(path)
        if len(_CHECKED) >= _CHECKED_KEPT:
            _CHECKED.clear()
        _CHECKED[key] = found
    return found[0], list(found[1])


_CHECKED: dict[tuple[str, bytes, str], tuple[TalkScript | None, tuple[LintIssue, ...]]] = {}
_CHECKED_KEPT = 512


def _check(path: Path) -> tuple[TalkScript | None, tuple[LintIssue, ...]]:
    script, issues = read_script(path)
    if script is not None:
        issues.extend(lint_script(script))
    return script, tuple(sorted(issues, key=lambda i: (i.line, i.code)))


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named directly, plus every ``*.md`` (except README.md) under directories."""
    for path in paths:
        if path.is_dir():
            for found in sorted(path.rglob("*.md")):
                if found.name.lower() != "readme.md" and found.is_file():
                    yield found
        else:
            yield path


def iter_script_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The talk scripts among `_files`: email templates (in an ``email`` folder) are not."""
    from workbench.mail.template_lint import is_email_template

    return (path for path in _files(paths) if not is_email_template(path))


def cross_check(scripts: Iterable[TalkScript]) -> list[LintIssue]:
    """Duplicate ids within a language (error) and competing pins for a reason (warning)."""
    issues: list[LintIssue] = []
    first: dict[tuple[str, str], TalkScript] = {}
    pins: dict[tuple[str, str], list[TalkScript]] = defaultdict(list)
    for script in scripts:
        key = (script.language, script.id)
        if key in first:
            issues.append(
                _issue(
                    script,
                    script.line_of("id"),
                    "duplicate-id",
                    "dup.id",
                    value=script.id,
                    other=first[key].path,
                )
            )
            continue
        first[key] = script
        if script.pinned and script.active:
            for reason in script.reasons:
                pins[(script.language, reason)].append(script)
    for (_, reason), pinned in pins.items():
        kinds = [s.kind for s in pinned]
        if len(pinned) > 1 and ("any" in kinds or len(set(kinds)) < len(kinds)):
            for script in pinned[1:]:
                issues.append(
                    LintIssue(
                        script.path,
                        script.line_of("pinned"),
                        "pin-conflict",
                        msg("pin.conflict", value=reason, other=", ".join(s.id for s in pinned)),
                        Severity.WARNING,
                    )
                )
    return issues


def check_paths(paths: Iterable[Path]) -> list[LintIssue]:
    """Lint files and directories, email templates included (by their own linter); returns
    every issue (errors and warnings) in file order."""
    paths = list(paths)
    issues: list[LintIssue] = []
    scripts: list[TalkScript] = []
    for path in iter_script_files(paths):
        script, found = check_file(path)
        issues.extend(found)
        if script is not None:
            scripts.append(script)
    issues.extend(cross_check(scripts))
    from workbench.mail.template_lint import check_email_files, is_email_template

    issues.extend(check_email_files(p for p in _files(paths) if is_email_template(p))[1])
    return sorted(issues, key=lambda i: (str(i.path), i.line, i.code))


def count_files(paths: Iterable[Path]) -> int:
    return sum(1 for _ in iter_script_files(paths))


def count_email_files(paths: Iterable[Path]) -> int:
    """The email templates `check_paths` lints besides the talk scripts."""
    from workbench.mail.template_lint import is_email_template

    return sum(1 for path in _files(paths) if is_email_template(path))
