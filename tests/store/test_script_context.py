"""The talk-script context of a database customer, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from workbench.services.customers import classify_all
from workbench.services.script_context import build_context, months_between
from workbench.store.models import ContactAttempt, Customer, CustomerMetrics, Operator
from workbench.talk.library import ScriptLibrary
from workbench.talk.render import render_script

REPO = Path(__file__).parents[2]
AT = datetime.fromisoformat("2026-11-25T10:00+09:00")


def _seed(engine) -> None:  # type: ignore[no-untyped-def]
    c, m, a = Customer.__table__, CustomerMetrics.__table__, ContactAttempt.__table__
    with engine.begin() as conn:

        def customer(**values: object) -> int:
            return conn.execute(insert(c).values(**values).returning(c.c.id)).scalar_one()  # type: ignore[no-any-return]

        hanako = customer(external_id="P1", name="佐藤 花子", name_kana="サトウ ハナコ", kind="b2c")
        yamada = customer(external_id="B1", name="株式会社山田商事", kind="b2b", company="株式会社山田商事",
                          contact_person="田中 一郎", previous_rep="高橋")  # fmt: skip
        angry = customer(external_id="P2", name="鈴木 次郎", kind="b2c")
        conn.execute(insert(m), [
            # 2025-12-20 12:00 in Tokyo
            {"customer_id": hanako, "first_order_at": datetime(2024, 5, 1, tzinfo=UTC),
             "last_order_at": datetime(2025, 12, 20, 3, 0, tzinfo=UTC), "n_orders": 6, "monetary": 48000,
             "main_category": "有機野菜の定期便"},
            {"customer_id": yamada, "first_order_at": datetime(2026, 3, 10, 1, 0, tzinfo=UTC),
             "last_order_at": datetime(2026, 3, 10, 1, 0, tzinfo=UTC), "n_orders": 1, "monetary": 120000,
             "main_category": "業務用食材"},
            {"customer_id": angry, "first_order_at": datetime(2026, 10, 1, tzinfo=UTC),
             "last_order_at": datetime(2026, 10, 1, tzinfo=UTC), "n_orders": 1, "monetary": 3000,
             "main_category": None},
        ])  # fmt: skip
        conn.execute(insert(a), [
            {"customer_id": hanako, "channel": "call", "at": datetime(2026, 9, 1, 1, 0, tzinfo=UTC),
             "outcome": "callback", "reason": "usage_decreased"},
            {"customer_id": hanako, "channel": "call", "at": datetime(2026, 10, 1, 1, 0, tzinfo=UTC),
             "outcome": "not_interested", "reason": "price"},
            {"customer_id": hanako, "channel": "call", "at": datetime(2026, 10, 5, 1, 0, tzinfo=UTC),
             "outcome": "no_answer", "reason": None},
            # after the instant of the context: not heard yet
            {"customer_id": hanako, "channel": "call", "at": datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
             "outcome": "callback", "reason": "moved"},
            {"customer_id": angry, "channel": "call", "at": datetime(2026, 10, 20, tzinfo=UTC),
             "outcome": "complaint", "reason": "quality_dissatisfaction"},
        ])  # fmt: skip
        conn.execute(
            insert(Operator.__table__).values(
                code="op01", name="鈴木 一郎", language="ja", active=True
            )
        )


def test_b2c_context(engine, settings):
    _seed(engine)
    ctx = build_context(engine, settings, "P1", "op01", AT)
    assert (ctx.customer_name, ctx.customer_kana, ctx.kind) == ("佐藤 花子", "サトウ ハナコ", "b2c")
    assert (ctx.customer_company, ctx.contact_person, ctx.previous_rep) == ("", "", "")
    assert ctx.operator == "鈴木 一郎"
    assert ctx.company == settings.company_name
    assert ctx.purpose == ""  # each script's front matter supplies it
    assert ctx.last_purchase_date == date(2025, 12, 20)
    assert ctx.last_category == "有機野菜の定期便"
    assert ctx.months_dormant == 11
    assert ctx.lifecycle == "dormant"
    assert ctx.reason == "price"  # latest recorded reason up to AT; a call without one is skipped
    assert (ctx.language, ctx.today) == ("ja", date(2026, 11, 25))
    assert ctx.to_dict()["addressee"] == "佐藤 花子様"


def test_b2b_context_and_fallbacks(engine, settings):
    _seed(engine)
    with engine.connect() as conn:
        ctx = build_context(conn, settings, "B1", "op99", AT)
    assert (ctx.customer_name, ctx.kind, ctx.customer_company) == (
        "株式会社山田商事",
        "b2b",
        "株式会社山田商事",
    )
    assert (ctx.contact_person, ctx.previous_rep) == ("田中 一郎", "高橋")
    assert ctx.operator == "op99"  # not in the operators table: the code itself
    assert ctx.last_purchase_date == date(2026, 3, 10)
    assert ctx.months_dormant == 8
    assert ctx.lifecycle == "at_risk"
    assert ctx.reason == "unknown"
    assert build_context(engine, settings, "B1", None, AT).operator == ""


def test_lifecycle_agrees_with_the_customer_list(engine, settings):
    _seed(engine)
    listed = {s.external_id: s.state for s in classify_all(engine, settings, AT)}
    assert listed["P2"] == "churned"
    for external_id, state in listed.items():
        assert build_context(engine, settings, external_id, None, AT).lifecycle == state


def test_unknown_customer(engine, settings):
    with pytest.raises(LookupError, match="X404"):
        build_context(engine, settings, "X404", None, AT)


@pytest.mark.parametrize(("start", "end", "months"), [
    (date(2025, 12, 20), date(2026, 11, 25), 11),
    (date(2025, 12, 20), date(2026, 11, 19), 10),
    (date(2026, 1, 31), date(2026, 2, 28), 0),
    (date(2026, 5, 1), date(2026, 4, 1), 0),
])  # fmt: skip
def test_months_between(start, end, months):
    assert months_between(start, end) == months


@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_starter_script_renders_for_both_customers(engine, settings, language):
    _seed(engine)
    library = ScriptLibrary(REPO / "talkscripts", language)
    assert len(library) == 15 and not library.warnings
    for external_id in ("P1", "B1"):
        ctx = dataclasses.replace(
            build_context(engine, settings, external_id, "op01", AT), language=language
        )
        for script in library.scripts():
            for section in render_script(script, ctx):
                assert section.error is None, (external_id, script.id, section.id, section.error)
                assert section.text, (external_id, script.id, section.id)


@pytest.mark.parametrize(
    "language, labels, said",
    [("ja", {}, "暖房"), ("en", {}, "heating"), ("ja", {"heating": "暖房器具"}, "暖房器具")],
)
def test_scripts_say_the_category_label_not_its_code(engine, settings, language, labels, said):  # type: ignore[no-untyped-def]
    """「これまでのheatingの…」 was read aloud: the context carries the label the card shows."""
    from workbench.config import LabelSettings

    _seed(engine)
    m, c = CustomerMetrics.__table__, Customer.__table__
    with engine.begin() as conn:
        hanako = conn.execute(select(c.c.id).where(c.c.external_id == "P1")).scalar_one()
        conn.execute(m.update().where(m.c.customer_id == hanako).values(main_category="heating"))
    settings = dataclasses.replace(
        settings, language=language, labels=LabelSettings(categories_ja=labels)
    )
    ctx = build_context(engine, settings, "P1", "op01", AT)
    assert ctx.last_category == said
    library = ScriptLibrary(Path(__file__).resolve().parents[2] / "talkscripts", language)
    text = " ".join(s.text for s in render_script(library.get("b2c_usage_decreased"), ctx))
    assert said in text
    if language == "ja":
        assert "heating" not in text
