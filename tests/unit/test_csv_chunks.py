"""Cutting a CSV file into chunks of whole records gives exactly the rows, and lines, of reading it whole."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.importing.csvfile import CsvSource, ImportFileError, chunk_rows

# These tests read the English texts (language = "en"); tests/e2e/test_cli_messages_language.py
# checks that the same errors are Japanese by default.
pytestmark = pytest.mark.usefixtures("english_messages")

HEADER = ["customer_id", "ordered_at", "amount", "category", "product"]
# Characters that trip a byte-level cutter: quotes, separators, both line ends, multi-byte text
# (CP932 trail bytes include 0x5C '\\' and the range of ASCII letters).
FIELD_TEXT = st.text(alphabet=list('ab1 ,"\n\r\\表ソ髙①ｱ'), max_size=12)


def write(
    path: Path, rows: list[list[str]], encoding: str, terminator: str, blank_every: int
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=terminator)
    writer.writerow(HEADER)
    for i, row in enumerate(rows, start=1):
        writer.writerow(row)
        if blank_every and i % blank_every == 0:
            buffer.write(terminator)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def whole(path: Path) -> list[tuple[int, list[str]]]:
    source = CsvSource(path, ("customer_id",), tuple(HEADER))
    return [row for batch in source.batches(7) for row in batch]


def chunked(path: Path, size: int) -> tuple[list[tuple[int, list[str]]], CsvSource]:
    source = CsvSource(path, ("customer_id",), tuple(HEADER))
    rows = [
        row
        for chunk in source.chunks(size)
        for row in chunk_rows(chunk, source.encoding, str(path))
    ]
    return rows, source


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.lists(FIELD_TEXT, min_size=5, max_size=5), min_size=1, max_size=25),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]),
    terminator=st.sampled_from(["\n", "\r\n"]),
    blank_every=st.integers(0, 4),
    size=st.integers(1, 120),
)
def test_chunks_give_the_same_rows_and_lines_as_reading_whole(
    tmp_path, rows, encoding, terminator, blank_every, size
):
    path = write(tmp_path / "t.csv", rows, encoding, terminator, blank_every)
    expected = whole(path)
    got, source = chunked(path, size)
    assert got == expected
    if terminator == "\r\n" or not any("\r" in field for row in rows for field in row):
        # csv.writer leaves a lone CR unquoted when lines end in LF alone, so such rows do not round-trip.
        assert [fields for _, fields in got] == rows
    assert source.bytes_read == path.stat().st_size
    assert source.header == HEADER


def test_a_line_break_inside_quotes_is_never_a_cut(tmp_path):
    product = 'line one\nline two, with a comma and a "quote"'
    path = write(
        tmp_path / "q.csv", [["C1", "2024-01-05", "100", "garden", product]] * 50, "utf-8", "\n", 0
    )
    got, _ = chunked(path, 16)
    assert len(got) == 50
    assert all(fields[4] == product for _, fields in got)
    assert [line for line, _ in got] == list(range(2, 102, 2))  # each record spans two lines


def test_undecodable_bytes_name_the_file_and_their_line(tmp_path):
    path = tmp_path / "bad.csv"
    good = "".join(f"C{i},2024-01-05,100,,\n" for i in range(2, 400))
    path.write_bytes(
        ("customer_id,ordered_at,amount,category,product\n" + good).encode() + b"C9,\xff\xfe,1,,\n"
    )
    source = CsvSource(path, ("customer_id",), tuple(HEADER), encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        for chunk in source.chunks(1000):
            chunk_rows(chunk, source.encoding, str(path))
    assert f"{path}:400:" in str(caught.value)


def test_bare_carriage_returns_are_not_cut_as_bytes(tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(b"customer_id,ordered_at,amount\rC1,2024-01-05,100\rC2,2024-01-06,200\r")
    source = CsvSource(path, ("customer_id",), tuple(HEADER))
    assert not source.cuttable
    assert CsvSource(
        write(tmp_path / "ok.csv", [["C1", "x", "1", "", ""]], "cp932", "\r\n", 0), ("customer_id",)
    ).cuttable
