"""Call-only against email-then-call on the same worlds and seeds: the Markdown table."""

from __future__ import annotations

from statistics import mean

from .report import Figures

LABELS = {"workbench": "call-only", "email_then_call": "email-then-call"}


def _spread(values: list[float], fmt: str) -> str:
    return f"{fmt.format(mean(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def _per_hour(value: float, hours: float) -> float:
    return value / hours if hours else 0.0


def email_table(rows: list[Figures]) -> list[str]:
    """Per world and policy: mean (min–max) over the seeds both policies ran."""
    lines = [
        "| world | policy | seeds | reactivations | revenue ¥k | dials | conversations | emails sent | responders | operator-hours | reactivations / op-hour | revenue ¥ / op-hour | violations (calls / email) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for world in dict.fromkeys(r.world for r in rows):
        seeds = [
            s
            for s in dict.fromkeys(r.seed for r in rows if r.world == world)
            if all(
                any((r.world, r.seed, r.strategy) == (world, s, p) for r in rows) for p in LABELS
            )
        ]
        for policy, label in LABELS.items():
            group = [
                r for r in rows if r.world == world and r.strategy == policy and r.seed in seeds
            ]
            if not group:
                continue
            email = policy == "email_then_call"
            lines.append(
                f"| {world} | {label} | {len(group)} | "
                f"{_spread([f.reactivations for f in group], '{:.1f}')} | "
                f"{_spread([f.revenue / 1000 for f in group], '{:,.0f}')} | "
                f"{_spread([f.dials for f in group], '{:,.0f}')} | "
                f"{_spread([f.conversations for f in group], '{:,.0f}')} | "
                + (f"{_spread([f.emails_sent for f in group], '{:,.0f}')} | "
                   f"{_spread([f.responders for f in group], '{:,.0f}')} | " if email else "0 | 0 | ")
                + f"{_spread([f.operator_hours for f in group], '{:.1f}')} | "
                f"{_spread([_per_hour(f.reactivations, f.operator_hours) for f in group], '{:.2f}')} | "
                f"{_spread([_per_hour(f.revenue, f.operator_hours) for f in group], '{:,.0f}')} | "
                f"{sum(f.violations for f in group)} / "
                + (f"{sum(f.email_violations for f in group)} of {sum(f.email_checked for f in group):,} |" if email else "- |")
            )  # fmt: skip
    return lines


def has_pair(rows: list[Figures]) -> bool:
    return all(any(r.strategy == p for r in rows) for p in LABELS)
