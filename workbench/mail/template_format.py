"""The email template file format: parse ``talkscripts/email/<language>/<id>.md`` and render it.

The format follows the talk scripts (``key: value`` front matter, ``## section`` parts)
with a ``subject`` key and two sections: ``text`` (required) and ``html`` (optional).
Every part is a Jinja template in the talk scripts' sandbox with strict undefined values;
the HTML part escapes what it prints.  A template is served only when the linter
(`workbench.mail.template_lint`) finds no error, which includes the law (特定電子メール法):
the text part must show the sender and how to unsubscribe.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Template

from workbench.domain.codes import REASON_SET
from workbench.talk import filters
from workbench.talk.i18n import msg
from workbench.talk.model import SCRIPT_KINDS, SCRIPT_LANGUAGES, LintIssue, script_version
from workbench.talk.parse import Issues, split_list, unquote
from workbench.talk.render import (
    OFFER_KEYS,
    Missing,
    Offer,
    TalkEnvironment,
    describe_error,
    error_line,
    make_environment,
    tidy,
)

EMAIL_PURPOSES: tuple[str, ...] = ("first", "reminder", "followup")
EMAIL_SECTIONS: tuple[str, ...] = ("text", "html")
KNOWN_KEYS: frozenset[str] = frozenset(
    {"id", "title", "reasons", "kind", "language", "subject", "active", "variant_group",
     "purpose", "description"}
)  # fmt: skip
REQUIRED_KEYS: tuple[str, ...] = ("id", "title", "reasons", "kind", "language", "subject")
# The variables of `email_variables`, each documented in talkscripts/email/README.md.
EMAIL_VARIABLES: frozenset[str] = frozenset(
    {"customer_name", "kind", "company_name", "rep_name", "category_label", "months_dormant",
     "unsubscribe_url", "unsubscribe_mailto", "sender_address", "postal_address", "language",
     "offer", "addressee"}
)  # fmt: skip

_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_HEADING = re.compile(r"^##(?!#)\s*(.*?)\s*$")
_SECTION_ID = re.compile(r"^([a-z][a-z0-9_]*)(?:\s|$)")
_TRUE, _FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}


def _html_environment() -> TalkEnvironment:
    env = make_environment()
    env.autoescape = True  # read when a template is compiled, so set before any
    return env


TEXT_ENV, HTML_ENV = make_environment(), _html_environment()


@dataclass(frozen=True)
class EmailTemplate:
    """One template file; ``*_line`` are the file lines where each part's template starts."""

    id: str
    version: str
    title: str
    reasons: tuple[str, ...]
    kind: str
    language: str
    purpose: str
    subject: str
    text: str
    html: str | None
    active: bool
    variant_group: str | None
    path: Path
    subject_line: int = 1
    text_line: int = 1
    html_line: int = 1
    description: str = ""
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)

    def serves(self, reason: str, kind: str) -> bool:
        return reason in self.reasons and self.kind in (kind, "any")

    def line_of(self, key: str) -> int:
        """Line of a front-matter key (1 = the opening ``---`` when the key is absent)."""
        return self.key_lines.get(key, 1)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None


class EmailRenderError(ValueError):
    """A part failed to render; the message names the file and line."""

    def __init__(self, path: Path, line: int, part: str, detail: str) -> None:
        self.path, self.line, self.part, self.detail = path, line, part, detail
        super().__init__(f"{path}:{line}: {msg('mail.render', part=part, detail=detail)}")


def _front_matter(
    lines: list[str], issues: Issues
) -> tuple[dict[str, str], dict[str, int], int] | None:
    """(values, key lines, index of the first body line), or None when absent or unclosed."""
    if not lines or lines[0].strip() != "---":
        issues.add(1, "front-matter", "fm.missing")
        return None
    values: dict[str, str] = {}
    key_lines: dict[str, int] = {}
    found = Issues(issues.path)
    for index in range(1, len(lines)):
        text, lineno = lines[index].strip(), index + 1
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
        values[key], key_lines[key] = value, lineno
    issues.add(1, "front-matter", "fm.unclosed")  # else every body line would look malformed
    return None


def _check_values(
    path: Path, values: dict[str, str], lines: dict[str, int], issues: Issues
) -> None:
    for key in REQUIRED_KEYS:
        if key not in values:
            issues.add(1, "front-matter", "fm.required", key=key)
        elif not values[key]:
            issues.add(lines[key], "front-matter", "fm.empty", key=key)
    template_id = values.get("id", "")
    if template_id and not _ID.match(template_id):
        issues.add(lines["id"], "front-matter", "fm.bad_id", value=template_id)
    elif template_id and template_id != path.stem:
        issues.add(lines["id"], "id-filename", "fm.id_filename", warn=True, value=template_id)
    kind, language = values.get("kind", ""), values.get("language", "")
    if kind and kind not in SCRIPT_KINDS:
        issues.add(lines["kind"], "front-matter", "fm.bad_kind", value=kind)
    if language and language not in SCRIPT_LANGUAGES:
        issues.add(lines["language"], "front-matter", "fm.bad_language", value=language)
    elif language and path.parent.name in SCRIPT_LANGUAGES and path.parent.name != language:
        issues.add(lines["language"], "front-matter", "fm.language_dir", value=language,
                   folder=path.parent.name)  # fmt: skip
    purpose = values.get("purpose", "")
    if purpose and purpose not in EMAIL_PURPOSES:
        issues.add(lines["purpose"], "front-matter", "mail.bad_purpose", value=purpose)
    for reason in split_list(values.get("reasons", "")):
        if reason not in REASON_SET:
            issues.add(lines["reasons"], "unknown-reason", "reason.unknown", value=reason)
    raw = values.get("active", "").lower()
    if raw and raw not in _TRUE | _FALSE:
        issues.add(lines["active"], "front-matter", "fm.bad_bool", key="active", value=raw)


def _sections(lines: list[str], start: int, issues: Issues) -> dict[str, tuple[int, str]]:
    """section id → (file line of its first body line, its template source)."""
    found: dict[str, tuple[int, str]] = {}
    current: str | None = None
    first, body = 0, list[str]()

    def flush() -> None:
        if current is not None:
            found[current] = (first, "\n".join(body))

    for index in range(start, len(lines)):
        heading = _HEADING.match(lines[index])
        if heading is None:
            body.append(lines[index])
            continue
        flush()
        current, first, body, lineno = None, index + 2, [], index + 1
        match = _SECTION_ID.match(heading.group(1))
        if match is None:
            issues.add(lineno, "section-heading", "sec.no_id", text=lines[index].strip())
        elif match.group(1) not in EMAIL_SECTIONS:
            issues.add(lineno, "section-heading", "mail.sec_unknown", section=match.group(1))
        elif match.group(1) in found:
            issues.add(lineno, "duplicate-section", "sec.dup", section=match.group(1))
        else:
            current = match.group(1)
    flush()
    return found


def parse_email_template(path: Path, data: bytes) -> tuple[EmailTemplate | None, list[LintIssue]]:
    """Parse file bytes leniently: a template (defaults where broken) and every issue found.

    A template with an error-level issue must not be served (see `load_email_templates`).
    """
    issues = Issues(path)
    try:
        lines = data.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        issues.add(1, "front-matter", "io.encoding")
        return None, issues.items
    front = _front_matter(lines, issues)
    if front is None:
        return None, issues.items
    values, key_lines, start = front
    _check_values(path, values, key_lines, issues)
    parts = _sections(lines, start, issues)
    if "text" not in parts:
        issues.add(start + 1, "missing-section", "mail.no_text")
    elif not parts["text"][1].strip():
        issues.add(parts["text"][0] - 1, "missing-section", "mail.no_text")
    text_line, text = parts.get("text", (start + 1, ""))
    html_line, html = parts.get("html", (0, None))
    language = values.get("language", "")
    return EmailTemplate(
        id=values.get("id") or path.stem,
        version=script_version(data),
        title=values.get("title", ""),
        reasons=split_list(values.get("reasons", "")),
        kind=values.get("kind") or "any",
        language=language if language in SCRIPT_LANGUAGES else "ja",
        purpose=values.get("purpose") or "first",
        subject=values.get("subject", ""),
        text=text,
        html=html,
        active=values.get("active", "true").lower() not in _FALSE,
        variant_group=values.get("variant_group") or None,
        path=path,
        subject_line=key_lines.get("subject", 1),
        text_line=text_line,
        html_line=html_line,
        description=values.get("description", ""),
        key_lines=key_lines,
    ), issues.items


@lru_cache(maxsize=2048)
def compile_part(source: str, html: bool = False) -> Template:
    """Compile (and cache) one part; raises TemplateSyntaxError."""
    return (HTML_ENV if html else TEXT_ENV).from_string(source)


def render_part(template: EmailTemplate, part: str, variables: Mapping[str, Any]) -> str:
    """Render ``subject``, ``text`` or ``html`` (tidied); raises `EmailRenderError`."""
    source, first = {
        "subject": (template.subject, template.subject_line),
        "text": (template.text, template.text_line),
        "html": (template.html or "", template.html_line),
    }[part]
    try:
        rendered = compile_part(source, part == "html").render(dict(variables))
    except Exception as exc:  # noqa: BLE001 - every failure is reported with its line
        line = first + (error_line(exc) or 1) - 1
        raise EmailRenderError(template.path, line, part, describe_error(exc)) from exc
    return rendered.strip() if part == "html" else tidy(rendered)


def render_email(template: EmailTemplate, variables: Mapping[str, Any]) -> RenderedEmail:
    """Subject, text and HTML for one customer; raises `EmailRenderError` naming file:line."""
    subject = render_part(template, "subject", variables)
    if "\n" in subject or not subject:
        raise EmailRenderError(
            template.path, template.subject_line, "subject", msg("mail.subject_one_line")
        )
    text = render_part(template, "text", variables)
    html = render_part(template, "html", variables) if template.html is not None else None
    return RenderedEmail(subject, text, html)


def _missing(name: str) -> Missing:
    return Missing(hint=f"'{name}' が未設定です / '{name}' is not set", name=name)


def _offer(offer: Mapping[str, Any] | None) -> Offer | Missing:
    if not offer:
        return _missing("offer")
    view = Offer({key: _missing(f"offer.{key}") for key in OFFER_KEYS})
    for key, value in offer.items():
        view[key] = _missing(f"offer.{key}") if value in (None, "") else value
    return view


def _addressee(customer_name: str, kind: str, language: str) -> str | Missing:
    name = customer_name.strip()
    if not name:
        return _missing("customer_name")
    if language == "en":
        return name
    return f"{name} ご担当者様" if kind == "b2b" else filters.honorific(name)


def email_variables(
    *,
    customer_name: str,
    kind: str,
    company_name: str,
    rep_name: str | None,
    category_label: str | None,
    months_dormant: int | None,
    unsubscribe_url: str | None,
    unsubscribe_mailto: str,
    sender_address: str,
    language: str,
    offer: Mapping[str, Any] | None = None,
    postal_address: str | None = None,
) -> dict[str, Any]:
    """The variables a template sees; ``None`` and ``''`` become missing values (false in
    ``{% if %}``, an error when printed).  ``addressee`` is derived: 佐藤 花子様, or
    株式会社山田商事 ご担当者様 for a B2B account (the name alone in English).
    ``postal_address`` is the sender's postal address, which the law also asks for."""
    raw: dict[str, Any] = {
        "customer_name": customer_name, "kind": kind, "company_name": company_name,
        "rep_name": rep_name, "category_label": category_label, "months_dormant": months_dormant,
        "unsubscribe_url": unsubscribe_url, "unsubscribe_mailto": unsubscribe_mailto,
        "sender_address": sender_address, "postal_address": postal_address, "language": language,
    }  # fmt: skip
    values = {key: _missing(key) if value in (None, "") else value for key, value in raw.items()}
    values["offer"] = _offer(offer)
    values["addressee"] = _addressee(customer_name, kind, language)
    return values


def read_email_template(path: Path) -> tuple[EmailTemplate | None, list[LintIssue]]:
    """Parse one file; an unreadable one is an ``io`` issue on line 0."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        known = {FileNotFoundError: "io.not_found", IsADirectoryError: "io.directory",
                 PermissionError: "io.permission"}  # fmt: skip
        reason = known.get(type(exc))
        detail = msg(reason) if reason else exc.strerror or str(exc)
        return None, [LintIssue(path, 0, "io", msg("io.read", detail=detail))]
    return parse_email_template(path, data)
