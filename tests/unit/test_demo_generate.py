"""Tests for the synthetic demo-data generator (workbench.demo.generate)."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import phonenumbers
import pytest

from workbench.demo.generate import (
    ANSWER_PROFILES,
    AT_RISK_DAYS,
    CATEGORIES,
    CONTACTS_HEADER,
    CUSTOMERS_HEADER,
    LAPSE_DAYS,
    TRANSACTIONS_HEADER,
    TRUTH_HEADER,
    DemoFiles,
    answer_probability,
    generate,
    in_preferred_hours,
)
from workbench.domain.codes import CALL_OUTCOMES, CONTACTED_OUTCOMES, EMAIL_EVENTS, REASON_SET

START = date(2023, 1, 1)
END = date(2026, 11, 1)
JST = timezone(timedelta(hours=9))
END_DT = datetime(END.year, END.month, END.day, tzinfo=JST)
START_DT = datetime(START.year, START.month, START.day, tzinfo=JST)
N = 4000
REPO_ROOT = Path(__file__).resolve().parents[2]


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _rows(path: Path) -> list[dict[str, str]]:
    return _read(path)[1]


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate(tmp_path_factory.mktemp("clean"), N, 11, START, END, malformed_rate=0.0)


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate(tmp_path_factory.mktemp("dirty"), N, 11, START, END, malformed_rate=0.02)


@pytest.fixture(scope="module")
def customers(clean: DemoFiles) -> list[dict[str, str]]:
    return _rows(clean.customers)


@pytest.fixture(scope="module")
def transactions(clean: DemoFiles) -> list[dict[str, str]]:
    return _rows(clean.transactions)


@pytest.fixture(scope="module")
def contacts(clean: DemoFiles) -> list[dict[str, str]]:
    return _rows(clean.contacts)


@pytest.fixture(scope="module")
def truth(clean: DemoFiles) -> dict[str, dict[str, str]]:
    return {r["customer_id"]: r for r in _rows(clean.truth)}


def _is_valid_phone(text: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, "JP"))
    except phonenumbers.NumberParseException:
        return False


def _is_iso_jst(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).utcoffset() == timedelta(hours=9)
    except ValueError:
        return False


# --------------------------------------------------------------------------- determinism


def _file_bytes(files: DemoFiles) -> list[bytes]:
    return [
        p.read_bytes() for p in (files.customers, files.transactions, files.contacts, files.truth)
    ]


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 1500, 5, START, END)
    b = generate(tmp_path / "b", 1500, 5, START, END)
    assert _file_bytes(a) == _file_bytes(b)


def test_different_seeds_differ(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 1500, 5, START, END)
    b = generate(tmp_path / "b", 1500, 6, START, END)
    for left, right in zip(_file_bytes(a), _file_bytes(b)):
        assert left != right


# --------------------------------------------------------------------------- shape


def test_headers_are_exact(clean: DemoFiles) -> None:
    assert _read(clean.customers)[0] == list(CUSTOMERS_HEADER)
    assert _read(clean.transactions)[0] == list(TRANSACTIONS_HEADER)
    assert _read(clean.contacts)[0] == list(CONTACTS_HEADER)
    assert _read(clean.truth)[0] == list(TRUTH_HEADER)
    assert CUSTOMERS_HEADER == (
        "customer_id",
        "name",
        "name_kana",
        "kind",
        "company",
        "contact_person",
        "previous_rep",
        "phone",
        "phone2",
        "email",
        "prefecture",
        "created_at",
        "do_not_call",
        "email_opt_out",
    )
    assert TRANSACTIONS_HEADER == ("customer_id", "ordered_at", "amount", "category", "product")
    assert CONTACTS_HEADER == (
        "customer_id",
        "at",
        "channel",
        "direction",
        "outcome",
        "operator",
        "script",
        "reason",
        "amount",
        "callback_at",
        "note",
    )
    assert TRUTH_HEADER == (
        "customer_id",
        "true_reason",
        "answer_profile",
        "p_answer_peak",
        "p_answer_base",
        "reactivation_propensity",
        "value_per_order",
        "alive",
    )


def test_row_counts_match_files(clean: DemoFiles, customers, transactions, contacts, truth) -> None:
    assert clean.customer_rows == len(customers) == N
    assert clean.truth_rows == len(truth) == N
    assert clean.transaction_rows == len(transactions)
    assert clean.contact_rows == len(contacts)
    assert 8.5 <= len(transactions) / N <= 11.5
    assert clean.malformed_rows == 0


def test_customer_ids_are_sequential(customers) -> None:
    assert [r["customer_id"] for r in customers] == [f"C{i:07d}" for i in range(1, N + 1)]


def test_customer_field_shares(customers) -> None:
    def share(pred) -> float:
        return sum(1 for r in customers if pred(r)) / len(customers)

    assert 0.17 <= share(lambda r: r["kind"] == "b2b") <= 0.23
    assert {r["kind"] for r in customers} == {"b2c", "b2b"}
    assert 0.21 <= share(lambda r: r["phone2"] != "") <= 0.29
    assert 0.65 <= share(lambda r: r["email"] != "") <= 0.75
    assert 0.004 <= share(lambda r: r["do_not_call"] == "1") <= 0.02
    assert 0.03 <= share(lambda r: r["email_opt_out"] == "1") <= 0.07
    assert all(
        r["do_not_call"] in ("0", "1") and r["email_opt_out"] in ("0", "1") for r in customers
    )


def test_names_companies_and_reps(customers) -> None:
    for r in customers:
        if r["kind"] == "b2b":
            assert r["company"] and r["contact_person"] and r["name"] == r["company"]
            assert any(form in r["company"] for form in ("株式会社", "有限会社", "合同会社"))
        else:
            assert r["company"] == "" and r["contact_person"] == ""
            family, given = r["name"].split(" ")
            kana_family, kana_given = r["name_kana"].split(" ")
            assert family and given and kana_family and kana_given
        assert all("\u30a0" <= ch <= "\u30ff" or ch == " " for ch in r["name_kana"])
    b2b = [r for r in customers if r["kind"] == "b2b"]
    b2c = [r for r in customers if r["kind"] == "b2c"]
    assert sum(1 for r in b2b if r["previous_rep"]) / len(b2b) > 0.4
    assert 0 < sum(1 for r in b2c if r["previous_rep"]) / len(b2c) < 0.08
    assert len({r["name"] for r in b2c}) > 1000


def test_email_addresses_look_real(customers) -> None:
    emails = [r["email"] for r in customers if r["email"]]
    assert all(e.count("@") == 1 and e.isascii() and "." in e.split("@")[1] for e in emails)
    domains = Counter(e.split("@")[1] for e in emails)
    assert domains["gmail.com"] > 0 and domains["yahoo.co.jp"] > 0
    assert any(d.endswith(".co.jp") and "-" in d for d in domains)


def test_created_at_precedes_first_order(customers, transactions) -> None:
    first: dict[str, datetime] = {}
    for t in transactions:
        first.setdefault(t["customer_id"], datetime.fromisoformat(t["ordered_at"]))
    for r in customers:
        created = datetime.fromisoformat(r["created_at"])
        assert created.utcoffset() == timedelta(hours=9)
        assert START_DT <= created < END_DT
        if r["customer_id"] in first:
            assert created <= first[r["customer_id"]]


# --------------------------------------------------------------------------- phones


def test_phones_are_valid_japanese_numbers(customers) -> None:
    phones = [r["phone"] for r in customers] + [r["phone2"] for r in customers if r["phone2"]]
    valid = sum(_is_valid_phone(p) for p in phones)
    assert valid / len(phones) >= 0.99


def test_phone_formats_are_mixed(customers) -> None:
    phones = [r["phone"] for r in customers] + [r["phone2"] for r in customers if r["phone2"]]

    def count(pred) -> int:
        return sum(1 for p in phones if pred(p))

    assert count(lambda p: p.startswith(("090-", "080-", "070-"))) > 0
    assert count(lambda p: p.startswith("050")) > 0
    assert count(lambda p: p.startswith("0120")) > 0
    assert count(lambda p: p.startswith("+81 ")) > 0
    assert count(lambda p: p.startswith("+81(0)")) > 0
    assert count(lambda p: p.startswith("(0")) > 0
    assert count(lambda p: p.startswith("０")) > 0  # full-width digits
    assert count(lambda p: p.isdigit()) > 0  # written without separators


def test_landline_area_code_matches_prefecture(customers) -> None:
    expected = {
        "03": "東京都",
        "06": "大阪府",
        "011": "北海道",
        "052": "愛知県",
        "092": "福岡県",
        "045": "神奈川県",
        "0466": "神奈川県",
        "075": "京都府",
        "022": "宮城県",
    }
    checked = 0
    for r in customers:
        number = phonenumbers.parse(r["phone"], "JP")
        if phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.FIXED_LINE:
            continue
        area_code = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.NATIONAL
        ).split("-")[0]
        if area_code in expected:
            assert r["prefecture"] == expected[area_code], (r["phone"], r["prefecture"])
            checked += 1
    assert checked > 100


def test_all_47_prefectures_occur(tmp_path: Path) -> None:
    files = generate(tmp_path, 20000, 3, START, END, malformed_rate=0.0)
    prefectures = {r["prefecture"] for r in _rows(files.customers)}
    assert len(prefectures) == 47
    assert {"東京都", "大阪府", "北海道", "沖縄県"} <= prefectures


# --------------------------------------------------------------------------- malformed rows


def _malformed(row: dict[str, str]) -> bool:
    return (
        row["customer_id"] == ""
        or row["kind"] not in ("b2c", "b2b")
        or not _is_valid_phone(row["phone"])
        or not _is_iso_jst(row["created_at"])
    )


def test_malformed_rows_at_configured_rate(dirty: DemoFiles) -> None:
    rows = _rows(dirty.customers)
    broken = [r for r in rows if _malformed(r)]
    assert len(broken) == dirty.malformed_rows
    assert 0.012 <= len(broken) / len(rows) <= 0.028
    kinds = Counter()
    for r in broken:
        kinds["id"] += r["customer_id"] == ""
        kinds["kind"] += r["kind"] == "x2c"
        kinds["phone"] += not _is_valid_phone(r["phone"])
        kinds["created_at"] += not _is_iso_jst(r["created_at"])
    assert all(kinds[k] > 0 for k in ("id", "kind", "phone", "created_at"))


def test_corruption_leaves_other_rows_untouched(clean: DemoFiles, dirty: DemoFiles) -> None:
    clean_rows = _rows(clean.customers)
    dirty_rows = _rows(dirty.customers)
    changed = [i for i, (a, b) in enumerate(zip(clean_rows, dirty_rows)) if a != b]
    assert len(changed) == dirty.malformed_rows
    for i in changed:
        diff = [k for k in CUSTOMERS_HEADER if clean_rows[i][k] != dirty_rows[i][k]]
        assert len(diff) == 1 and diff[0] in ("customer_id", "kind", "phone", "created_at")
    assert dirty.transactions.read_bytes() == clean.transactions.read_bytes()


def test_default_rate_produces_a_few_malformed_rows(tmp_path: Path) -> None:
    files = generate(tmp_path, N, 11, START, END)
    broken = sum(_malformed(r) for r in _rows(files.customers))
    assert broken == files.malformed_rows
    assert 1 <= broken <= 0.008 * N


def test_malformed_rate_zero_gives_clean_file(customers) -> None:
    assert not [r for r in customers if _malformed(r)]


# --------------------------------------------------------------------------- transactions


def test_transactions_are_well_formed_and_sorted(transactions) -> None:
    last_seen: dict[str, datetime] = {}
    for t in transactions:
        at = datetime.fromisoformat(t["ordered_at"])
        assert t["ordered_at"].endswith("+09:00")
        assert START_DT <= at < END_DT
        assert t["amount"].isdigit() and int(t["amount"]) > 0
        assert t["category"] in CATEGORIES and t["product"]
        previous = last_seen.get(t["customer_id"])
        assert previous is None or previous <= at
        last_seen[t["customer_id"]] = at
    # The file is grouped by customer.
    order = [t["customer_id"] for t in transactions]
    assert order == sorted(order)


def test_b2b_customers_buy_office_supplies_and_no_cosmetics(customers, transactions) -> None:
    kind = {r["customer_id"]: r["kind"] for r in customers}
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for t in transactions:
        by_kind[kind[t["customer_id"]]][t["category"]] += 1
    assert by_kind["b2c"]["office_supplies"] == 0
    assert by_kind["b2b"]["cosmetics"] == 0
    assert by_kind["b2b"]["office_supplies"] > 0


def _category_share(transactions, category: str, months: set[int]) -> float:
    rows = [t for t in transactions if int(t["ordered_at"][5:7]) in months]
    return sum(1 for t in rows if t["category"] == category) / len(rows)


def test_seasonality_is_visible(transactions) -> None:
    assert _category_share(transactions, "gardening", {4, 5}) >= 2 * _category_share(
        transactions, "gardening", {11}
    )
    assert _category_share(transactions, "heating", {12, 1}) >= 3 * _category_share(
        transactions, "heating", {6, 7}
    )
    assert _category_share(transactions, "gifts_ochugen", {7}) >= 5 * _category_share(
        transactions, "gifts_ochugen", {3}
    )
    assert _category_share(transactions, "gifts_oseibo", {12}) >= 5 * _category_share(
        transactions, "gifts_oseibo", {6}
    )
    assert _category_share(transactions, "beverages", {7, 8}) > _category_share(
        transactions, "beverages", {1, 2}
    )


def test_lifecycle_mix_at_end_date(customers, transactions, contacts) -> None:
    last: dict[str, datetime] = {}
    for t in transactions:
        last[t["customer_id"]] = datetime.fromisoformat(t["ordered_at"])
    complained = {c["customer_id"] for c in contacts if c["outcome"] == "complaint"}
    mix: Counter = Counter()
    for r in customers:
        cid, k = r["customer_id"], r["kind"]
        if cid in complained:
            mix["churned"] += 1
        elif cid not in last:
            mix["prospect"] += 1
        else:
            idle = (END_DT - last[cid]).days
            if idle < AT_RISK_DAYS[k]:
                mix["active"] += 1
            elif idle < LAPSE_DAYS[k]:
                mix["at_risk"] += 1
            else:
                assert idle <= 745
                mix["dormant"] += 1
    share = {state: count / N for state, count in mix.items()}
    assert share["active"] == pytest.approx(0.30, abs=0.04)
    assert share["at_risk"] == pytest.approx(0.10, abs=0.03)
    assert share["dormant"] == pytest.approx(0.45, abs=0.04)
    assert share["churned"] == pytest.approx(0.05, abs=0.02)
    assert share["prospect"] == pytest.approx(0.10, abs=0.03)


# --------------------------------------------------------------------------- contacts


def test_contact_rows_follow_the_code_lists(contacts) -> None:
    calls = [c for c in contacts if c["channel"] == "call"]
    emails = [c for c in contacts if c["channel"] == "email"]
    assert calls and emails
    assert all(c["outcome"] in CALL_OUTCOMES for c in calls)
    assert all(c["outcome"] in EMAIL_EVENTS for c in emails)
    assert {c["direction"] for c in contacts} == {"outbound"}
    assert {c["operator"] for c in calls} <= {f"op{i:02d}" for i in range(1, 9)}
    for c in contacts:
        contacted = c["outcome"] in CONTACTED_OUTCOMES
        assert (c["reason"] != "") == contacted
        assert (c["note"] != "") == contacted
        assert c["reason"] == "" or c["reason"] in REASON_SET
        assert (c["amount"] != "") == (c["outcome"] == "reactivated")
        assert c["amount"] == "" or int(c["amount"]) > 0
        assert (c["callback_at"] != "") == (c["outcome"] == "callback")


def test_calls_within_calling_hours(contacts) -> None:
    for c in contacts:
        at = datetime.fromisoformat(c["at"])
        assert at.utcoffset() == timedelta(hours=9) and START_DT <= at < END_DT
        if c["channel"] == "call":
            assert at.weekday() <= 5 and 9 <= at.hour < 20, c["at"]
        if c["callback_at"]:
            assert datetime.fromisoformat(c["callback_at"]) > at


def test_call_history_share_and_outcome_mix(contacts) -> None:
    calls = [c for c in contacts if c["channel"] == "call"]
    called_customers = {c["customer_id"] for c in calls}
    assert 0.25 <= len(called_customers) / N <= 0.35
    outcomes = Counter(c["outcome"] for c in calls)
    assert outcomes.most_common(1)[0][0] == "no_answer"
    contacted = sum(n for o, n in outcomes.items() if o in CONTACTED_OUTCOMES)
    assert 0.15 <= contacted / len(calls) <= 0.25
    assert set(CALL_OUTCOMES) <= set(outcomes)


def test_churned_customers_complained_and_are_not_alive(contacts, truth) -> None:
    complained = {c["customer_id"] for c in contacts if c["outcome"] == "complaint"}
    assert complained
    assert all(truth[cid]["alive"] == "0" for cid in complained)


def test_reactivation_matches_an_order(contacts, transactions) -> None:
    orders: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
    for t in transactions:
        orders[t["customer_id"]].append((datetime.fromisoformat(t["ordered_at"]), int(t["amount"])))
    reactivations = [c for c in contacts if c["outcome"] == "reactivated"]
    assert reactivations
    for c in reactivations:
        at = datetime.fromisoformat(c["at"])
        assert any(
            timedelta(0) <= when - at <= timedelta(hours=1) and amount == int(c["amount"])
            for when, amount in orders[c["customer_id"]]
        ), c


def test_do_not_call_outcome_sets_the_flag(customers, contacts) -> None:
    flagged = {r["customer_id"] for r in customers if r["do_not_call"] == "1"}
    refused = {c["customer_id"] for c in contacts if c["outcome"] == "do_not_call"}
    assert refused and refused <= flagged
    unsubscribed = {c["customer_id"] for c in contacts if c["outcome"] == "unsubscribed"}
    opted_out = {r["customer_id"] for r in customers if r["email_opt_out"] == "1"}
    assert unsubscribed <= opted_out


def test_answers_concentrate_in_preferred_hours(contacts, truth) -> None:
    calls = [c for c in contacts if c["channel"] == "call" and c["outcome"] != "wrong_number"]
    inside = {"calls": 0, "answered": 0}
    outside = {"calls": 0, "answered": 0}
    for c in calls:
        t = truth[c["customer_id"]]
        at = datetime.fromisoformat(c["at"])
        bucket = (
            inside if in_preferred_hours(t["answer_profile"], at.weekday(), at.hour) else outside
        )
        bucket["calls"] += 1
        bucket["answered"] += c["outcome"] in CONTACTED_OUTCOMES
    rate_in = inside["answered"] / inside["calls"]
    rate_out = outside["answered"] / outside["calls"]
    assert rate_in >= 3 * rate_out
    answered_share_in = inside["answered"] / (inside["answered"] + outside["answered"])
    calls_share_in = inside["calls"] / (inside["calls"] + outside["calls"])
    assert answered_share_in >= calls_share_in + 0.25


# --------------------------------------------------------------------------- truth


def test_truth_values(truth, customers) -> None:
    kind = {r["customer_id"]: r["kind"] for r in customers}
    for cid, t in truth.items():
        assert t["true_reason"] in REASON_SET
        assert t["answer_profile"] in ANSWER_PROFILES
        peak, base = float(t["p_answer_peak"]), float(t["p_answer_base"])
        assert 0 < base < peak <= 1
        assert 0 < float(t["reactivation_propensity"]) < 1
        assert int(t["value_per_order"]) > 0
        assert t["alive"] in ("0", "1")
        if t["answer_profile"] == "b2b_office":
            assert kind[cid] == "b2b"
    profiles = Counter(t["answer_profile"] for t in truth.values())
    assert set(profiles) == set(ANSWER_PROFILES)


def test_answer_probability_windows() -> None:
    wed, sat, sun = 2, 5, 6
    assert answer_probability("evening", 0.7, 0.05, wed, 19) == 0.7
    assert answer_probability("evening", 0.7, 0.05, wed, 10) == 0.05
    assert answer_probability("morning", 0.6, 0.1, sat, 9) == 0.6
    assert answer_probability("morning", 0.6, 0.1, sat, 15) == 0.1
    assert answer_probability("daytime", 0.5, 0.1, wed, 14) == 0.5
    assert answer_probability("daytime", 0.5, 0.1, sat, 14) == 0.1
    assert answer_probability("weekend", 0.5, 0.1, sun, 11) == 0.5
    assert answer_probability("weekend", 0.5, 0.1, wed, 11) == 0.1
    assert answer_probability("b2b_office", 0.8, 0.1, wed, 10) == 0.8
    assert answer_probability("b2b_office", 0.8, 0.1, wed, 12) == 0.1
    assert answer_probability("b2b_office", 0.8, 0.1, sat, 10) == pytest.approx(0.02)
    with pytest.raises(ValueError):
        answer_probability("night_owl", 0.5, 0.1, wed, 10)


def test_every_profile_has_callable_preferred_hours() -> None:
    for profile in ANSWER_PROFILES:
        slots = [
            (wd, h) for wd in range(6) for h in range(9, 20) if in_preferred_hours(profile, wd, h)
        ]
        assert slots, profile


# --------------------------------------------------------------------------- validation and CLI


@pytest.mark.parametrize(
    "kwargs",
    [{"customers": 0}, {"seed": -1}, {"end": START}, {"malformed_rate": 1.5}],
)
def test_invalid_arguments_are_rejected(tmp_path: Path, kwargs: dict) -> None:
    args = {"customers": 10, "seed": 1, "start": START, "end": END} | kwargs
    with pytest.raises(ValueError):
        generate(tmp_path, **args)


def test_cli_writes_the_files(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "scripts" / "generate_demo.py"),
            "--customers",
            "1000",
            "--seed",
            "4",
            "--out",
            str(out),
            "--start",
            "2023-01-01",
            "--end",
            "2026-11-01",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "1,000 rows" in result.stdout
    for name in ("customers", "transactions", "contacts", "truth"):
        assert (out / f"{name}.csv").stat().st_size > 0
    direct = generate(tmp_path / "direct", 1000, 4, START, END)
    assert (out / "transactions.csv").read_bytes() == direct.transactions.read_bytes()
