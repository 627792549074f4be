"""`stats scripts` / `stats emails` (issue #13 item 1): a total per script version with its
breakdown under it, `--by` refusing undocumented values, and tables that fit 80 columns
when piped, Japanese double-width text included.

The fixture: two scripts, three reasons each, known counts (figures computed by hand below).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len
from scipy import integrate, stats
from sqlalchemy import insert
from typer.testing import CliRunner

from workbench.cli.context import UserError
from workbench.cli.root import app
from workbench.services.script_stats import script_report, script_stats
from workbench.store.engine import make_engine
from workbench.store.models import ContactAttempt, Customer, OutboxMessage

AT = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
LONG = "b2b_contact_person_changed_followup"  # 35 characters: wraps at 80 columns
SHORT = "price_return_offer"
LONG_V, SHORT_V = "a1b2c3d4e5f6", "0f9e8d7c6b5a"
# (script, version, reason): (attempts, conversations, win-backs, yen per win-back)
COUNTS = {
    (LONG, LONG_V, "price"): (40, 30, 9, 5000),
    (LONG, LONG_V, "quality_dissatisfaction"): (8, 6, 2, 3000),
    (LONG, LONG_V, "unknown"): (5, 2, 0, 0),
    (SHORT, SHORT_V, "price"): (12, 10, 1, 8000),
    (SHORT, SHORT_V, "quality_dissatisfaction"): (6, 5, 2, 5000),
    (SHORT, SHORT_V, "unknown"): (3, 1, 0, 0),
}
FIELDS = {
    "level", "script_id", "version", "reason", "kind", "operator", "attempts", "contacts",
    "reactivations", "rate", "wilson_low", "wilson_high", "p_best", "revenue", "not_enough_data",
}  # fmt: skip


def _seed(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        ids = [
            conn.execute(
                insert(Customer.__table__)
                .values(external_id=f"S{k}", name=f"S{k}", kind=kind, email=f"s{k}@example.jp")
                .returning(Customer.__table__.c.id)
            ).scalar_one()
            for k, kind in enumerate(("b2b", "b2c"))
        ]
        rows = []
        for (script, version, reason), (tries, talks, wins, yen) in COUNTS.items():
            outcomes = ["reactivated"] * wins + ["not_interested"] * (talks - wins)
            outcomes += ["no_answer"] * (tries - talks)
            rows += [
                {"customer_id": ids[i % 2], "channel": "call", "at": AT, "operator": f"op0{i % 2 + 1}",
                 "outcome": outcome, "script_id": script, "script_version": version,
                 "reason": reason, "amount": yen if outcome == "reactivated" else None}
                for i, outcome in enumerate(outcomes)
            ]  # fmt: skip
        conn.execute(insert(ContactAttempt.__table__), rows)
        # Emails: 31 sent of one template (enough data), 4 of another (not enough).
        messages = []
        for template, sent in (
            ("usage_decreased_greeting_spring", 31),
            ("contact_changed_new_rep", 4),
        ):
            for n in range(sent):
                messages.append(
                    {"customer_id": ids[n % 2], "dedupe_key": f"{template}-{n}",
                     "message_id": f"<{template}-{n}@wb>", "to_address": "s@example.jp",
                     "template_id": template, "template_version": "9f8e7d6c5b4a",
                     "variant_group": "greeting", "subject": "件名", "body_text": "本文",
                     "status": "sent", "next_try_at": AT, "queued_at": AT,
                     "sent_at": AT - timedelta(days=3)}
                )  # fmt: skip
        conn.execute(insert(OutboxMessage.__table__), messages)
        events = [("usage_decreased_greeting_spring", n, "clicked") for n in range(6)]
        events += [("contact_changed_new_rep", 0, "replied")]
        conn.execute(insert(ContactAttempt.__table__), [
            {"customer_id": ids[n % 2], "channel": "email", "at": AT - timedelta(days=2),
             "outcome": outcome, "message_id": f"<{template}-{n}@wb>"}
            for template, n, outcome in events
        ])  # fmt: skip
    engine.dispose()


@pytest.fixture
def url(db_url: str) -> Iterator[str]:
    _seed(db_url)
    yield db_url


def run(url: str, *args: str, columns: int = 80, language: str = "ja") -> str:
    env = {"WORKBENCH_CONFIG": "/dev/null", "COLUMNS": str(columns), "WORKBENCH_LANGUAGE": language}
    result = CliRunner().invoke(app, ["--db", url, *args], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def json_lines(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _p_a_beats_b(a: tuple[int, int], b: tuple[int, int]) -> float:
    """P(rate A > rate B) under Beta(1 + s, 1 + n - s) posteriors, by numerical integration."""
    pa, pb = stats.beta(1 + a[0], 1 + a[1] - a[0]), stats.beta(1 + b[0], 1 + b[1] - b[0])
    return float(integrate.quad(lambda x: pa.pdf(x) * pb.cdf(x), 0, 1)[0])


def test_totals_match_hand_computation(url: str) -> None:
    engine = make_engine(url)
    groups = script_report(engine)
    assert [(g.total.script_id, g.total.version) for g in groups] == [
        (LONG, LONG_V),
        (SHORT, SHORT_V),
    ]
    long, short = groups
    # LONG: 40+8+5 = 53 attempts, 30+6+2 = 38 conversations, 9+2+0 = 11 win-backs,
    # 9×5,000 + 2×3,000 = 51,000 yen.  SHORT: 21, 16, 3 and 8,000 + 2×5,000 = 18,000 yen.
    t = long.total
    assert (t.attempts, t.contacts, t.reactivations, t.revenue) == (53, 38, 11, 51000)
    assert (t.reason, t.kind, t.operator) == (None, None, None)
    assert t.rate == pytest.approx(11 / 38)
    # Wilson, z = 1.959964, z² = 3.841459, p = 11/38 = 0.289474:
    # centre = (p + z²/76) / (1 + z²/38) = 0.340020 / 1.101091 = 0.308803
    # half = z·√(p(1−p)/38 + z²/5776) / 1.101091 = 1.959964 × 0.077962 / 1.101091 = 0.138771
    assert (round(t.wilson_low, 4), round(t.wilson_high, 4)) == (0.1700, 0.4476)
    assert not t.not_enough_data  # 38 conversations
    s = short.total
    assert (s.attempts, s.contacts, s.reactivations, s.revenue) == (21, 16, 3, 18000)
    # p = 3/16 = 0.1875: centre = (0.1875 + 0.120046) / 1.240091 = 0.248003,
    # half = 1.959964 × √(0.009521 + 0.003751) / 1.240091 = 0.182087
    assert (round(s.wilson_low, 4), round(s.wilson_high, 4)) == (0.0659, 0.4301)
    assert s.not_enough_data  # 16 conversations
    # P(best) among the scripts: P(Beta(12, 28) > Beta(4, 14)) = 0.7511 (integrated here).
    assert t.p_best is not None and s.p_best is not None
    assert t.p_best == pytest.approx(_p_a_beats_b((11, 38), (3, 16)), abs=0.01)
    assert t.p_best + s.p_best == pytest.approx(1.0)
    # The breakdown is today's per-reason rows, unchanged (there ordered by reason first).
    today = script_stats(engine, "reason")
    assert len(today) == 6 and set(long.breakdown) | set(short.breakdown) == set(today)
    assert [r.reason for r in long.breakdown] == ["price", "quality_dissatisfaction", "unknown"]
    with pytest.raises(ValueError):
        script_report(engine, "script")
    engine.dispose()


def test_json_total_rows_come_before_their_breakdown(url: str) -> None:
    rows = json_lines(run(url, "stats", "scripts", "--json"))
    assert [r["level"] for r in rows] == ["total", *["breakdown"] * 3] * 2
    for row in rows:
        assert set(row) == FIELDS
    total = rows[0]
    assert (total["script_id"], total["version"], total["reason"]) == (LONG, LONG_V, None)
    assert (total["attempts"], total["contacts"], total["reactivations"], total["revenue"]) == (
        53,
        38,
        11,
        51000,
    )
    assert round(total["wilson_low"], 4) == 0.1700 and total["not_enough_data"] is False
    breakdown = rows[1:4]
    assert sum(r["attempts"] for r in breakdown) == total["attempts"]
    assert [(r["reason"], r["attempts"], r["contacts"], r["reactivations"]) for r in breakdown] == [
        ("price", 40, 30, 9), ("quality_dissatisfaction", 8, 6, 2), ("unknown", 5, 2, 0),
    ]  # fmt: skip
    # --by operator: the same totals, broken down by reason and operator.
    by_operator = json_lines(run(url, "stats", "scripts", "--by", "operator", "--json"))
    totals = [r for r in by_operator if r["level"] == "total"]
    assert [(r["attempts"], r["contacts"]) for r in totals] == [(53, 38), (21, 16)]
    parts = [r for r in by_operator if r["level"] == "breakdown"]
    assert {r["operator"] for r in parts} == {"op01", "op02"}
    assert sum(r["attempts"] for r in parts) == 53 + 21


@pytest.mark.parametrize("value", ["script", "nosuch"])
def test_by_accepts_only_documented_values(url: str, value: str) -> None:
    env = {"WORKBENCH_CONFIG": "/dev/null"}
    result = CliRunner().invoke(app, ["--db", url, "stats", "scripts", "--by", value], env=env)
    assert isinstance(result.exception, UserError)
    message = str(result.exception)
    assert "\n" not in message and "reason, kind, operator" in message and repr(value) in message
    assert "指定できません" in message  # Japanese by default
    env["WORKBENCH_LANGUAGE"] = "en"
    english = CliRunner().invoke(app, ["--db", url, "stats", "scripts", "--by", value], env=env)
    assert "is not allowed; use one of: reason, kind, operator" in str(english.exception)


def test_by_refused_with_exit_2_through_the_entry_point(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli.root import main

    monkeypatch.setenv("WORKBENCH_CONFIG", "/dev/null")
    monkeypatch.setattr(
        "sys.argv", ["workbench", "--db", url, "stats", "scripts", "--by", "script"]
    )
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --by: 'script'") and err.count("\n") == 1


def _check_fits(text: str, width: int) -> list[str]:
    lines = text.splitlines()
    assert lines, "a table was printed"
    for line in lines:
        assert cell_len(line) <= width, line
        assert "…" not in line, line
    return lines


def test_scripts_table_fits_80_columns_piped(url: str) -> None:
    text = run(url, "stats", "scripts")
    lines = _check_fits(text, 80)
    header = lines[0]
    for label in (
        "スクリプト / 理由",
        "版",
        "架電",
        "接触",
        "再開",
        "再開率",
        "95%区間",
        "最良確率",
        "売上",
    ):
        assert label in header, label
    # The long id wraps after an underscore; its total row carries the figures.
    (first,) = [line for line in lines if line.startswith("b2b_contact_person_")]
    assert "changed_followup" in lines[lines.index(first) + 1]
    assert first.split()[1:] == ["a1b2c3d", "53", "38", "11", "28.9%", "[17-45%]", "75%", "¥5.1万"]
    (short,) = [line for line in lines if line.startswith(SHORT)]
    assert short.split()[1:] == [
        "0f9e8d7",
        "21",
        "16",
        "3",
        "18.8%",
        "[6-44%]",
        "データ不足",
        "¥1.8万",
    ]
    # Breakdown rows are indented under their script; 30 conversations earn a rank.
    price = [line for line in lines if line.startswith("  price")]
    assert price[0].split()[1:] == [
        "40",
        "30",
        "9",
        "30.0%",
        "[16-48%]",
        *price[0].split()[6:7],
        "¥4.5万",
    ]
    assert price[0].split()[6].endswith("%")
    assert "データ不足" in price[1]
    # A long reason wraps after its underscore, the continuation indented like it.
    (quality,) = [i for i, line in enumerate(lines) if line.startswith("  quality_")][:1]
    assert lines[quality + 1].startswith("  dissatisfaction")


def test_scripts_table_in_english_and_by_kind(url: str) -> None:
    english = _check_fits(run(url, "stats", "scripts", language="en"), 80)
    for label in (
        "Script / reason",
        "Dials",
        "Conv",
        "Won",
        "Rate",
        "95% CI",
        "P(best)",
        "Revenue",
    ):
        assert label in english[0], label
    assert any("not enough data" in line for line in english)
    assert any("¥51.0k" in line for line in english)
    by_kind = _check_fits(run(url, "stats", "scripts", "--by", "kind"), 80)
    assert "種別" in by_kind[0]
    assert any(line.startswith("  price") and " b2b " in line for line in by_kind)
    wide = run(url, "stats", "scripts", columns=200).splitlines()
    assert any(line.startswith(LONG + " ") for line in wide)  # room enough: not wrapped


def test_emails_table_fits_80_columns_piped(url: str) -> None:
    lines = _check_fits(run(url, "stats", "emails"), 80)
    for label in ("送信", "開封", "クリック", "返信", "反応率", "95%区間", "最良確率", "売上"):
        assert label in lines[0], label
    body = "\n".join(lines)
    assert "usage_" in body and "greeting_" in body and "spring" in body
    assert "テンプレート" in lines[0]  # the header is never broken
    # 6 of 31 clicked: 19.4 %, Wilson [0.0919, 0.3625] → [9-37%]; the other template has 4 sent.
    (spring,) = [line for line in lines if line.startswith("usage_")]
    assert "31" in spring.split() and "19.4%" in spring and "[9-37%]" in spring
    assert any("データ不足" in line for line in lines)
