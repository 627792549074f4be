"""Rendering: filters, the starter set with demo customers, sandbox, readable errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from workbench.talk.demo import demo_context
from workbench.talk.filters import add_months, format_jdate, format_yen, honorific
from workbench.talk.lint import iter_script_files
from workbench.talk.parse import parse_script, read_script
from workbench.talk.render import (
    CONTEXT_VARIABLES,
    ScriptContext,
    render_script,
    render_section,
)

HERE = Path(__file__).parent
REPO = HERE.parents[2]
STARTER = sorted(iter_script_files([REPO / "talkscripts"]))


def test_jdate() -> None:
    day = date(2026, 11, 25)
    assert format_jdate(day) == "2026年11月25日"
    assert format_jdate(day, era=True) == "令和8年11月25日"
    assert format_jdate(date(2019, 5, 1), era=True) == "令和元年5月1日"
    assert format_jdate(date(2019, 4, 30), era=True) == "平成31年4月30日"
    assert format_jdate(day, weekday=True) == "2026年11月25日（水）"
    assert format_jdate("2026-11-25", language="en") == "November 25, 2026"
    assert format_jdate(day, weekday=True, language="en") == "Wed, November 25, 2026"


def test_yen() -> None:
    assert format_yen(12800) == "12,800円"
    assert format_yen(12800, symbol=True) == "¥12,800"
    assert format_yen("12800", language="en") == "¥12,800"
    assert format_yen(-500) == "-500円"
    with pytest.raises(TypeError):
        format_yen(date(2026, 1, 1))


def test_sama() -> None:
    assert honorific("佐藤 花子") == "佐藤 花子様"
    assert honorific("佐藤 花子様") == "佐藤 花子様"
    assert honorific("株式会社山田商事", org=True) == "株式会社山田商事 御中"
    assert honorific("Hannah Sato", language="en") == "Hannah Sato"


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2025, 12, 20), 12) == date(2026, 12, 20)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_context_dict_has_documented_variables() -> None:
    values = demo_context("b2b").to_dict()
    assert set(values) == CONTEXT_VARIABLES
    assert values["addressee"] == "株式会社山田商事の田中 一郎様"
    assert demo_context("b2c").to_dict()["addressee"] == "佐藤 花子様"
    assert demo_context("b2b", "en").to_dict()["addressee"] == "Ichiro Tanaka at Yamada Trading Co."
    account_only = ScriptContext(customer_name="山田商事", kind="b2b")
    assert account_only.to_dict()["addressee"] == "山田商事のご担当者様"


def test_starter_set_size_and_languages() -> None:
    by_language: dict[str, set[str]] = {}
    for path in STARTER:
        by_language.setdefault(path.parent.name, set()).add(path.stem)
    assert set(by_language) == {"ja", "en"}
    assert by_language["ja"] == by_language["en"]
    assert 12 <= len(by_language["ja"]) <= 16


@pytest.mark.parametrize("kind", ["b2c", "b2b"])
@pytest.mark.parametrize("with_offer", [True, False])
@pytest.mark.parametrize("path", STARTER, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_starter_script_renders(path: Path, kind: str, with_offer: bool) -> None:
    script, issues = read_script(path)
    assert script is not None and issues == []
    context = demo_context(kind, script.language, with_offer, script.reasons[0])
    sections = render_script(script, context)
    assert [s.id for s in sections] == [s.id for s in script.sections]
    for section in sections:
        assert section.error is None, f"{section.id}: {section.error}"
        assert "{{" not in section.text and "{%" not in section.text
        assert "->" not in section.text
    opening = sections[0]
    assert opening.id == "opening"
    assert context.company in opening.text and context.operator in opening.text


def _script(body: str):
    text = (
        "---\nid: t\ntitle: t\nreasons: price\nkind: any\nlanguage: ja\n"
        "purpose: テストのご案内のため\n---\n\n## opening\n" + body + "\n"
    )
    script, _ = parse_script(Path("t.md"), text.encode())
    assert script is not None
    return script


ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ self._TemplateReference__context }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ joiner.__init__.__globals__ }}",
    "{{ range.__self__ }}",
    "{{ offer.update({'name': 'x'}) }}",
    "{{ 'x' * 100000000 }}",
    "{{ 9 ** 9999999 }}",
    "{% for i in range(10**9) %}{% endfor %}",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_sandbox_escapes_are_refused_with_a_readable_error(template: str) -> None:
    script = _script("a\n" + template)
    section = render_section(script, "opening", demo_context("b2c"))
    assert section.error is not None
    assert section.text == ""
    assert section.raw.strip().endswith(template)
    assert "t.md 12行目" in section.error


def test_security_error_message_is_labelled() -> None:
    section = render_section(_script("{{ ''.__class__ }}"), "opening", demo_context("b2c"))
    assert section.error is not None and section.error.startswith("安全でない操作")


def test_undefined_and_missing_values_do_not_raise() -> None:
    script = _script("こんにちは\n{{ nosuch }}")
    [section] = render_script(script, demo_context("b2c"))
    assert section.error is not None and "nosuch" in section.error
    assert "12行目" in section.error
    missing = _script("{% if previous_rep %}{{ previous_rep }}{% else %}なし{% endif %}")
    assert render_script(missing, demo_context("b2c"))[0].text == "なし"
    blank = _script("前任は{{ previous_rep }}です")
    [section] = render_script(blank, demo_context("b2c"))
    assert section.error is not None and "previous_rep" in section.error


def test_syntax_error_is_returned_not_raised() -> None:
    [section] = render_script(_script("{% if %}"), demo_context("b2c"))
    assert section.error is not None and section.error.startswith("テンプレートの構文エラー")


def test_unknown_section() -> None:
    section = render_section(_script("a"), "nope", demo_context("b2c"))
    assert section.error is not None and section.text == ""


def test_context_purpose_overrides_front_matter() -> None:
    script = _script("{{ purpose }}")
    ctx = demo_context("b2c")
    assert render_script(script, ctx)[0].text == "テストのご案内のため"
    custom = ScriptContext(**{**ctx.__dict__, "purpose": "特別なご案内のため"})
    assert render_script(script, custom)[0].text == "特別なご案内のため"


def test_filters_in_templates_follow_script_language() -> None:
    script = _script(
        "{{ last_purchase_date | jdate(era=true) }} {{ 12800 | yen }} {{ customer_name | sama }}"
    )
    text = render_script(script, demo_context("b2c"))[0].text
    assert text == "令和7年12月20日 12,800円 佐藤 花子様"
    en = demo_context("b2c", "en")
    script_en = _script("{{ last_purchase_date | jdate }} {{ 12800 | yen }}")
    assert render_script(script_en, en)[0].text == "December 20, 2025 ¥12,800"


def test_output_is_not_html_escaped() -> None:
    ctx = ScriptContext(customer_name="<A&B>", operator="o", company="c")
    assert render_script(_script("{{ customer_name }}"), ctx)[0].text == "<A&B>"
