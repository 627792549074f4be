"""`workbench report --html`: one self-contained HTML file (inline CSS and SVG, no network).

Every value that came from the database (script ids, reasons, customers' notes) goes through
`html.escape`; the page loads nothing from anywhere, so it opens offline and prints as shown.
"""

from __future__ import annotations

from datetime import date, tzinfo
from html import escape
from typing import TYPE_CHECKING

from workbench.report import svg
from workbench.report.labels import kpi_interval, kpi_value, shown_unit, words
from workbench.services.report_data import Funnel, ReportData
from workbench.talk.i18n import reason_label
from workbench.talk.stats import ScriptGroup, StatsRow, wilson_interval

if TYPE_CHECKING:
    from workbench.services.kpi import KpiReport

_CSS = """
body { font-family: sans-serif; margin: 24px; color: #1a202c; max-width: 1100px; }
h1 { font-size: 22px; } h3 { font-size: 14px; margin: 16px 0 0; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 2px solid #cbd5e0; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border: 1px solid #cbd5e0; padding: 4px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #edf2f7; }
.kpis { display: flex; flex-wrap: wrap; gap: 12px; }
.kpi { border: 1px solid #cbd5e0; padding: 8px 14px; min-width: 140px; }
.kpi b { display: block; font-size: 22px; }
.notice { border-left: 4px solid #b7791f; background: #fffaf0; padding: 8px 12px; }
.thin { color: #5f6b7a; }
svg { display: block; margin: 8px 0; max-width: 100%; height: auto; }
@media print {
  body { margin: 0; max-width: none; }
  h2 { break-after: avoid; } table, svg, .kpis { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _yen(value: float) -> str:
    return f"¥{value:,.0f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _interval(f: Funnel | StatsRow) -> str:
    """The Wilson 95 % interval to 4 decimals (as the JSON's `wilson_low`/`wilson_high`)."""
    rate = f.rate
    return "-" if rate is None else f"[{f.wilson_low:.4f}, {f.wilson_high:.4f}]"


def _kpis(data: ReportData, w: dict[str, str], language: str) -> str:
    t = data.totals
    cells = [
        ("dials", f"{t.dials:,}"), ("conversations", f"{t.conversations:,}"),
        ("reactivations", f"{t.reactivations:,}"), ("rate", _pct(t.rate)),
        ("interval", _interval(t)), ("revenue", _yen(t.revenue)),
    ]  # fmt: skip
    boxes = "".join(
        f'<div class="kpi">{escape(w[key])}<b>{escape(value)}</b></div>' for key, value in cells
    )
    return f'<h2>{escape(w["kpis"])}</h2><div class="kpis">{boxes}</div>' + _against_control(
        data.kpis, w, language
    )


def _against_control(report: KpiReport | None, w: dict[str, str], language: str) -> str:
    """The KPIs against the control group: the arms' reactivation rates as a chart (Wilson 95 %
    error bars), then every KPI's campaign and control figures and the uplift's interval."""
    head = f"<h3>{escape(w['kpi_heading'])}</h3>"
    if report is None:
        return head + f"<p>{escape(w['none'])}</p>"
    rows = [r for r in report.rows if r.group_by == "all"]
    by_kpi = {r.kpi: r for r in rows}
    intro = (
        f"<p>{escape(w['period'])}: {escape(period_label(report.since, report.until, language))}"
        f" / {escape(w['kpi_population'].format(campaign=report.campaign_n, control=report.control_n))}</p>"
    )
    notice = f'<p class="notice">{escape(w["no_control_note"])}</p>' if report.no_control else ""
    if report.control_contacted:
        note = w["control_contacted_note"].format(n=report.control_contacted)
        notice += f'<p class="notice">{escape(note)}</p>'
    react = by_kpi["reactivation_rate"]
    bars = []
    for name, n, rate, colour in (
        ("campaign_n", react.campaign_n, react.campaign, svg.CAMPAIGN_COLOUR),
        ("control_n", react.control_n, react.control, svg.CONTROL_COLOUR),
    ):
        if rate is None:
            continue
        low, high = wilson_interval(round(rate * n), n)
        bars.append(svg.Bar(f"{w[name]} ({n:,})", rate, low, high, _pct(rate), colour))
    chart = (
        f"<h3>{escape(w['kpi_chart'])}</h3>"
        + svg.column_chart(bars, svg.CAMPAIGN_COLOUR, w["kpi_chart"], percent=True, width=360)
        if bars
        else ""
    )
    header = "".join(
        f"<th>{escape(w[k])}</th>"
        for k in ("kpi", "campaign_n", "control_n", "campaign", "control", "uplift", "interval",
                  "relative_lift")
    )  # fmt: skip
    body = "".join(
        f'<tr><td>{escape(w["kpi." + r.kpi])}</td><td class="n">{r.campaign_n:,}</td>'
        f'<td class="n">{r.control_n:,}</td>'
        f'<td class="n">{escape(kpi_value(shown_unit(r.kpi, r.unit), r.campaign))}</td>'
        f'<td class="n">{escape(kpi_value(shown_unit(r.kpi, r.unit), r.control))}</td>'
        f'<td class="n">{escape(kpi_value(shown_unit(r.kpi, r.unit), r.uplift, signed=True))}</td>'
        f'<td class="n">{escape(kpi_interval(shown_unit(r.kpi, r.unit), r.uplift_low, r.uplift_high))}</td>'
        f'<td class="n">{"-" if r.relative_lift is None else f"{r.relative_lift:+.0%}"}</td></tr>'
        for r in rows
    )
    repurchase, roi = by_kpi["repurchase_rate"], by_kpi["roi"]
    censored = (repurchase.campaign_censored or 0) + (repurchase.control_censored or 0)
    notes = [
        w["kpi_censored"].format(days=report.repurchase_days, n=censored),
        w["kpi_roi_cost"].format(
            cost=_yen(roi.cost or 0.0),
            revenue="-" if roi.incremental_revenue is None else _yen(roi.incremental_revenue),
        ),
    ]
    return (
        f"{head}{intro}{notice}{chart}"
        f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
        + "".join(f'<p class="thin">{escape(n)}</p>' for n in notes)
    )


def _script_label(row: StatsRow) -> str:
    """The script id and its version abbreviated as git does; imported history has no version."""
    return f"{row.script_id or '-'} {row.version[:7]}" if row.version else row.script_id or "-"


def _script_row(row: StatsRow, name: str, w: dict[str, str], total: bool) -> str:
    p_best = (
        w["thin"] if row.not_enough_data else _pct(row.p_best) if row.p_best is not None else "-"
    )
    cells = [
        f"<td>{escape(name)}</td>",
        *(f'<td class="n">{v:,}</td>' for v in (row.attempts, row.contacts, row.reactivations)),
        f'<td class="n">{_pct(row.rate)}</td>',
        f'<td class="n">{_interval(row)}</td>',
        f'<td class="n{" thin" if row.not_enough_data else ""}">{escape(p_best)}</td>',
        f'<td class="n">{_yen(row.revenue)}</td>',
    ]
    css = ' class="total"' if total else ""
    return f"<tr{css}>{''.join(cells)}</tr>"


def _scripts(groups: tuple[ScriptGroup, ...], w: dict[str, str], language: str) -> str:
    head = f"<h2>{escape(w['scripts'])}</h2>"
    if not groups:
        return head + f"<p>{escape(w['none'])}</p>"
    totals = [g.total for g in groups]
    rate_bars = [
        svg.Bar(_script_label(r), r.rate or 0.0, r.wilson_low, r.wilson_high, _pct(r.rate))
        for r in totals
    ]
    won_bars = [
        svg.Bar(_script_label(r), r.reactivations, text=f"{r.reactivations:,}") for r in totals
    ]
    charts = (
        f"<h3>{escape(w['reactivations'])}</h3>"
        + svg.column_chart(won_bars, svg.WON_COLOUR, w["reactivations"])
        + f"<h3>{escape(w['scripts_chart'])}</h3>"
        + svg.column_chart(rate_bars, svg.RATE_COLOUR, w["scripts_chart"], percent=True)
    )
    header = "".join(
        f"<th>{escape(w[k])}</th>"
        for k in (
            "script",
            "attempts",
            "contacts",
            "won",
            "rate_short",
            "interval",
            "p_best",
            "revenue",
        )
    )
    rows = []
    for group in groups:
        rows.append(_script_row(group.total, _script_label(group.total), w, total=True))
        for part in group.breakdown:
            reason = reason_label(part.reason, language) if part.reason else w["no_reason"]
            rows.append(_script_row(part, "\u3000" + reason, w, total=False))
    return (
        f"{head}{charts}"
        f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f'<p class="thin">{escape(w["thin_note"])}</p>'
    )


def _trend(data: ReportData, w: dict[str, str]) -> str:
    head = f"<h2>{escape(w['trend'])}</h2>"
    if not data.weeks:
        return head + f"<p>{escape(w['none'])}</p>"
    labels = [week.start.strftime("%m/%d") for week in data.weeks]
    chart = svg.line_chart(
        labels,
        [
            svg.Series(w["dials"], svg.DIALS_COLOUR, [wk.funnel.dials for wk in data.weeks]),
            svg.Series(
                w["conversations"],
                svg.CONVERSATIONS_COLOUR,
                [wk.funnel.conversations for wk in data.weeks],
            ),
            svg.Series(
                w["reactivations"], svg.WON_COLOUR, [wk.funnel.reactivations for wk in data.weeks]
            ),
        ],  # fmt: skip
        w["trend"],
    )
    header = "".join(
        f"<th>{escape(w[k])}</th>"
        for k in ("week", "dials", "conversations", "reactivations", "rate_short", "revenue")
    )
    rows = "".join(
        f'<tr><td>{wk.start.isoformat()}</td><td class="n">{wk.funnel.dials:,}</td>'
        f'<td class="n">{wk.funnel.conversations:,}</td><td class="n">{wk.funnel.reactivations:,}</td>'
        f'<td class="n">{_pct(wk.funnel.rate)}</td><td class="n">{_yen(wk.funnel.revenue)}</td></tr>'
        for wk in data.weeks
    )
    return f"{head}{chart}<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def _reasons(data: ReportData, w: dict[str, str], language: str) -> str:
    head = f"<h2>{escape(w['reasons'])}</h2>"
    if not data.reasons:
        return head + f"<p>{escape(w['none'])}</p>"
    bars = [
        svg.Bar(reason_label(r.reason, language), r.mentions, text=f"{r.mentions:,}")
        for r in data.reasons
    ]
    chart = svg.row_chart(bars, svg.REASON_COLOUR, w["reasons"])
    header = "".join(
        f"<th>{escape(w[k])}</th>"
        for k in ("reason", "mentions", "customers", "reactivations", "notes")
    )
    rows = "".join(
        f'<tr><td>{escape(reason_label(r.reason, language))}</td><td class="n">{r.mentions:,}</td>'
        f'<td class="n">{r.customers:,}</td><td class="n">{r.reactivations:,}</td>'
        f"<td>{'<br>'.join(escape(note) for note in r.notes)}</td></tr>"
        for r in data.reasons
    )
    return f"{head}{chart}<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def render_html(data: ReportData, language: str = "ja", zone: tzinfo | None = None) -> str:
    """The whole report as one HTML document (Japanese unless `language` is "en")."""
    w = words(language)
    lang = "en" if language == "en" else "ja"
    generated = data.generated_at.astimezone(zone) if zone else data.generated_at
    body = [
        f"<h1>{escape(w['title'])}</h1>",
        f"<p>{escape(w['period'])}: {escape(period_label(data.since, data.until, language))} / "
        f"{escape(w['generated'])}: {escape(generated.strftime('%Y-%m-%d %H:%M %z'))}</p>",
        _kpis(data, w, language),
        _scripts(data.scripts, w, language),
        _trend(data, w),
        _reasons(data, w, language),
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(w['title'])}</title><style>{_CSS}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def period_label(since: date | None, until: date | None, language: str) -> str:
    """The period as the report's heading says it (for messages)."""
    w = words(language)
    if since and until:
        return w["period_range"].format(since=since, until=until)
    if since:
        return w["period_from"].format(since=since)
    if until:
        return w["period_until"].format(until=until)
    return w["period_all"]
