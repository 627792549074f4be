"""The CLI's people-facing tables speak the configured language: `customers`, `customers show`,
`queue` and `queue --explain` in Japanese (the default) and in English (`language = "en"`).

A real SQLite database: a small demo history ending 30 June 1998, plus one customer of our
own (a private customer, a Tokyo landline, one heating order on 1 October 1997, one
unanswered call on 10 June 1998 where a life-stage change was heard).  Thursday 2 July
1998 10:00 in Tokyo is inside the calling window; Wednesday 21:00 is after it.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from workbench.cli.root import app

CUSTOMER = "TL0001"
NIGHT = "1998-07-01T21:00:00+09:00"  # Wednesday, after the window
MORNING = "1998-07-02T10:00:00+09:00"  # Thursday, inside it

# The old English headers and phrases: none may show in the Japanese tables.
ENGLISH = (
    "Name", "Kind", "State", "Days", "Orders", "Spend", "Phone", "customers", "state", "orders",
    "spend", "phone", "Purchases", "Contacts", "Ordered", "Amount", "Category", "Product",
    "Source", "At", "Channel", "Outcome", "Operator", "Reason", "Note", "Score", "Value",
    "P(back)", "P(answer)", "Local", "Script", "nothing", "callable", "becomes", "next",
    "Thu", "Wed", "heating", "import", "call", "fixed_line", "b2c", "no_answer", "heard",
    "guessed", "life_stage_change", "outside_window", "refused", "retired",
)  # fmt: skip
# Codes the Japanese tables show only beside their words (the customers' `--state` codes).
STATE_CODES = ("active", "at_risk", "dormant", "churned", "prospect")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("tables_language")
    url = f"sqlite:///{folder / 'tables.db'}"
    run(url, "ja", "demo", "--customers", "40", "--seed", "3", "--today", "1998-06-30")
    files = {
        "customers": f"customer_id,name,kind,phone\n{CUSTOMER},言語 確認,b2c,03-5555-0101\n",
        "transactions": "customer_id,ordered_at,amount,category\n"
        f"{CUSTOMER},1997-10-01 11:00,5400,heating\n",
        "contacts": "customer_id,at,channel,direction,outcome,operator,reason\n"
        f"{CUSTOMER},1998-06-10 14:30,call,outbound,no_answer,op03,life_stage_change\n",
    }
    for kind, text in files.items():
        path = folder / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        run(url, "ja", "import", kind, str(path))
    run(url, "ja", "rescore", "--at", MORNING)
    return url


def run(url: str, language: str, *args: str) -> str:
    env = {"WORKBENCH_CONFIG": "/dev/null", "WORKBENCH_LANGUAGE": language, "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["--db", url, *args], env=env)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def json_lines(text: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def english_in(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The old English words found in `text` as whole words (a script id such as
    `b2c_listen_general` is one word, not `b2c`); `allowed` codes only inside "(code)"."""
    found = [w for w in ENGLISH if re.search(rf"(?<![\w(]){re.escape(w)}(?![\w)])", text)]
    bare = [c for c in allowed if re.search(rf"(?<![\w(]){c}(?!\w)", text.replace(f"({c})", ""))]
    return found + bare


def test_customers_list(db: str) -> None:
    rows = json_lines(run(db, "ja", "customers", "--at", MORNING, "--json"))
    ja = run(db, "ja", "customers", "--at", MORNING)
    for header in ("顧客ID", "氏名", "種別", "状態", "経過日数", "注文数", "累計額", "電話番号"):
        assert header in ja, header
    assert f"\n{len(rows)} 名\n" in ja
    ours = next(r for r in rows if r["customer_id"] == CUSTOMER)
    label = {"dormant": "休眠", "at_risk": "離脱予備軍"}[ours["state"]]
    line = next(line for line in ja.splitlines() if CUSTOMER in line)
    assert "個人" in line and f"{label} ({ours['state']})" in line and "¥5,400" in line
    assert english_in(ja, allowed=STATE_CODES) == []
    en = run(db, "en", "customers", "--at", MORNING)
    for header in ("ID", "Name", "Kind", "State", "Days", "Orders", "Spend", "Phone"):
        assert header in en, header
    assert f"\n{len(rows)} customers\n" in en
    line = next(line for line in en.splitlines() if CUSTOMER in line)
    assert "b2c" in line and ours["state"].replace("_", " ") in line
    assert "顧客ID" not in en and "名\n" not in en


def test_customer_show(db: str) -> None:
    ja = run(db, "ja", "customers", "show", CUSTOMER, "--at", MORNING)
    first = ja.splitlines()[0]
    assert first.startswith(f"言語 確認  {CUSTOMER}  個人  状態: ")
    assert "電話 1: +81355550101 固定 Asia/Tokyo" in ja
    assert "注文 1回、累計 ¥5,400" in ja
    for text in ("購入履歴", "注文日時", "金額", "カテゴリ", "商品", "登録元", "暖房", "取込",
                 "接触履歴", "日時", "経路", "結果", "担当", "理由", "メモ",
                 "電話", "不在", "ライフステージの変化", "1997-10-01T11:00:00+09:00"):  # fmt: skip
        assert text in ja, text
    assert english_in(ja, allowed=STATE_CODES) == []
    en = run(db, "en", "customers", "show", CUSTOMER, "--at", MORNING)
    assert en.splitlines()[0].startswith(f"言語 確認  {CUSTOMER}  b2c  state: ")
    assert "phone 1: +81355550101 fixed line Asia/Tokyo" in en
    assert "orders: 1, spend ¥5,400" in en
    for text in ("Purchases", "Ordered at", "Amount", "Category", "Product", "Source",
                 "heating", "import", "Contacts", "Channel", "Outcome", "Operator", "Reason",
                 "Note", "no answer", "life-stage change", "op03"):  # fmt: skip
        assert text in en, text
    assert "購入履歴" not in en and "不在" not in en


def test_queue_table(db: str) -> None:
    entries = json_lines(run(db, "ja", "queue", "--at", MORNING, "--limit", "3", "--json"))
    assert len(entries) == 3
    ja = run(db, "ja", "queue", "--at", MORNING, "--limit", "3")
    for header in ("顧客ID", "氏名", "スコア", "価値", "再開確率", "応答確率", "現地時刻", "状態",
                   "理由", "台本", "電話番号"):  # fmt: skip
        assert header in ja, header
    rows = [line for line in ja.splitlines() if any(e["customer_id"] in line for e in entries)]
    assert len(rows) == 3 and all("木 10:00" in row for row in rows)
    assert english_in(ja, allowed=()) == [] and "at_risk" not in ja and "dormant" not in ja
    en = run(db, "en", "queue", "--at", MORNING, "--limit", "3")
    for header in ("ID", "Name", "Score", "Value", "P(back)", "P(answer)", "Local time",
                   "State", "Reason", "Script", "Phone"):  # fmt: skip
        assert header in en, header
    rows = [line for line in en.splitlines() if any(e["customer_id"] in line for e in entries)]
    assert len(rows) == 3 and all("Thu 10:00" in row for row in rows)
    assert "木" not in en and "スコア" not in en


def test_queue_reason_and_source_in_words(db: str) -> None:
    everyone = json_lines(run(db, "ja", "queue", "--at", MORNING, "--limit", "500", "--json"))
    ours = next(e for e in everyone if e["customer_id"] == CUSTOMER)
    assert (ours["reason"], ours["reason_source"]) == ("life_stage_change", "heard")
    ja = run(db, "ja", "queue", "--at", MORNING, "--limit", "500")
    assert "ライフステージの変化（聞き取り）" in ja
    en = run(db, "en", "queue", "--at", MORNING, "--limit", "500")
    assert "life-stage change (heard)" in en


def test_empty_queue_says_so(db: str) -> None:
    assert json_lines(run(db, "ja", "queue", "--at", NIGHT, "--json")) == []
    ja = run(db, "ja", "queue", "--at", NIGHT)
    assert "今すぐ架電できるお客様はいません" in ja and "workbench queue --explain" in ja
    assert english_in(ja) == []
    en = run(db, "en", "queue", "--at", NIGHT)
    assert "nothing to call now: `workbench queue --explain` shows why" in en


def test_explanation(db: str) -> None:
    (data,) = json_lines(run(db, "ja", "queue", "--explain", "--at", NIGHT, "--json"))
    assert data["callable_now"] == 0 and data["held_back"]["outside_window"] > 0
    total, held = data["in_callable_states"], data["held_back"]
    ja = run(db, "ja", "queue", "--explain", "--at", NIGHT)
    assert f"{NIGHT} 時点: 架電可能 0 名 / 対象 {total:,} 名" in ja
    assert re.search(rf"^  架電時間外 +{held['outside_window']:,}$", ja, re.M)
    assert "次に架電可能になる時刻: 1998-07-02T09:00:00+09:00" in ja
    assert english_in(ja) == [] and not re.search(r"\bat\b", ja)
    for code in held:
        assert code not in ja, code
    en = run(db, "en", "queue", "--explain", "--at", NIGHT)
    assert f"at {NIGHT}: 0 callable of {total:,} in callable states" in en
    assert re.search(rf"^  outside calling hours +{held['outside_window']:,}$", en, re.M)
    assert "next customer becomes callable at 1998-07-02T09:00:00+09:00" in en
    assert "架電" not in en


def test_json_is_the_same_in_both_languages(db: str) -> None:
    for args in (
        ["customers", "--at", MORNING, "--json"],
        ["customers", "show", CUSTOMER, "--at", MORNING, "--json"],
        ["queue", "--explain", "--at", NIGHT, "--json"],
    ):
        assert run(db, "ja", *args) == run(db, "en", *args), args
    # The queue picks each customer's talk script in the configured language, so only its
    # script fields may differ: the same customers, in the same order, with the same keys.
    args = ("queue", "--at", MORNING, "--limit", "5", "--json")
    ja, en = json_lines(run(db, "ja", *args)), json_lines(run(db, "en", *args))
    assert [(e["customer_id"], sorted(e)) for e in ja] == [
        (e["customer_id"], sorted(e)) for e in en
    ]
