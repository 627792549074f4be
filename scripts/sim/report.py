"""Figures per run, per world (mean and min–max over seeds), and the Markdown tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from statistics import mean

from .audit import AuditReport
from .runner import RunResult
from .strategies import BASELINES

CONVERSATIONS = {"reactivated", "callback", "not_interested", "do_not_call", "complaint", "nothing"}
ON_TIME = timedelta(minutes=15)


@dataclass(frozen=True)
class Figures:
    world: str
    seed: int
    strategy: str
    dials: int
    conversations: int
    reactivations: int
    revenue: int
    expected_reactivations: float
    expected_revenue: float
    callbacks_asked: int
    callbacks_on_time: int
    violations: int
    waived: int
    rejected: int
    idle: int
    seconds: float
    operator_hours: float = 0.0  # dials ÷ dials per operator-hour
    emails_sent: int = 0  # messages that reached the customers' server
    responders: int = 0  # customers reported to the product as opened, clicked or replied
    email_violations: int = 0
    email_checked: int = 0


def figures(run: RunResult, audit: AuditReport, dials_per_operator_hour: float = 0.0) -> Figures:
    asked = on_time = 0
    by_customer: dict[str, list] = {}
    for d in run.dials:
        by_customer.setdefault(d.customer_id, []).append(d.at)
    for d in run.dials:
        if d.callback_at is None or run.end is None or d.callback_at > run.end:
            continue
        asked += 1
        on_time += any(
            abs(at - d.callback_at) <= ON_TIME for at in by_customer[d.customer_id] if at > d.at
        )
    wins = [d for d in run.dials if d.world_outcome == "reactivated"]
    return Figures(
        run.world, run.seed, run.strategy, len(run.dials),
        sum(1 for d in run.dials if d.world_outcome in CONVERSATIONS), len(wins), sum(d.amount for d in wins),
        sum(d.expected for d in run.dials), sum(d.expected * d.value for d in run.dials),
        asked, on_time, audit.total, audit.waived, sum(1 for d in run.dials if d.rejected), run.idle, run.seconds,
        len(run.dials) / dials_per_operator_hour if dials_per_operator_hour else 0.0,
        run.mail.messages if run.mail else 0, len(run.mail.responders) if run.mail else 0,
        run.email_audit.total if run.email_audit else 0, run.email_audit.checked if run.email_audit else 0,
    )  # fmt: skip


def oracle_beaten(rows: list[Figures]) -> list[str]:
    """Strategies that beat the oracle of the same world and seed on reactivations or revenue."""
    out = []
    for f in rows:
        oracle = _find(rows, f.world, f.seed, "oracle")
        if oracle is None or f.strategy == "oracle":
            continue
        if f.reactivations > oracle.reactivations or f.revenue > oracle.revenue:
            out.append(f"{f.strategy} beat the oracle in {f.world} seed {f.seed}: {f.reactivations} vs {oracle.reactivations} "
                       f"reactivations, ¥{f.revenue:,} vs ¥{oracle.revenue:,}")  # fmt: skip
    return out


def _find(rows: list[Figures], world: str, seed: int, strategy: str) -> Figures | None:
    return next((r for r in rows if (r.world, r.seed, r.strategy) == (world, seed, strategy)), None)


def _ratios(
    rows: list[Figures], f: Figures
) -> tuple[float | None, float | None, float | None, float | None]:
    oracle = _find(rows, f.world, f.seed, "oracle")
    base = [b for b in (_find(rows, f.world, f.seed, s) for s in BASELINES) if b is not None]

    def div(a: float, b: float) -> float | None:
        return a / b if b else None

    return (
        div(f.reactivations, oracle.reactivations) if oracle else None,
        div(f.revenue, oracle.revenue) if oracle else None,
        div(f.reactivations, max(b.reactivations for b in base)) if base else None,
        div(f.revenue, max(b.revenue for b in base)) if base else None,
    )


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _x(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}×"


def _cb(f: Figures) -> str:
    return f"{f.callbacks_on_time}/{f.callbacks_asked}" if f.callbacks_asked else "0/0"


def run_table(rows: list[Figures]) -> list[str]:
    lines = ["| world | seed | strategy | dials | conversations | reactivations (expected) | revenue (expected) | % oracle react. / rev. | × best baseline react. / rev. | callbacks on time | audit violations | oracle beaten |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]  # fmt: skip
    beaten = oracle_beaten(rows)
    for f in rows:
        po, pr, bo, br = _ratios(rows, f)
        flag = (
            "YES"
            if any(
                b.startswith(f"{f.strategy} beat the oracle in {f.world} seed {f.seed}:")
                for b in beaten
            )
            else ""
        )
        lines.append(f"| {f.world} | {f.seed} | {f.strategy} | {f.dials:,} | {f.conversations:,} | {f.reactivations} ({f.expected_reactivations:.1f}) | "
                     f"¥{f.revenue:,} (¥{f.expected_revenue:,.0f}) | {_pct(po)} / {_pct(pr)} | {_x(bo)} / {_x(br)} | {_cb(f)} | {f.violations} | {flag} |")  # fmt: skip
    return lines


def _spread(values: list[float], fmt: str) -> str:
    return f"{fmt.format(mean(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def world_table(rows: list[Figures]) -> list[str]:
    """Per world and strategy: mean (min–max) over seeds."""
    lines = ["| world | strategy | seeds | dials | conversations | reactivations | revenue ¥k | % oracle react. | % oracle rev. | × best baseline react. | × best baseline rev. | callbacks on time | violations |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]  # fmt: skip
    worlds = list(dict.fromkeys(r.world for r in rows))
    strategies = list(dict.fromkeys(r.strategy for r in rows))
    for world in worlds:
        for strategy in strategies:
            group = [r for r in rows if r.world == world and r.strategy == strategy]
            if not group:
                continue
            ratios = [_ratios(rows, f) for f in group]
            cols = []
            for i in range(4):
                vals = [v for r in ratios if (v := r[i]) is not None]
                cols.append(_spread([100 * v for v in vals], "{:.0f}%") if i < 2 and vals else
                            _spread(vals, "{:.2f}×") if vals else "-")  # fmt: skip
            asked = sum(f.callbacks_asked for f in group)
            on_time = sum(f.callbacks_on_time for f in group)
            lines.append(
                f"| {world} | {strategy} | {len(group)} | {_spread([f.dials for f in group], '{:,.0f}')} | "
                f"{_spread([f.conversations for f in group], '{:,.0f}')} | {_spread([f.reactivations for f in group], '{:.1f}')} | "
                f"{_spread([f.revenue / 1000 for f in group], '{:,.0f}')} | {' | '.join(cols)} | "
                f"{(100 * on_time / asked if asked else 0):.0f}% of {asked} | {sum(f.violations for f in group)} |"
            )
    return lines


def line(f: Figures) -> str:
    return (f"{f.world:<16} seed {f.seed:<3} {f.strategy:<10} dials {f.dials:>5}  conv {f.conversations:>4}  "
            f"react {f.reactivations:>4} (exp {f.expected_reactivations:6.1f})  revenue ¥{f.revenue:>11,}  "
            f"callbacks {_cb(f):>7}  violations {f.violations}  rejected {f.rejected}  idle {f.idle}"
            + (f"  emails {f.emails_sent}  responders {f.responders}  email violations {f.email_violations}"
               if f.strategy == "email_then_call" else "") + f"  [{f.seconds:.0f}s]")  # fmt: skip
