"""The plain-row path for transactions must agree with the validating path on every row it accepts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.importing import records
from workbench.importing.records import RowError

TOKYO = ZoneInfo("Asia/Tokyo")
HEADERS = [
    ["customer_id", "ordered_at", "amount", "category", "product"],
    ["amount", "product", "transaction_id", "ordered_at", "customer_id"],
    ["customer_id", "ordered_at", "amount"],
]
IDS = st.sampled_from(["C1", " C2 ", "", "Ｃ３", "x" * 65, "顧客-1"])
WHEN = st.sampled_from([
    "2024-01-05", "2024-01-05T10:00", "2024-01-05T10:00:00+09:00", "2024-01-05 23:59:59Z",
    "2024/01/05", " 2024-01-05", "２０２４-01-05", "2024-13-01", "", "yesterday", "2024-01-05T10:00:00.123456-05:00",
])  # fmt: skip
AMOUNTS = st.sampled_from(
    ["12800", "0", "12,800", "¥500", "１２８００", " 300", "12.5", "-100", "", "abc", "00042"]
)
TEXT = st.sampled_from(["", "food", " 園芸 ", "x" * 101, "y" * 201, "id-9", "z" * 65])


def validating(row: dict[str, str]) -> records.TransactionRecord | None:
    try:
        return records.transaction(row, TOKYO)
    except RowError:
        return None


@settings(max_examples=400, deadline=None)
@given(
    header=st.sampled_from(HEADERS),
    customer=IDS,
    when=WHEN,
    amount=AMOUNTS,
    extra=st.lists(TEXT, min_size=2, max_size=2),
)
def test_plain_rows_give_the_validating_record(header, customer, when, amount, extra):
    values = {"customer_id": customer, "ordered_at": when, "amount": amount}
    for column, text in zip(("category", "product", "transaction_id"), extra + extra[:1]):
        values[column] = text
    fields = [values[column] for column in header]

    fast = records.plain_transaction(fields, records.transaction_columns(header), TOKYO)

    if fast is not None:
        assert fast == validating(dict(zip(header, fields)))


@pytest.mark.parametrize(
    "fields",
    [
        ["C1", "2024-01-05T10:00:00+09:00", "12800", "food", "緑茶"],
        ["C1", "2024-01-05", "500", "", ""],
    ],
)
def test_typical_export_rows_take_the_plain_path(fields):
    header = HEADERS[0]
    fast = records.plain_transaction(fields, records.transaction_columns(header), TOKYO)
    assert fast is not None
    assert fast == records.transaction(dict(zip(header, fields)), TOKYO)


def test_unusual_rows_leave_the_plain_path():
    header = HEADERS[0]
    columns = records.transaction_columns(header)
    for fields in (
        ["C1", "2024/01/05", "500", "", ""],
        ["C1", "2024-01-05", "1,500", "", ""],
        ["", "2024-01-05", "5", "", ""],
    ):
        assert records.plain_transaction(fields, columns, TOKYO) is None
