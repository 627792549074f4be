"""Reading CSV exports: encoding detection, header mapping, line numbers.

Japanese CRMs and Excel write Shift_JIS (in practice CP932, which adds the
vendor characters such as ① and 髙); everything else writes UTF-8, sometimes
with a BOM.  We decide from the first megabyte and fail with the line number
if a later byte contradicts the choice.
"""

from __future__ import annotations

import codecs
import csv
import io
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from workbench.messages import say
from workbench.messages.toml_errors import toml_problem

SNIFF_BYTES = 1 << 20
ENCODING_ALIASES = {"sjis": "cp932", "shift_jis": "cp932", "shift-jis": "cp932", "utf8": "utf-8"}
# Encodings in which the bytes of '\n', '\r' and '"' never occur inside another character
# (Shift_JIS trail bytes start at 0x40), so a file can be cut into records as bytes.
_BYTE_CUTTABLE = {
    "utf-8",
    "utf-8-sig",
    "cp932",
    "shift_jis",
    "euc_jp",
    "ascii",
    "latin-1",
    "iso8859-1",
    "cp1252",
}
# An oversized field rejects its row alone; only a record beyond the reader's limit (an
# unterminated quote running to the end of the file, in practice) stops the whole file.
MAX_FIELD_CHARS = 131_072
READER_FIELD_LIMIT = 64 * 1024 * 1024
csv.field_size_limit(READER_FIELD_LIMIT)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message names the file and line.

    `code` is the catalogue key (`workbench.messages.importing`), `values` fill it in.
    """

    def __init__(self, code: str, /, **values: object) -> None:
        super().__init__(say(code, **values))
        self.code = code
        self.values = values


@dataclass(frozen=True, slots=True)
class Chunk:
    """Whole CSV records as raw bytes; `first_line` is the file line the bytes start on."""

    first_line: int
    data: bytes


@dataclass(frozen=True, slots=True)
class CsvRow:
    line: int
    values: dict[str, str]
    problem: str | None = None


def detect_encoding(path: Path) -> str:
    head = path.open("rb").read(SNIFF_BYTES)
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        _decode_prefix(head, "utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(head):
        raise ImportFileError("import.looks_utf8", path=path, line=_first_bad_line(path, "utf-8"))
    try:
        _decode_prefix(head, "cp932")
        return "cp932"
    except UnicodeDecodeError:
        raise ImportFileError("import.no_encoding", path=path) from None


def _mostly_utf8(data: bytes) -> bool:
    """Valid multi-byte UTF-8 text with a stray bad byte must not be read as Shift_JIS."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return wide >= 4 and bad * 20 <= wide


def _decode_prefix(data: bytes, encoding: str) -> None:
    # The sniffed block may end inside a multi-byte character: drop up to 3 trailing bytes.
    for cut in range(4):
        try:
            data[: len(data) - cut].decode(encoding)
            return
        except UnicodeDecodeError:
            if cut == 3 or len(data) < SNIFF_BYTES:
                raise


@dataclass(frozen=True)
class ColumnMapping:
    """A mapping file: their headers → canonical columns, and per column their values → ours."""

    columns: dict[str, str]  # their header → canonical column
    values: dict[str, dict[str, str]]  # canonical column → {their value: canonical value}


def require_file(path: Path, what: str) -> None:
    """`path` is a file that exists; else `ImportFileError` saying what it is instead.

    `what` is the catalogue key of what the file should be (``import.what_csv``)."""
    if path.is_dir():
        raise ImportFileError("import.is_directory", path=path, what=say(what))
    if not path.is_file():
        raise ImportFileError("import.not_found", path=path)


def load_mapping(path: Path) -> ColumnMapping:
    """TOML: `[columns]` with `canonical = "their header"`; `[values.<column>]` with
    `"their value" = "canonical value"` (an Excel export's 個人/法人 for b2c/b2b)."""
    require_file(path, "import.what_mapping")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ImportFileError(
            "import.mapping_unreadable", path=path, detail=toml_problem(exc)
        ) from None
    except UnicodeDecodeError:
        raise ImportFileError(
            "import.mapping_unreadable", path=path, detail=say("import.mapping_not_utf8")
        ) from None
    except OSError as exc:
        detail = (
            say("import.mapping_no_access")
            if isinstance(exc, PermissionError)
            else exc.strerror or exc
        )
        raise ImportFileError("import.mapping_unreadable", path=path, detail=detail) from None
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise ImportFileError("import.mapping_columns", path=path)
    values = data.get("values", {})
    if not isinstance(values, dict) or not all(
        isinstance(table, dict) and all(isinstance(v, str) for v in table.values())
        for table in values.values()
    ):
        raise ImportFileError("import.mapping_values", path=path)
    if not columns and not values:
        raise ImportFileError("import.mapping_empty", path=path)
    return ColumnMapping(
        {theirs: canonical for canonical, theirs in columns.items()},
        {column: {str(k).strip(): v for k, v in table.items()} for column, table in values.items()},
    )


class CsvSource:
    """Iterates the data rows of one CSV file as canonical-column dicts."""

    def __init__(
        self,
        path: Path,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        encoding: str | None = None,
        mapping: dict[str, str] | None = None,
    ) -> None:
        require_file(path, "import.what_csv")
        self.path = path
        if encoding:
            encoding = ENCODING_ALIASES.get(encoding.lower(), encoding)
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise ImportFileError(
                    "import.unknown_encoding", path=path, encoding=repr(encoding)
                ) from None
        self.encoding = encoding or detect_encoding(path)
        self.size = path.stat().st_size
        self._required = required
        self._known = set(required) | set(optional)
        self._mapping = mapping or {}
        self.bytes_read = 0
        self.header: list[str] = []

    def rows(self) -> Iterator[CsvRow]:
        for batch in self.batches(1):
            yield make_row(self.header, *batch[0])

    def batches(self, size: int) -> Iterator[list[tuple[int, list[str]]]]:
        """Raw records as (line, fields) in lists of `size`; sets `header` first."""
        raw = self.path.open("rb")
        counting = _CountingReader(raw, self)
        text = io.TextIOWrapper(
            io.BufferedReader(counting, 1 << 16), encoding=self.encoding, newline=""
        )
        reader = csv.reader(text)
        try:
            self.header = self._read_header(reader)
            line = reader.line_num
            batch: list[tuple[int, list[str]]] = []
            for record in reader:
                start, line = line + 1, reader.line_num
                if not record or (len(record) == 1 and not record[0].strip()):
                    continue
                batch.append((start, record))
                if len(batch) >= size:
                    yield batch
                    batch = []
            if batch:
                yield batch
        except UnicodeDecodeError as exc:
            line = _first_bad_line(self.path, self.encoding)
            raise ImportFileError(
                "import.bad_bytes", path=self.path, line=line, encoding=self.encoding,
                detail=exc.reason,
            ) from None  # fmt: skip
        except csv.Error as exc:
            raise ImportFileError(
                "import.malformed", path=self.path, line=reader.line_num, detail=exc
            ) from None
        finally:
            raw.close()

    @property
    def cuttable(self) -> bool:
        """Whether `chunks` can split this file: a byte-safe encoding and no bare CR line ends."""
        if codecs.lookup(self.encoding).name not in _BYTE_CUTTABLE:
            return False
        with self.path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        return head.count(b"\r") == head.count(b"\r\n")

    def chunks(self, size: int) -> Iterator[Chunk]:
        """The data records in blocks of about `size` bytes, each cut at a record end.

        Parsing happens wherever the chunk goes (a worker process); only the
        header is parsed here.  Sets `header` first.
        """
        header_lines = self._header_line_count()
        with self.path.open("rb") as fh:
            for _ in range(header_lines):
                self.bytes_read += len(fh.readline())
            line, carry = header_lines + 1, b""
            while block := fh.read(size):
                self.bytes_read += len(block)
                buffer = carry + block
                cut = _record_end(buffer)
                data, carry = buffer[:cut], buffer[cut:]
                if data:
                    yield Chunk(line, data)
                    line += _line_count(data)
            if carry:
                yield Chunk(line, carry)

    def _header_line_count(self) -> int:
        with self.path.open("r", encoding=self.encoding, newline="") as text:
            reader = csv.reader(text)
            try:
                self.header = self._read_header(reader)
            except UnicodeDecodeError:
                raise ImportFileError(
                    "import.header_bytes", path=self.path, encoding=self.encoding
                ) from None
            except csv.Error as exc:
                raise ImportFileError(
                    "import.header_malformed", path=self.path, detail=exc
                ) from None
            return reader.line_num

    def _read_header(self, reader: Iterator[list[str]]) -> list[str]:
        try:
            first = next(reader)
        except StopIteration:
            raise ImportFileError("import.empty_file", path=self.path) from None
        header = [
            self._mapping.get(h.strip().lstrip("\ufeff"), h.strip().lstrip("\ufeff")) for h in first
        ]
        missing = [c for c in self._required if c not in header]
        if missing:
            raise ImportFileError(
                "import.missing_columns", path=self.path, missing=", ".join(missing),
                header=", ".join(first),
            )  # fmt: skip
        unknown = [h for h in header if h not in self._known]
        if unknown:
            raise ImportFileError(
                "import.unknown_columns", path=self.path, unknown=", ".join(unknown)
            )
        duplicated = {h for h in header if header.count(h) > 1}
        if duplicated:
            raise ImportFileError(
                "import.duplicated_columns",
                path=self.path,
                duplicated=", ".join(sorted(duplicated)),
            )
        return header


def _first_bad_line(path: Path, encoding: str) -> int:
    """The decoder reads ahead in blocks, so find the offending line by scanning lines."""
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                return number
    return 0


def _line_count(data: bytes) -> int:
    """Lines as the csv module numbers them: a CR alone (inside quotes, say) ends one too."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def _record_end(buffer: bytes) -> int:
    """Index just past the last line end in `buffer` that is outside quotes (0 if none).

    `buffer` starts at a record boundary; RFC 4180 doubles quotes inside quoted
    fields, so a line end is outside quotes exactly when the quotes before it are even.
    """
    end = len(buffer)
    while (pos := buffer.rfind(b"\n", 0, end)) >= 0:
        if buffer.count(b'"', 0, pos) % 2 == 0:
            return pos + 1
        end = pos
    return 0


def chunk_rows(chunk: Chunk, encoding: str, path: str) -> list[tuple[int, list[str]]]:
    """Parse one chunk into (line, fields), skipping blank lines, with file line numbers."""
    encoding = "utf-8" if codecs.lookup(encoding).name == "utf-8-sig" else encoding
    try:
        text = chunk.data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = chunk.first_line + _line_count(chunk.data[: exc.start])
        raise ImportFileError(
            "import.bad_bytes", path=path, line=line, encoding=encoding, detail=exc.reason
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    before = 0
    try:
        for record in reader:
            start, before = chunk.first_line + before, reader.line_num
            if record and (len(record) > 1 or record[0].strip()):
                rows.append((start, record))
    except csv.Error as exc:
        raise ImportFileError(
            "import.malformed", path=path, line=chunk.first_line + reader.line_num - 1, detail=exc
        ) from None
    return rows


def oversized(header: list[str], record: list[str]) -> tuple[str, str] | None:
    """(column, problem) for the first field longer than a field may be, else None."""
    if not record or max(map(len, record)) <= MAX_FIELD_CHARS:
        return None
    index = next(i for i, value in enumerate(record) if len(value) > MAX_FIELD_CHARS)
    name = header[index] if index < len(header) else f"field {index + 1}"
    return (
        name,
        say("row.oversized", length=f"{len(record[index]):,}", limit=f"{MAX_FIELD_CHARS:,}"),
    )


def make_row(header: list[str], line: int, record: list[str]) -> CsvRow:
    if (too_long := oversized(header, record)) is not None:
        return CsvRow(
            line, dict(zip(header, record, strict=False)), f"{too_long[0]}: {too_long[1]}"
        )
    if len(record) != len(header):
        problem = say("row.field_count", count=len(record), width=len(header))
        return CsvRow(line, dict(zip(header, record, strict=False)), problem)
    return CsvRow(line, dict(zip(header, record, strict=True)))


class _CountingReader(io.RawIOBase):
    def __init__(self, raw: io.BufferedReader, source: CsvSource) -> None:
        self._raw = raw
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)
        self._source.bytes_read += n or 0
        return n or 0
