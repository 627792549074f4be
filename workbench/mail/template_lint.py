"""Check email templates before they are sent.

Errors keep a template from being served; warnings are advice.  Beyond the format, the
checks are those of the talk-script linter (unknown variables and filters, a trial render
with sample customers) and the law: 特定電子メール法 requires every advertising email to
show the sender's name and contact and how to refuse further mail, so the text part must
print ``company_name``, ``sender_address`` and ``unsubscribe_mailto`` or ``unsubscribe_url``,
on every path through its ``{% if %}`` blocks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jinja2 import meta, nodes
from jinja2.exceptions import TemplateAssertionError, TemplateSyntaxError

from workbench.mail.template_format import (
    EMAIL_VARIABLES,
    HTML_ENV,
    TEXT_ENV,
    EmailRenderError,
    EmailTemplate,
    compile_part,
    email_variables,
    read_email_template,
    render_part,
)
from workbench.talk.demo import DEMO_KINDS, demo_context
from workbench.talk.i18n import msg
from workbench.talk.model import LintIssue, Severity

SENDER_VARIABLES: tuple[str, ...] = ("company_name", "sender_address")
UNSUBSCRIBE_VARIABLES: tuple[str, ...] = ("unsubscribe_mailto", "unsubscribe_url")
_SAMPLE_ADDRESSES = {
    "ja": ("info@midori-foods.example.jp", "unsubscribe@midori-foods.example.jp",
           "https://midori-foods.example.jp/unsubscribe/SAMPLE", "東京都千代田区丸の内1-1-1"),
    "en": ("hello@greentable.example.com", "unsubscribe@greentable.example.com",
           "https://greentable.example.com/unsubscribe/SAMPLE",
           "1-1-1 Marunouchi, Chiyoda-ku, Tokyo, Japan"),
}  # fmt: skip


def sample_variables(kind: str, language: str, full: bool = True) -> dict[str, Any]:
    """The linter's sample customer (the talk demo's); ``full=False`` leaves every optional
    value unset (no rep, category, months, offer, unsubscribe URL or postal address)."""
    demo = demo_context(kind, language, with_offer=full)
    sender, mailto, url, postal = _SAMPLE_ADDRESSES["en" if language == "en" else "ja"]
    offer = demo.offer if isinstance(demo.offer, dict) else None
    return email_variables(
        customer_name=demo.customer_name,
        kind=kind,
        company_name=demo.company,
        rep_name=demo.operator if full else None,
        category_label=demo.last_category if full else None,
        months_dormant=demo.months_dormant if full else None,
        unsubscribe_url=url if full else None,
        unsubscribe_mailto=mailto,
        sender_address=sender,
        language=language,
        offer=offer,
        postal_address=postal if full else None,
    )


def _issue(template: EmailTemplate, line: int, code: str, text_id: str, warn: bool = False,
           **values: object) -> LintIssue:  # fmt: skip
    severity = Severity.WARNING if warn else Severity.ERROR
    return LintIssue(template.path, line, code, msg(text_id, **values), severity)


def _names(
    template: EmailTemplate, source: str, first_line: int, html: bool, issues: list[LintIssue]
) -> set[str] | None:
    """Compile one part, report syntax errors and unknown names; return its free names."""
    try:
        compile_part(source, html)
        tree = (HTML_ENV if html else TEXT_ENV).parse(source)
    except TemplateSyntaxError as exc:
        line = first_line + (exc.lineno or 1) - 1
        detail = exc.message or str(exc)
        unknown_filter = isinstance(exc, TemplateAssertionError) and "filter" in detail.lower()
        code, text_id = ("unknown-filter", "tpl.unknown_filter") if unknown_filter else ("syntax", "tpl.syntax")  # fmt: skip
        issues.append(_issue(template, line, code, text_id, detail=detail))
        return None
    free = meta.find_undeclared_variables(tree)
    first_use: dict[str, int] = {}
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name in free:
            first_use.setdefault(node.name, node.lineno)
    for name in sorted(free - EMAIL_VARIABLES, key=lambda n: (first_use.get(n, 1), n)):
        line = first_line + first_use.get(name, 1) - 1
        issues.append(_issue(template, line, "unknown-variable", "tpl.unknown_var", name=name))
    return free


def _law_gaps(text: str, variables: dict[str, Any]) -> list[str]:
    """Which of sender / unsubscribe the rendered text fails to show."""
    gaps = []
    if not all(str(variables[name]) in text for name in SENDER_VARIABLES):
        gaps.append("law-sender")
    shown = [variables[n] for n in UNSUBSCRIBE_VARIABLES if isinstance(variables[n], str)]
    if not any(value in text for value in shown):
        gaps.append("law-unsubscribe")
    return gaps


_LAW_TEXT = {"law-sender": "mail.sender", "law-unsubscribe": "mail.unsubscribe"}


def _trial_render(template: EmailTemplate, parts: list[str], reported: set[str],
                  issues: list[LintIssue]) -> None:  # fmt: skip
    """Render with each sample customer the template serves, with every optional value and
    with none, to catch runtime errors, a subject over several lines and the law's gaps."""
    kinds = DEMO_KINDS if template.kind == "any" else (template.kind,)
    heading = template.text_line - 1
    for kind in kinds:
        for full in (True, False):
            demo = f"{kind}{'' if full else ', offer・URL なし / no offer, no URL'}"
            variables = sample_variables(kind, template.language, full)
            for part in parts:
                if part in reported:
                    continue
                try:
                    rendered = render_part(template, part, variables)
                except EmailRenderError as exc:
                    reported.add(part)
                    issues.append(_issue(template, exc.line, "render", "tpl.render", demo=demo,
                                         detail=exc.detail))  # fmt: skip
                    continue
                if part == "subject" and ("\n" in rendered or not rendered):
                    reported.add(part)
                    issues.append(_issue(template, template.subject_line, "subject",
                                         "mail.subject_lines", demo=demo))  # fmt: skip
                elif part == "text":
                    for code in _law_gaps(rendered, variables):
                        if code not in reported:
                            reported.add(code)
                            issues.append(_issue(template, heading, code, _LAW_TEXT[code]))
                elif (
                    part == "html" and _law_gaps(rendered, variables) and "law-html" not in reported
                ):
                    reported.add("law-html")
                    issues.append(_issue(template, template.html_line - 1, "law-html",
                                         "mail.html_law", warn=True))  # fmt: skip


def lint_template(template: EmailTemplate) -> list[LintIssue]:
    """The checks that need only this template (no duplicate-id check)."""
    issues: list[LintIssue] = []
    sources = [("subject", template.subject, template.subject_line, False),
               ("text", template.text, template.text_line, False)]  # fmt: skip
    if template.html is not None:
        sources.append(("html", template.html, template.html_line, True))
    parts: list[str] = []
    reported: set[str] = set()
    for part, source, first_line, html in sources:
        before = len(issues)
        free = _names(template, source, first_line, html, issues)
        if free is None:
            continue
        if len(issues) == before:  # an unknown name would only fail again in the trial render
            parts.append(part)
        if part == "text" and template.text.strip():
            if not all(name in free for name in SENDER_VARIABLES):
                reported.add("law-sender")
                issues.append(_issue(template, template.text_line - 1, "law-sender", "mail.sender"))
            if not any(name in free for name in UNSUBSCRIBE_VARIABLES):
                reported.add("law-unsubscribe")
                issues.append(
                    _issue(template, template.text_line - 1, "law-unsubscribe", "mail.unsubscribe")
                )
    if template.subject and template.text.strip():
        _trial_render(template, parts, reported, issues)
    return issues


def check_email_file(path: Path) -> tuple[EmailTemplate | None, list[LintIssue]]:
    """Read, parse and lint one file: (the template or None when unreadable, its issues)."""
    template, issues = read_email_template(path)
    if template is not None:
        issues.extend(lint_template(template))
    return template, sorted(issues, key=lambda i: (i.line, i.code))


def check_email_files(paths: Iterable[Path]) -> tuple[list[EmailTemplate], list[LintIssue]]:
    """(templates fit to serve, every issue): a file with an error is not served, nor a
    second file whose id its language already has (an error on its ``id`` line)."""
    served: list[EmailTemplate] = []
    issues: list[LintIssue] = []
    first: dict[tuple[str, str], EmailTemplate] = {}
    for path in paths:
        template, found = check_email_file(path)
        issues.extend(found)
        if template is None:
            continue
        key = (template.language, template.id)
        if key in first:
            issues.append(_issue(template, template.line_of("id"), "duplicate-id", "dup.id",
                                 value=template.id, other=first[key].path))  # fmt: skip
            continue
        first[key] = template
        if not any(issue.severity is Severity.ERROR for issue in found):
            served.append(template)
    return served, sorted(issues, key=lambda i: (str(i.path), i.line, i.code))


def is_email_template(path: Path) -> bool:
    """Files in an ``email`` folder of the scripts tree (``email/<language>/<id>.md``)."""
    parents = path.absolute().parents
    return any(parent.name == "email" for parent in list(parents)[:2])
