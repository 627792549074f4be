"""An honest simulation benchmark: simulated contact centres with hidden truth, driving the workbench.

    python scripts/simulate.py                      # 3 worlds × 3 seeds × every strategy, default scale
    python scripts/simulate.py --quick              # a smoke test: small worlds, few days
    python scripts/simulate.py --quick --email      # call-only against email-then-call (and the oracle)
    python scripts/simulate.py --record docs/benchmarks.md

Each world is generated here (scripts/sim/): customers, purchases and contact
history written as the workbench's CSV files and loaded with the product's
import; the hidden truth (answering habits, true reasons, win-back propensity,
order value, callback habits) stays in the simulator.  Every strategy starts
from an identical copy of the imported database and works the same dial slots;
each dial is allowed by the product's rules and recorded by its disposition
service.  An independent audit (scripts/sim/audit.py) re-checks every dial
against the README's calling rules.

Strategies: the workbench's claim; three human-team baselines (random, most recently lapsed,
highest spend first) with a team's scripts; `informed`, which knows each customer's answering
habits, propensity and order value but not why they left (what ordering alone could reach);
and the oracle, which also knows the true reason and dials with the best script.

The email step (`email_then_call`): each customer has hidden email habits (address, consent,
P(open), P(click | open), P(reply | open), a dead address), the product runs with
`[escalation] enabled = true` and sends over SMTP to a real server the simulator starts on
loopback; reactions are reported back through `workbench import contacts` (opens, clicks,
unsubscribes) and replies through `workbench escalation ingest --maildir` (scripts/sim/
mail_loop.py); a responder is likelier to be won back when called.  The email audit
(scripts/sim/email_audit.py) re-checks every recipient against consent, opt-outs and bounces.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from benchlib import machine  # type: ignore[import-not-found]
from sim.audit import Dial, audit
from sim.email_report import email_table, has_pair
from sim.report import Figures, figures, line, oracle_beaten, run_table, world_table
from sim.runner import Prepared, audit_inputs, prepare, run_strategy
from sim.strategies import EMAIL_PAIR, STRATEGIES
from sim.world import QUICK, WORLDS, Scale


def run_and_audit(prepared: Prepared, strategy: str, scale: Scale) -> tuple[Figures, list[str]]:
    result = run_strategy(prepared, strategy, scale)
    history, zones, flagged = audit_inputs(prepared)
    report = audit(
        [Dial(d.customer_id, d.at, d.outcome, d.callback_at) for d in result.dials],
        history,
        zones,
        flagged,
    )
    rejected = [
        f"{d.customer_id} {d.at.isoformat()}: {d.rejected}" for d in result.dials if d.rejected
    ][:5]
    mail_notes = result.email_audit.examples[:5] if result.email_audit else []
    if result.mail is not None:
        mail_notes += [f"email to no simulated customer: {u}" for u in result.mail.unmatched[:5]]
        if result.mail.import_rejected:
            mail_notes.append(f"the import refused {result.mail.import_rejected} provider events")
        spent = ", ".join(f"{k} {v:.0f}s" for k, v in result.mail.cli_seconds.items())
        print(
            f"  {result.world} seed {result.seed}: email step {result.mail.sent} {result.mail.reported} ingest {result.mail.ingest}; CLI {spent}",
            flush=True,
        )
    return (
        figures(result, report, scale.dials_per_hour / scale.operators),
        report.examples[:5] + rejected + mail_notes,
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--worlds", default=",".join(WORLDS), help=f"comma-separated, from {', '.join(WORLDS)}"
    )
    parser.add_argument(
        "--seeds", default="1,2,3", help="comma-separated seeds (each world is generated per seed)"
    )
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument(
        "--customers", type=int, default=None, help="customers per world (default 1200; quick 250)"
    )
    parser.add_argument(
        "--days", type=int, default=None, help="working days (Mon–Sat, not holidays; default 12)"
    )
    parser.add_argument(
        "--dials-per-hour",
        type=int,
        default=None,
        help="dials per hour for the centre (default 16)",
    )
    parser.add_argument(
        "--operators", type=int, default=None, help="operators sharing the dials (default 4)"
    )
    parser.add_argument("--hours", default=None, help="the centre's hours in JST, e.g. 9-20")
    parser.add_argument("--quick", action="store_true", help="small worlds, few days: a smoke test")
    parser.add_argument(
        "--email",
        action="store_true",
        help="only call-only (workbench), email-then-call and the oracle (overrides --strategies)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument(
        "--record", type=Path, default=None, help="append a dated section to this Markdown file"
    )
    args = parser.parse_args(argv)
    if args.email:
        args.strategies = ",".join([*EMAIL_PAIR, "oracle"])
    for name in args.worlds.split(","):
        if name not in WORLDS:
            parser.error(f"--worlds: unknown world {name!r} (known: {', '.join(WORLDS)})")
    for name in args.strategies.split(","):
        if name not in STRATEGIES:
            parser.error(
                f"--strategies: unknown strategy {name!r} (known: {', '.join(STRATEGIES)})"
            )
    try:
        args.seed_list = [int(s) for s in args.seeds.split(",")]
    except ValueError:
        parser.error(f"--seeds: expected comma-separated integers, got {args.seeds!r}")
    scale = QUICK if args.quick else Scale()
    changes: dict[str, object] = {}
    for key in ("customers", "days", "dials_per_hour", "operators"):
        if getattr(args, key) is not None:
            if getattr(args, key) < 1:
                parser.error(f"--{key.replace('_', '-')}: must be at least 1")
            changes[key] = getattr(args, key)
    if args.hours:
        try:
            open_hour, close_hour = (int(x) for x in args.hours.split("-"))
        except ValueError:
            parser.error(f"--hours: expected START-END in whole hours, got {args.hours!r}")
        if not 0 <= open_hour < close_hour <= 24:
            parser.error(f"--hours: {args.hours!r} is not a range of hours within a day")
        changes.update(open_hour=open_hour, close_hour=close_hour)
    args.scale = replace(scale, **changes)  # type: ignore[arg-type]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    scale: Scale = args.scale
    worlds, strategies = args.worlds.split(","), args.strategies.split(",")
    print(f"scale: {scale.customers} customers, {scale.days} working days from {scale.start}, {scale.dials_per_hour} dials/hour, "
          f"{scale.operators} operators, {scale.open_hour:02d}:00–{scale.close_hour:02d}:00 JST; jobs {args.jobs}", flush=True)  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="simulate_"))
    started = time.perf_counter()
    rows: list[Figures] = []
    try:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            prepared = list(
                pool.map(
                    prepare, *zip(*[(w, s, scale, workdir) for w in worlds for s in args.seed_list])
                )
            )
            for p in prepared:
                if p.rejected:
                    print(
                        f"WARNING: the product's import rejected {p.rejected} generated rows in {p.world} seed {p.seed}",
                        flush=True,
                    )
            tasks = [(p, s) for p in prepared for s in strategies]
            futures = [pool.submit(run_and_audit, p, s, scale) for p, s in tasks]
            for future in futures:
                found, notes = future.result()
                rows.append(found)
                print(line(found), flush=True)
                for note in notes:
                    print(f"  audit/rejected: {note}", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    elapsed = time.perf_counter() - started
    beaten = oracle_beaten(rows)
    for warning in beaten:
        print(f"WARNING: ORACLE BEATEN: {warning}", flush=True)
    table = world_table(rows)
    print("\n" + "\n".join(table))
    mail = email_table(rows) if has_pair(rows) else []
    if mail:
        print("\ncall-only against email-then-call:\n" + "\n".join(mail))
    print(f"\n{len(rows)} runs in {elapsed / 60:.1f} min")
    if args.record:
        _record(args, rows, table, mail, beaten, elapsed)
    return 0


def _record(
    args: argparse.Namespace,
    rows: list[Figures],
    table: list[str],
    mail: list[str],
    beaten: list[str],
    elapsed: float,
) -> None:
    command = "python scripts/simulate.py " + " ".join(sys.argv[1:])
    lines = [
        f"\n## Honest simulation ({datetime.now(UTC):%Y-%m-%d}, {machine()})\n",
        f"Command: `{command.strip()}` ({elapsed / 60:.1f} min).  Worlds: "
        + "; ".join(f"**{w}**: {WORLDS[w].description}" for w in args.worlds.split(","))
        + ".  Per world: mean (min–max) over seeds.  Callbacks on time: within ±15 minutes of the promised time.\n",
        *table,
        "",
    ]
    if mail:
        lines += [
            "Call-only (the workbench, `[escalation]` off) against email-then-call (`[escalation] enabled = true`, "
            "`escalation run` each sync, emails over SMTP to the simulator's server, opens and clicks imported as an "
            "email provider's export, replies ingested from a Maildir).  Operator-hours: dials ÷ dials per operator-hour.\n",
            *mail,
            "",
        ]
    if beaten:
        lines += ["**WARNING: the oracle was beaten:**", *(f"- {b}" for b in beaten), ""]
    lines += ["<details><summary>Every run</summary>\n", *run_table(rows), "\n</details>\n"]
    with args.record.open("a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
