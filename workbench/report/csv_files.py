"""`workbench report --csv DIR`: the report's raw tables as CSV files.

`scripts.csv` (each script version's total, then its rows by reason), `weekly.csv`,
`reasons.csv` and `kpi.csv` (the KPIs against the control group, overall and by kind, segment,
reason and script: the fields of `kpi --json` with the group in words).  Headers are the field names of `stats scripts --json` (codes, the same in
every language); the words for reasons follow the configured language.

Encoding: UTF-8 with a BOM by default, as the import's rejects file (Excel opens it as it
is); `cp932` (Shift_JIS) on request, for tools that read nothing else.  A character Shift_JIS
has no code for is refused with the file, line and field, before any file is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from workbench.report.labels import group_label, words
from workbench.services.report_data import ReportData
from workbench.talk.i18n import reason_label
from workbench.talk.stats import StatsRow

ENCODINGS = ("utf-8-sig", "cp932")
_ALIASES = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "sjis": "cp932", "shift_jis": "cp932",
            "shift-jis": "cp932", "windows-31j": "cp932"}  # fmt: skip

SCRIPT_FIELDS = (
    "level", "script_id", "version", "reason", "reason_label", "attempts", "contacts",
    "reactivations", "rate", "wilson_low", "wilson_high", "p_best", "not_enough_data", "revenue",
)  # fmt: skip
WEEK_FIELDS = ("week_start", "dials", "conversations", "reactivations", "rate", "wilson_low",
               "wilson_high", "revenue")  # fmt: skip
REASON_FIELDS = ("reason", "reason_label", "mentions", "customers", "reactivations", "notes")
# `kpi --json`'s fields, with the group in words after its code.
KPI_FIELDS = (
    "since", "until", "kpi", "group_by", "group", "group_label", "campaign_n", "control_n",
    "campaign", "control", "uplift", "uplift_low", "uplift_high", "relative_lift", "unit",
    "campaign_censored", "control_censored", "cost", "incremental_revenue", "incremental_low",
    "incremental_high",
)  # fmt: skip


class ReportFileError(Exception):
    """A report file that cannot be written: the message names the file (and line, field)."""


def encoding_for(name: str, language: str = "ja") -> str:
    """`name` as one of ENCODINGS; anything else is refused with the accepted ones."""
    chosen = _ALIASES.get(name.lower(), name.lower())
    if chosen not in ENCODINGS:
        raise ReportFileError(words(language)["bad_encoding"].format(name=name))
    return chosen


def _number(value: float | None, digits: int = 6) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _script_row(row: StatsRow, level: str, language: str) -> list[str]:
    return [
        level, row.script_id or "", row.version or "", row.reason or "",
        reason_label(row.reason, language) if row.reason else "",
        str(row.attempts), str(row.contacts), str(row.reactivations), _number(row.rate),
        _number(row.wilson_low), _number(row.wilson_high), _number(row.p_best),
        "true" if row.not_enough_data else "false", str(int(row.revenue)),
    ]  # fmt: skip


def tables(data: ReportData, language: str) -> dict[str, tuple[Sequence[str], list[list[str]]]]:
    """File name → (header, rows) of every table the report holds; a note's line breaks become
    spaces, so every record is one line and an error's line number is the file's."""
    scripts: list[list[str]] = []
    for group in data.scripts:
        scripts.append(_script_row(group.total, "total", language))
        scripts.extend(_script_row(row, "breakdown", language) for row in group.breakdown)
    weeks = [
        [w.start.isoformat(), str(w.funnel.dials), str(w.funnel.conversations),
         str(w.funnel.reactivations), _number(w.funnel.rate), _number(w.funnel.wilson_low),
         _number(w.funnel.wilson_high), str(w.funnel.revenue)]
        for w in data.weeks
    ]  # fmt: skip
    reasons = [
        [r.reason, reason_label(r.reason, language), str(r.mentions), str(r.customers),
         str(r.reactivations), " / ".join(" ".join(note.split()) for note in r.notes)]
        for r in data.reasons
    ]  # fmt: skip
    return {
        "scripts.csv": (SCRIPT_FIELDS, scripts),
        "weekly.csv": (WEEK_FIELDS, weeks),
        "reasons.csv": (REASON_FIELDS, reasons),
        "kpi.csv": (KPI_FIELDS, _kpi_rows(data, language)),
    }


def _kpi_rows(data: ReportData, language: str) -> list[list[str]]:
    """Every KPI row (overall, then each breakdown's groups); none without KPIs."""
    report = data.kpis
    if report is None:
        return []

    def count(value: int | None) -> str:
        return "" if value is None else str(value)

    return [
        [report.since.isoformat(), report.until.isoformat(), r.kpi, r.group_by, r.group,
         group_label(r.group_by, r.group, language), str(r.campaign_n), str(r.control_n),
         _number(r.campaign), _number(r.control), _number(r.uplift), _number(r.uplift_low),
         _number(r.uplift_high), _number(r.relative_lift), r.unit, count(r.campaign_censored),
         count(r.control_censored), _number(r.cost, 0), _number(r.incremental_revenue, 0),
         _number(r.incremental_low, 0), _number(r.incremental_high, 0)]
        for r in report.rows
    ]  # fmt: skip


def _encode(
    name: str, header: Sequence[str], rows: Iterable[list[str]], encoding: str, language: str
) -> bytes:
    """The file's bytes; a cell the encoding cannot hold names its line and field."""
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        for field, cell in zip(header, row, strict=True):
            try:
                cell.encode(encoding)
            except UnicodeEncodeError as exc:
                bad = cell[exc.start : exc.end]
                raise ReportFileError(
                    words(language)["unencodable"].format(
                        file=name,
                        line=line,
                        field=field,
                        char=bad,
                        code=ord(bad[0]),
                        encoding=encoding,
                    )
                ) from None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def write_csv(
    data: ReportData, folder: Path, language: str = "ja", encoding: str = "utf-8-sig"
) -> list[Path]:
    """Write every table into `folder` (created if missing); the paths written, in order.

    All files are encoded first, so an unencodable character leaves no file half-written.
    """
    chosen = encoding_for(encoding, language)
    encoded = {
        name: _encode(name, header, rows, chosen, language)
        for name, (header, rows) in tables(data, language).items()
    }
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, content in encoded.items():
            path = folder / name
            path.write_bytes(content)
            paths.append(path)
    except OSError as exc:
        raise ReportFileError(
            words(language)["cannot_write"].format(path=exc.filename or folder, why=exc.strerror)
        ) from None
    return paths
