"""Human-readable tables for the CLI (rich), kept apart from the command wiring."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from workbench.cli.labels import labels
from workbench.domain.category_labels import category_label
from workbench.domain.code_labels import (
    CHANNELS,
    KINDS,
    NUMBER_TYPES,
    OUTCOMES,
    REASON_SOURCES,
    RULES,
    SOURCES,
    STATES,
    WEEKDAYS,
    code_label,
)
from workbench.domain.local_time import iso, zone_named
from workbench.talk.i18n import reason_label

if TYPE_CHECKING:
    from workbench.services.customers import CustomerDetail, CustomerSummary
    from workbench.services.explain import Explanation
    from workbench.services.queue import QueueEntry

_console: Console | None = None


def out() -> Console:
    """The process's console, made on first use: piped output gets a wide one so tables are
    not squeezed to 80 columns.  (Not at import: the command server imports this module
    before it knows whose terminal, or pipe, a command writes to.)"""
    global _console
    if _console is None:
        _console = Console(width=None if sys.stdout.isatty() else 200)
    return _console


def _yen(amount: int | None) -> str:
    return "" if amount is None else f"¥{amount:,}"


def _with_code(label: str, code: str) -> str:
    """A state in words with the code `--state` takes: 休眠 (dormant)."""
    return label if label == code else f"{label} ({code})"


def customers_table(rows: list[CustomerSummary], language: str = "ja") -> None:
    t = labels(language)
    table = Table(show_lines=False)
    for key in (
        "t.id",
        "t.name",
        "t.kind",
        "t.state",
        "t.days",
        "t.orders",
        "t.spend",
        "t.rfm",
        "t.phone",
    ):
        table.add_column(
            t[key], no_wrap=key != "t.name", min_width=12 if key == "t.name" else None
        )  # fmt: skip
    for c in rows:
        rfm = f"{c.recency}{c.frequency}{c.monetary_score}" if c.recency else "-"
        name = f"{c.name} ({c.company})" if c.company else c.name
        days = "" if c.days_since_last_order is None else str(c.days_since_last_order)
        table.add_row(
            c.external_id,
            name,
            code_label(KINDS, c.kind, language),
            _with_code(code_label(STATES, c.state, language), c.state),
            days,
            str(c.n_orders),
            _yen(c.monetary),
            rfm,
            c.phone or "",
        )
    out().print(table)
    out().print(t["t.count"].format(n=len(rows)))


def customer_detail(
    detail: CustomerDetail, language: str = "ja", categories: Mapping[str, str] | None = None
) -> None:
    t = labels(language)
    s = detail.summary
    state = _with_code(code_label(STATES, s.state, language), s.state)
    kind = code_label(KINDS, s.kind, language)
    out().print(
        f"[bold]{s.name}[/bold]  {s.external_id}  {kind}  {t['d.state']}: [bold]{state}[/bold]"
    )
    for key in ("name_kana", "company", "contact_person", "previous_rep", "email", "prefecture"):
        if detail.customer.get(key):
            out().print(f"  {t['d.' + key]}: {detail.customer[key]}")
    for phone in detail.phones:
        retired = f"  {t['d.retired']}" if phone["retired_at"] else ""
        number_type = code_label(NUMBER_TYPES, phone["number_type"], language)
        out().print(
            f"  {t['d.phone']} {phone['position']}: {phone['e164']} {number_type} {phone['time_zones']}{retired}"
        )
    rfm = f"{s.recency}/{s.frequency}/{s.monetary_score}"
    out().print("  " + t["d.orders"].format(n=s.n_orders, spend=_yen(s.monetary), rfm=rfm))
    if detail.control_group:
        out().print(f"  [yellow]{t['d.control']}[/yellow]")
    if detail.do_not_call:
        out().print(
            f"  [red]{t['d.dnc']}[/red]: "
            + "; ".join(
                str(d["reason"] or code_label(SOURCES, d["source"], language))
                for d in detail.do_not_call
            )
        )
    zone = zone_named(s.zone)  # the customer's zone: their orders and calls on their clock
    purchases = Table(title=t["d.purchases"])
    for key in ("d.ordered_at", "d.amount", "d.category", "d.product", "d.source"):
        purchases.add_column(t[key])
    for p in detail.purchases[-20:]:
        purchases.add_row(
            iso(p["ordered_at"], zone) or "",  # type: ignore[arg-type]
            _yen(p["amount"]),
            category_label(p["category"], language, categories),
            p["product"] or "",
            code_label(SOURCES, str(p.get("source") or ""), language),
        )
    out().print(purchases)
    contacts = Table(title=t["d.contacts"])
    for key in ("d.at", "d.channel", "d.outcome", "d.operator", "t.reason", "d.note"):
        contacts.add_column(t[key])
    for a in detail.contacts[-20:]:
        contacts.add_row(
            iso(a["at"], zone) or "",  # type: ignore[arg-type]
            code_label(CHANNELS, a["channel"], language),
            code_label(OUTCOMES, a["outcome"], language),
            a["operator"] or "",
            reason_label(a["reason"], language) if a["reason"] else "",
            a["note"] or "",
        )
    out().print(contacts)


def queue_table(entries: list[QueueEntry], language: str = "ja") -> None:
    t = labels(language)
    table = Table()
    for key in (
        "t.id",
        "t.name",
        "t.score",
        "t.value",
        "t.p_back",
        "t.p_answer",
        "t.local",
        "t.state",
        "t.reason",
        "t.script",
        "t.phone",
    ):
        table.add_column(t[key], no_wrap=key != "t.name", min_width=10 if key == "t.name" else None)
    weekdays = WEEKDAYS["en" if language == "en" else "ja"]
    for e in entries:
        p = e.parts
        flag = " ☎" if e.callback_due else ""
        local = f"{weekdays[e.local_time.weekday()]} {e.local_time:%H:%M}"
        reason = t["t.reason_source"].format(
            reason=reason_label(e.reason, language),
            source=code_label(REASON_SOURCES, e.reason_source, language),
        )
        table.add_row(
            e.external_id + flag, e.name, f"{e.score:,.0f}", _yen(int(p.value)), f"{p.p_come_back:.2f}",
            "" if p.p_answer is None else f"{p.p_answer:.2f}", local,
            code_label(STATES, e.state, language), reason, e.script.script_id if e.script else "-", e.phone,
        )  # fmt: skip
    out().print(table)
    if not entries:
        out().print(t["t.nothing"])


def explanation(result: Explanation, language: str = "ja") -> None:
    from rich.cells import cell_len

    t = labels(language)
    out().print(
        t["t.callable"].format(
            at=iso(result.at, result.zone), n=result.callable_now, total=result.in_callable_states
        )
    )
    rows = [
        (code_label(RULES, code, language), count) for code, count in result.held_back.most_common()
    ]
    width = max([22, *(cell_len(label) for label, _ in rows)])
    for label, count in rows:
        out().print(f"  {label}{' ' * (width - cell_len(label))} {count:>10,}")
    if result.next_callable_at:
        when = iso(result.next_callable_at, result.next_callable_zone)
        out().print(t["t.next_at"].format(at=when))


# --- Tables laid out to fit a width (`stats scripts`, `stats emails`) -----------------------
# Rich squeezes a table that is too wide by cutting every cell ("ス …", "デー…").  These
# helpers decide instead: figures keep their full (compact) width, and only the columns
# marked flexible (ids, labels) wrap, at "_", "-", "/" or spaces, to what is left.


def output_width() -> int:
    """Columns to fit: the terminal's on a TTY, else COLUMNS when it is set, else 80."""
    import os
    import shutil

    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) >= 20 else 80


def wrap_cell(text: str, width: int) -> str:
    """`text` in lines of at most `width` cells (double-width characters count two), broken
    after "_", "-", "/" or at a space; a piece longer than a line is folded.  A leading
    indent is repeated on every continuation line."""
    from rich.cells import cell_len, chop_cells

    lines: list[str] = []
    for paragraph in text.split("\n"):
        body = paragraph.lstrip(" ")
        indent = paragraph[: len(paragraph) - len(body)]
        room = max(1, width - cell_len(indent))
        pieces, piece = [], ""
        for char in body:
            piece += char
            if char in "_-/ ":
                pieces.append(piece)
                piece = ""
        if piece:
            pieces.append(piece)
        line = ""
        for piece in pieces:
            if cell_len(line + piece.rstrip(" ")) <= room:
                line += piece
                continue
            if line.strip():
                lines.append(indent + line.rstrip(" "))
            line = ""
            folded = chop_cells(piece.rstrip(" "), room) or [""]
            lines.extend(indent + part for part in folded[:-1])
            line = folded[-1] + (" " if piece.endswith(" ") else "")
        lines.append(indent + line.rstrip(" "))
    return "\n".join(lines)


def fit_widths(natural: list[int], minimum: list[int | None], room: int) -> list[int]:
    """Column widths within `room` cells: a column with a minimum (flexible) gives up cells,
    the widest first, down to its minimum; one without keeps its natural width."""
    widths = list(natural)
    while sum(widths) > room:
        shrinkable = [i for i, low in enumerate(minimum) if low is not None and widths[i] > low]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i] - (minimum[i] or 0))
        widths[widest] -= 1
    return widths


@dataclass
class FitColumn:
    """A column of plain-text cells; `min_width` makes it flexible (it may wrap down to it)."""

    header: str
    cells: list[str]
    right: bool = False
    min_width: int | None = None


def fitted_table(
    columns: list[FitColumn],
    width: int,
    *,
    row_styles: list[str] | None = None,
    sections_after: set[int] | frozenset[int] = frozenset(),
) -> Table:
    """A borderless table (a rule under the headers) that fits `width` cells when its fixed
    columns and the flexible columns' minimums fit; cells are never cut with "…"."""
    from rich import box
    from rich.cells import cell_len

    def natural(column: FitColumn) -> int:
        texts = [column.header, *column.cells]
        return max(cell_len(line) for text in texts for line in text.split("\n"))

    gap = 2
    naturals = [natural(column) for column in columns]
    if sum(naturals) + gap * (len(columns) - 1) > width:
        gap = 1  # figures closer together before any id wraps
    room = width - gap * (len(columns) - 1)
    widths = fit_widths(naturals, [column.min_width for column in columns], room)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, gap - 1, 0, 0))
    for column, size in zip(columns, widths, strict=True):
        table.add_column(
            wrap_cell(column.header, size), width=size, overflow="fold",
            justify="right" if column.right else "left",
        )  # fmt: skip
    wrapped = [
        [cell if size >= natural_size else wrap_cell(cell, size) for cell in column.cells]
        for column, size, natural_size in zip(columns, widths, naturals, strict=True)
    ]
    for index, cells in enumerate(zip(*wrapped, strict=True)):
        table.add_row(
            *cells,
            style=row_styles[index] if row_styles else None,
            end_section=index in sections_after,
        )
    return table


def table_fits(columns: list[FitColumn], width: int) -> bool:
    """Whether `fitted_table` can lay the columns out in `width` cells without cutting any."""
    from rich.cells import cell_len

    def least(column: FitColumn) -> int:
        texts = [column.header, *column.cells]
        widest = max(cell_len(line) for text in texts for line in text.split("\n"))
        return widest if column.min_width is None else min(widest, column.min_width)

    return sum(least(column) for column in columns) + len(columns) - 1 <= width


def table_console() -> Console:
    """A console of `output_width()` columns (piped output included)."""
    return Console(width=output_width())


def compact_count(value: float, language: str) -> str:
    """9,999 as it is; larger counts in 万/億 (Japanese) or k/M (English): 12.3万, 12.3k."""
    number = int(value)
    if abs(number) < 10_000:
        return f"{number:,}"
    if language == "en":
        return f"{number / 1e6:.1f}M" if abs(number) >= 1_000_000 else f"{number / 1e3:.1f}k"
    return f"{number / 1e8:.1f}億" if abs(number) >= 100_000_000 else f"{number / 1e4:.1f}万"


def compact_yen(value: float, language: str) -> str:
    """¥3,500, ¥12.3万 / ¥12.3k, ¥1.2億 / ¥1.2M."""
    return "¥" + compact_count(value, language)


def pct_range(low: float, high: float) -> str:
    """A 95 % interval in whole percents, widened outward (floor, ceiling): [11-77%].
    An ASCII hyphen: the en dash is double width in East Asian terminals."""
    import math

    return f"[{math.floor(low * 100 + 1e-9)}-{math.ceil(high * 100 - 1e-9)}%]"
