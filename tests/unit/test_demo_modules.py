"""The demo generator's modules working together, seen through the public ``generate()``.

The set spans two generator blocks (``CHUNK_CUSTOMERS`` + 100 customers), so identities,
orders, calls and rows drawn by the separate modules must line up across a block
boundary as well as inside one.
"""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import phonenumbers
import pytest

from workbench.demo.generate import (
    CHUNK_CUSTOMERS,
    DEFAULT_END,
    DEFAULT_START,
    DemoFiles,
    generate,
)

CUSTOMERS = CHUNK_CUSTOMERS + 100
SEED = 3
JST = timezone(timedelta(hours=9))


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _file_bytes(files: DemoFiles) -> list[bytes]:
    paths = (files.customers, files.transactions, files.contacts, files.truth)
    return [p.read_bytes() for p in paths]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    return generate(tmp_path_factory.mktemp("demo"), CUSTOMERS, SEED, malformed_rate=0.0)


Tables = dict[str, list[dict[str, str]]]


@pytest.fixture(scope="module")
def tables(demo: DemoFiles) -> Tables:
    """The rows of each file by its name: customers, transactions, contacts, truth."""
    paths = (demo.customers, demo.transactions, demo.contacts, demo.truth)
    return {path.stem: _rows(path) for path in paths}


def test_same_seed_gives_identical_files_across_blocks(demo: DemoFiles, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", CUSTOMERS, SEED, malformed_rate=0.0)
    assert _file_bytes(again) == _file_bytes(demo)


def test_different_seed_changes_every_file(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", 300, SEED, malformed_rate=0.0)
    b = generate(tmp_path / "b", 300, SEED + 1, malformed_rate=0.0)
    for left, right in zip(_file_bytes(a), _file_bytes(b), strict=True):
        assert left != right


def test_every_order_and_contact_belongs_to_a_customer(tables: Tables) -> None:
    ids = [r["customer_id"] for r in tables["customers"]]
    assert len(ids) == len(set(ids)) == CUSTOMERS
    assert [r["customer_id"] for r in tables["truth"]] == ids
    transactions, contacts = tables["transactions"], tables["contacts"]
    known = set(ids)
    assert transactions and contacts
    assert {r["customer_id"] for r in transactions} <= known
    assert {r["customer_id"] for r in contacts} <= known
    # Both blocks contribute history, not just the first one.
    second_block = set(ids[CHUNK_CUSTOMERS:])
    assert second_block & {r["customer_id"] for r in transactions}
    assert second_block & {r["customer_id"] for r in contacts}


def test_phone_numbers_parse_as_japanese_numbers(tables: Tables) -> None:
    customers = tables["customers"]
    phones = [r["phone"] for r in customers] + [r["phone2"] for r in customers if r["phone2"]]
    regions: set[str | None] = set()
    invalid: list[str] = []
    for text in phones:
        number = phonenumbers.parse(text, "JP")
        regions.add(phonenumbers.region_code_for_number(number))
        if not phonenumbers.is_valid_number(number):
            invalid.append(text)
    assert invalid == []
    assert regions == {"JP"}


def test_kinds_are_b2c_or_b2b_and_only_businesses_have_a_company(tables: Tables) -> None:
    customers = tables["customers"]
    kinds = {r["kind"] for r in customers}
    assert kinds == {"b2c", "b2b"}
    assert all(r["company"] and r["company"] == r["name"] for r in customers if r["kind"] == "b2b")
    assert not any(r["company"] or r["contact_person"] for r in customers if r["kind"] == "b2c")


def test_events_fall_in_the_default_window(tables: Tables) -> None:
    start = datetime.combine(DEFAULT_START, time(), JST)
    end = datetime.combine(DEFAULT_END, time(), JST)
    ordered = [datetime.fromisoformat(r["ordered_at"]) for r in tables["transactions"]]
    contacted = [datetime.fromisoformat(r["at"]) for r in tables["contacts"]]
    assert start <= min(ordered) and max(ordered) < end
    assert start <= min(contacted) and max(contacted) < end
