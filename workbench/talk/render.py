"""Render talk-script sections for the operator screen.

Templates run in Jinja2's immutable sandbox with strict undefined values and no
autoescaping (the output is terminal text). The screen-level functions never raise: a
failing section comes back as a :class:`RenderedSection` with ``error`` set and the raw
section text, so the operator can still read the script.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, pass_context
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from workbench.talk import filters
from workbench.talk.i18n import msg, reason_label
from workbench.talk.model import Branch, TalkScript

_MAX_REPEAT = 10_000
_MAX_EXPONENT = 64
OFFER_KEYS: tuple[str, ...] = ("name", "discount", "price", "deadline", "note")


class Missing(StrictUndefined):
    """A value the caller did not supply: false in ``{% if %}``, an error when printed.

    Blank placeholders read aloud are a known failure of call scripts, so an empty
    field fails like an undefined one unless the script tests it first.
    """

    __slots__ = ()

    def __bool__(self) -> bool:  # type: ignore[override]
        return False


def _missing(name: str) -> Missing:
    return Missing(hint=f"'{name}' が未設定です / '{name}' is not set", name=name)


class Offer(dict[str, Any]):
    """The offer as scripts see it: ``{{ offer }}`` prints its name; absent keys are Missing."""

    def __str__(self) -> str:
        return str(self["name"])


@dataclass(frozen=True)
class ScriptContext:
    """Everything a script may refer to; each field is a template variable of the same name.

    Empty strings and ``None`` become *missing* values (false in ``{% if %}``, an error
    when printed). Derived variables: ``addressee`` (how to address the customer, e.g.
    佐藤 花子様 or 株式会社山田商事の田中 一郎様) and ``reason_label``.
    """

    customer_name: str = ""  # B2C: the person; B2B: the account (usually the company)
    customer_kana: str = ""  # reading of the name, for the operator
    kind: str = "b2c"  # b2c or b2b
    customer_company: str = ""  # B2B: the customer's organisation (defaults to customer_name)
    contact_person: str = ""  # B2B: the person we speak to
    previous_rep: str = ""  # our former sales rep (or their former contact), for hand-overs
    operator: str = ""  # the caller's name (特定商取引法16条: must be stated)
    company: str = ""  # our company's name (must be stated)
    purpose: str = ""  # overrides the script's front-matter purpose when set
    last_purchase_date: date | None = None
    last_category: str = ""  # product category of the last purchase
    months_dormant: int | None = None  # whole months since the last purchase
    lifecycle: str = ""  # workbench.domain.codes.LifecycleState value
    reason: str = "unknown"  # dormancy reason code heard or recorded
    offer: Mapping[str, Any] | str | None = None  # keys: name, discount, price, deadline, note
    language: str = "ja"
    today: date | None = None  # defaults to date.today()
    # The day the reason this customer left for was fixed (`workbench reasons fix`), if it was.
    reason_fixed_on: date | None = None

    def to_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            values[item.name] = _missing(item.name) if value in (None, "") else value
        if self.kind == "b2b" and not self.customer_company and self.customer_name:
            values["customer_company"] = self.customer_name
        if self.today is None:
            values["today"] = date.today()
        values["offer"] = _offer(self.offer)
        values["addressee"] = _addressee(values, self.language, self.kind)
        values["reason_label"] = reason_label(self.reason, self.language)
        return values


CONTEXT_VARIABLES: frozenset[str] = frozenset(
    {item.name for item in fields(ScriptContext)} | {"addressee", "reason_label"}
)


def _offer(offer: Mapping[str, Any] | str | None) -> Offer | Missing:
    if offer is None or offer == "" or (isinstance(offer, Mapping) and not offer):
        return _missing("offer")
    raw: Mapping[str, Any] = {"name": offer} if isinstance(offer, str) else offer
    view = Offer({key: _missing(f"offer.{key}") for key in OFFER_KEYS})
    for key, value in raw.items():
        view[key] = _missing(f"offer.{key}") if value in (None, "") else value
    return view


def _addressee(values: Mapping[str, Any], language: str, kind: str) -> Any:
    org, person = values["customer_company"], values["contact_person"]
    if kind != "b2b":
        name = values["customer_name"]
        if not name:
            return _missing("customer_name")
        return name if language == "en" else filters.honorific(name)
    if language == "en":
        if person and org:
            return f"{person} at {org}"
        return person or (f"the person in charge at {org}" if org else _missing("contact_person"))
    if person:
        return f"{org}の{filters.honorific(person)}" if org else filters.honorific(person)
    return f"{org}のご担当者様" if org else _missing("contact_person")


def _language(ctx: Context) -> str:
    value = ctx.get("language")
    return value if isinstance(value, str) else "ja"


@pass_context
def _sama(ctx: Context, value: object, org: bool = False) -> str:
    return filters.honorific(value, org=org, language=_language(ctx))


@pass_context
def _jdate(ctx: Context, value: object, era: bool = False, weekday: bool = False) -> str:
    return filters.format_jdate(value, era=era, weekday=weekday, language=_language(ctx))


@pass_context
def _yen(ctx: Context, value: object, symbol: bool | None = None) -> str:
    return filters.format_yen(value, symbol=symbol, language=_language(ctx))


class TalkEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, plus a cap on ``*`` and ``**`` so a typo cannot build huge strings."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is too large")
        if operator == "*":
            for seq, count in ((left, right), (right, left)):
                sized = isinstance(seq, (str, list, tuple)) and isinstance(count, int)
                if sized and len(seq) * count > _MAX_REPEAT:
                    raise SecurityError("repetition result is too large")
        return super().call_binop(context, operator, left, right)


def make_environment() -> TalkEnvironment:
    env = TalkEnvironment(
        undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(
        {"sama": _sama, "jdate": _jdate, "yen": _yen, "add_months": filters.add_months}
    )
    return env


ENV = make_environment()
KNOWN_NAMES: frozenset[str] = CONTEXT_VARIABLES | frozenset(ENV.globals)


@lru_cache(maxsize=4096)
def compile_template(source: str) -> Template:
    """Compile (and cache) a section template; raises TemplateSyntaxError."""
    return ENV.from_string(source)


def tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def render_template(source: str, variables: Mapping[str, Any]) -> str:
    """Render one template; raises on any error (use the screen-level functions instead)."""
    return tidy(compile_template(source).render(dict(variables)))


def error_line(exc: BaseException) -> int | None:
    """1-based template line of a render or syntax error, when Jinja knows it."""
    if isinstance(exc, TemplateSyntaxError) and exc.lineno:
        return exc.lineno
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def describe_error(exc: BaseException) -> str:
    detail = exc.message if isinstance(exc, TemplateSyntaxError) else str(exc)
    if isinstance(exc, SecurityError):
        return msg("render.security", detail=detail)
    if isinstance(exc, UndefinedError):
        return msg("render.undefined", detail=detail)
    if isinstance(exc, TemplateSyntaxError):
        return msg("render.syntax", detail=detail)
    return msg("render.other", detail=f"{type(exc).__name__}: {detail}")


def script_variables(script: TalkScript, context: ScriptContext) -> dict[str, Any]:
    """The template variables for one script: the context plus its rendered purpose."""
    variables = context.to_dict()
    if isinstance(variables["purpose"], Missing) and script.purpose:
        try:
            variables["purpose"] = render_template(script.purpose, variables)
        except Exception as exc:  # noqa: BLE001 - surfaced where purpose is printed
            variables["purpose"] = Missing(hint=f"purpose: {describe_error(exc)}", name="purpose")
    return variables


@dataclass(frozen=True)
class RenderedSection:
    id: str
    title: str
    text: str
    branches: tuple[Branch, ...]
    error: str | None
    raw: str


def render_section(
    script: TalkScript,
    section_id: str,
    context: ScriptContext,
    variables: Mapping[str, Any] | None = None,
) -> RenderedSection:
    """Render one section; never raises."""
    section = script.section(section_id)
    if section is None:
        return RenderedSection(
            section_id, section_id, "", (), msg("render.no_section", section=section_id), ""
        )
    try:
        values = variables if variables is not None else script_variables(script, context)
        text, error = render_template(section.source, values), None
    except Exception as exc:  # noqa: BLE001 - the screen must keep working
        line = error_line(exc)
        where = (
            ""
            if line is None
            else msg("render.at_line", path=script.path, line=section.body_line + line - 1)
        )
        text, error = "", describe_error(exc) + where
    return RenderedSection(section.id, section.title, text, section.branches, error, section.raw)


def render_script(script: TalkScript, context: ScriptContext) -> list[RenderedSection]:
    """Render every section in file order; never raises."""
    try:
        variables: Mapping[str, Any] | None = script_variables(script, context)
    except Exception:  # noqa: BLE001 - each section then reports its own error
        variables = None
    return [render_section(script, s.id, context, variables) for s in script.sections]
