"""Email templates for win-back mail: the API the escalation codes against.

Templates live in ``talkscripts/email/<language>/<id>.md`` (format and rendering:
`workbench.mail.template_format`; checks: `workbench.mail.template_lint`).  Only templates
the linter passes are loaded, and one is chosen per customer by Thompson sampling on its
outcomes, as talk scripts are.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path

from workbench.mail.template_format import (
    EMAIL_PURPOSES,
    EMAIL_VARIABLES,
    EmailRenderError,
    EmailTemplate,
    RenderedEmail,
    email_variables,
    parse_email_template,
    render_email,
)
from workbench.mail.template_lint import check_email_file, check_email_files
from workbench.talk.model import LintIssue
from workbench.talk.select import DEFAULT_EPSILON, thompson_pick

__all__ = [
    "EMAIL_PURPOSES",
    "EMAIL_VARIABLES",
    "EmailRenderError",
    "EmailTemplate",
    "RenderedEmail",
    "choose_email_template",
    "email_variables",
    "lint_email_file",
    "load_email_templates",
    "parse_email_template",
    "render_email",
]


def choose_email_template(
    templates: Sequence[EmailTemplate],
    *,
    reason: str,
    kind: str,
    purpose: str,
    stats: Mapping[tuple[str, str], tuple[int, int]],
    rng: random.Random,
    epsilon: float = DEFAULT_EPSILON,
) -> EmailTemplate | None:
    """The active template of ``purpose`` for the reason and kind, else one serving
    ``unknown``; among several, Thompson sampling on ``stats`` ((id, version) → (successes,
    sent)) as for talk scripts, with a uniform pick at rate ``epsilon``.  None when none fits."""
    if not 0.0 <= epsilon <= 1.0:
        raise ValueError(f"epsilon must be within [0, 1], got {epsilon}")
    pool = sorted((t for t in templates if t.active and t.purpose == purpose), key=lambda t: t.id)
    found = [t for t in pool if t.serves(reason, kind)]
    if not found and reason != "unknown":
        found = [t for t in pool if t.serves("unknown", kind)]
    if len(found) <= 1:
        return found[0] if found else None
    if rng.random() < epsilon:
        return rng.choice(found)
    return thompson_pick(found, stats, rng)


def lint_email_file(path: Path) -> list[LintIssue]:
    """Every issue of one file (errors and warnings), in line order; no duplicate-id check."""
    return check_email_file(path)[1]


def load_email_templates(root: Path, language: str) -> tuple[list[EmailTemplate], list[LintIssue]]:
    """The servable templates in ``root/email/<language>/*.md`` (root = the talkscripts
    folder) and every issue found; a file with an error, or a second file with an id
    already taken, is reported and not loaded."""
    folder = root / "email" / language
    paths = sorted(p for p in folder.glob("*.md") if p.is_file() and p.name.lower() != "readme.md")
    return check_email_files(paths)
