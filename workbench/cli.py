"""The `workbench` command: parse, call a service, print.

Tables for people; `--json` prints one JSON object per line for tools.  The
commands, options and JSON fields here are a public contract: extend, never break.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from workbench.config import ConfigError, Settings, describe, load_settings
from workbench.domain.values import parse_datetime
from workbench.importing.csvfile import ImportFileError
from workbench.store.locks import LockTimeout
from workbench.cli_stats import register, stats_app
from workbench.talk.cli import app as scripts_app

app = typer.Typer(
    help="休眠顧客の掘り起こし workbench: win back dormant customers.",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(scripts_app, name="scripts", help="Talk scripts: check, list, render, history.")
app.add_typer(stats_app, name="stats", help="Statistics: how well talk scripts win customers back.")
register(scripts_app)


class UserError(Exception):
    """An error for people: printed without a traceback, exit status 2."""


class Context:
    def __init__(self, db: str | None, config: Path | None) -> None:
        self._db = db
        self._config = config

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self._config)

    @property
    def db_url(self) -> str:
        return self._db or self.settings.db

    @cached_property
    def engine(self) -> Engine:
        from workbench.store.database import open_database

        return open_database(self.db_url)


def _ctx(ctx: typer.Context) -> Context:
    return ctx.ensure_object(Context)  # type: ignore[no-any-return]


DbOption = Annotated[Optional[str], typer.Option("--db", help="Database URL (overrides WORKBENCH_DB).")]
AtOption = Annotated[
    Optional[str], typer.Option("--at", help="The instant to act at, ISO 8601 (default: now).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: DbOption = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Path of workbench.toml.")] = None,
) -> None:
    ctx.obj = Context(db, config)
    if ctx.invoked_subcommand is None:
        ui(ctx, operator=None)


def parse_at(settings: Settings, at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    from zoneinfo import ZoneInfo

    try:
        return parse_datetime(at, ZoneInfo(settings.timezone))
    except ValueError as exc:
        raise UserError(f"--at: {exc}") from None


def emit_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=_json_default) + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


@app.command()
def ui(
    ctx: typer.Context,
    operator: Annotated[Optional[str], typer.Option("--operator", help="Operator id.")] = None,
) -> None:
    """Open the operator terminal UI (seeds demo data into an empty database)."""
    from workbench.services.demo import ensure_demo_data
    from workbench.tui.app import run_app

    c = _ctx(ctx)
    ensure_demo_data(c.engine, c.settings, announce=lambda msg: typer.echo(msg, err=True))
    run_app(c.engine, c.settings, operator or c.settings.operator or None)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Migrate the database schema to the current revision (backs up SQLite first)."""
    from workbench.store.engine import make_engine
    from workbench.store.schema import current_revision, head_revision, upgrade

    c = _ctx(ctx.parent or ctx)
    engine = make_engine(c.db_url)
    before = current_revision(engine)
    backup = upgrade(engine)
    if backup:
        typer.echo(f"backed up {engine.url.database} to {backup}")
    typer.echo(f"schema at {head_revision()} (was {before or 'empty'})")


@app.command("import")
def import_(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="customers, transactions or contacts")],
    file: Annotated[Path, typer.Argument(help="CSV file (UTF-8 or Shift_JIS)")],
    encoding: Annotated[Optional[str], typer.Option(help="utf-8, utf-8-sig, cp932 (default: detect)")] = None,
    mapping: Annotated[Optional[Path], typer.Option(help="Column-mapping TOML for other exports")] = None,
    rejects: Annotated[Optional[Path], typer.Option(help="Where rejected rows go (default FILE.rejects.csv)")] = None,
    as_json: JsonOption = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Progress bar on stderr")] = True,
) -> None:
    """Import a CSV file; re-importing the same file changes nothing."""
    from workbench.services.importer import import_file

    if kind not in ("customers", "transactions", "contacts"):
        raise UserError(f"unknown import kind {kind!r}: customers, transactions or contacts")
    c = _ctx(ctx)
    with _progress_bar(progress and sys.stderr.isatty() and not as_json, file) as bar:
        summary = import_file(c.engine, kind, file, c.settings, encoding, mapping, rejects, progress=bar)  # type: ignore[arg-type]
    if as_json:
        emit_json(summary.__dict__)
        return
    typer.echo(
        f"{summary.kind}: {summary.rows} rows ({summary.encoding}) → {summary.inserted} new, "
        f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.rejected} rejected "
        f"in {summary.seconds:.1f}s"
    )
    if summary.rejected:
        by_column = ", ".join(f"{k}: {v}" for k, v in sorted(summary.reject_columns.items()))
        typer.echo(f"rejected rows ({by_column}) written to {summary.rejects_path}")


class _progress_bar:
    """A rich progress bar over bytes read, or nothing when output is not a terminal."""

    def __init__(self, enabled: bool, path: Path) -> None:
        self.enabled = enabled
        self.path = path

    def __enter__(self):  # type: ignore[no-untyped-def]
        if not self.enabled:
            return None
        from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

        self._progress = Progress(
            "[progress.description]{task.description}", BarColumn(), DownloadColumn(), TimeRemainingColumn(),
            transient=True, console=__import__("rich.console").console.Console(stderr=True),
        )  # fmt: skip
        self._progress.start()
        task = self._progress.add_task(self.path.name, total=None)
        return lambda done, total: self._progress.update(task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._progress.stop()


customers_app = typer.Typer(help="Customers and their lifecycle state (the attack list).")
app.add_typer(customers_app, name="customers")


@customers_app.callback(invoke_without_command=True)
def customers_list(
    ctx: typer.Context,
    state: Annotated[Optional[str], typer.Option(help="active, at_risk, dormant, churned, prospect")] = None,
    at: AtOption = None,
    limit: Annotated[Optional[int], typer.Option(help="At most this many rows")] = None,
    as_json: JsonOption = False,
) -> None:
    """List customers with lifecycle state and RFM, the most valuable first."""
    if ctx.invoked_subcommand is not None:
        return
    from workbench.services.customers import attack_list

    c = _ctx(ctx)
    try:
        rows = attack_list(c.engine, c.settings, parse_at(c.settings, at), state, limit)
    except ValueError as exc:
        raise UserError(f"--state: {exc}") from None
    if as_json:
        for row in rows:
            emit_json(row.as_json())
        return
    from workbench.cli_format import customers_table

    customers_table(rows)


@customers_app.command("show")
def customers_show(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer's external id")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """One customer's details, purchases and contact history."""
    from workbench.services.customers import UnknownCustomer, show_customer

    c = _ctx(ctx)
    try:
        detail = show_customer(c.engine, c.settings, customer_id, parse_at(c.settings, at))
    except UnknownCustomer as exc:
        raise UserError(str(exc)) from None
    if as_json:
        emit_json(
            {
                **detail.summary.as_json(),
                "customer": detail.customer,
                "phones": detail.phones,
                "purchases": detail.purchases,
                "contacts": detail.contacts,
                "do_not_call": detail.do_not_call,
            }
        )
        return
    from workbench.cli_format import customer_detail

    customer_detail(detail)


OperatorOption = Annotated[Optional[str], typer.Option("--operator", help="Operator id")]


@app.command("queue")
def queue_(
    ctx: typer.Context,
    at: AtOption = None,
    operator: OperatorOption = None,
    limit: Annotated[int, typer.Option(help="How many entries")] = 20,
    explain_: Annotated[bool, typer.Option("--explain", help="Count what each calling rule holds back")] = False,
    as_json: JsonOption = False,
) -> None:
    """The call queue at an instant, best first, without claiming anything."""
    from workbench.services.queue import read_queue
    from workbench.services.freshness import ensure_scored

    c = _ctx(ctx)
    when = parse_at(c.settings, at)
    ensure_scored(c.engine, c.settings, when)
    if explain_:
        from workbench.services.explain import explain

        result = explain(c.engine, c.settings, when, operator)
        if as_json:
            emit_json(result.as_json())
        else:
            from workbench.cli_format import explanation

            explanation(result)
        return
    with c.engine.connect() as conn:
        entries = read_queue(conn, c.settings, when, operator, limit)
    if as_json:
        for entry in entries:
            emit_json(entry.as_json())
        return
    from workbench.cli_format import queue_table

    queue_table(entries)


@app.command("claim")
def claim_(
    ctx: typer.Context,
    operator: Annotated[str, typer.Option("--operator", help="Operator id")],
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Lease the next customer to an operator and print it (the queue's JSON shape)."""
    from workbench.services.freshness import ensure_scored

    c = _ctx(ctx)
    when = parse_at(c.settings, at)
    ensure_scored(c.engine, c.settings, when)
    entry = _claim_around_rescore(c, operator, when)
    if entry is None:
        raise UserError("nothing to call now: run `workbench queue --explain` to see why")
    if as_json:
        emit_json(entry.as_json())
        return
    from workbench.cli_format import queue_table

    queue_table([entry])


def _claim_around_rescore(c: Context, operator: str, when: datetime) -> Any:
    """Claim; one that meets another process's scoring run in the middle of its write waits
    for the run and tries once more.  PostgreSQL: the run's transaction holds the old score
    rows locked, so a claim that skips locked rows finds nothing.  SQLite: the run's write
    transaction can outlast the busy timeout ("database is locked")."""
    from workbench.services.claim import claim
    from workbench.services.freshness import wait_for_rescore

    try:
        entry = claim(c.engine, c.settings, operator, when)
        if entry is not None or not wait_for_rescore(c.engine):
            return entry
    except OperationalError:
        if not wait_for_rescore(c.engine):
            raise
    return claim(c.engine, c.settings, operator, when)


@app.command("dispose")
def dispose_(
    ctx: typer.Context,
    customer_id: Annotated[Optional[str], typer.Argument(help="The customer's external id")] = None,
    outcome: Annotated[Optional[str], typer.Option(help="Outcome code")] = None,
    at: AtOption = None,
    operator: OperatorOption = None,
    script: Annotated[Optional[str], typer.Option(help="Talk-script id used")] = None,
    reason: Annotated[Optional[str], typer.Option(help="Dormancy reason heard")] = None,
    amount: Annotated[Optional[int], typer.Option(help="Order amount in yen (reactivated)")] = None,
    callback_at: Annotated[Optional[str], typer.Option("--callback-at", help="Promised callback time, ISO 8601")] = None,
    note: Annotated[Optional[str], typer.Option(help="What the customer said")] = None,
    file: Annotated[Optional[Path], typer.Option("--file", help="Batch of dispositions (contacts CSV)")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record how a call ended: history, do-not-call, callbacks, answer model, script statistics."""
    from workbench.services.dispose import Disposition, DispositionError, dispose, dispose_many

    c = _ctx(ctx)
    try:
        if file is not None:
            if customer_id or outcome:
                raise UserError("give either CUSTOMER_ID --outcome … or --file, not both")
            results = dispose_many(c.engine, c.settings, _batch_dispositions(c.settings, file))
        else:
            if not customer_id or not outcome:
                raise UserError("dispose needs CUSTOMER_ID and --outcome (or --file FILE.csv)")
            zone_at = parse_at(c.settings, at)
            results = [
                dispose(
                    c.engine,
                    c.settings,
                    Disposition(
                        customer_id=customer_id, outcome=outcome, at=zone_at, operator=operator,
                        script=script, reason=reason, amount=amount,
                        callback_at=parse_at(c.settings, callback_at) if callback_at else None,
                        note=note, source="cli",
                    ),  # fmt: skip
                )
            ]
    except DispositionError as exc:
        raise UserError(str(exc)) from None
    for result in results:
        if as_json:
            emit_json({"attempt_id": result.attempt_id, "customer_id": result.customer_id,
                       "outcome": result.outcome, "warnings": result.warnings})  # fmt: skip
        for warning in result.warnings:
            typer.echo(f"warning: {result.customer_id}: {warning}", err=True)
    if not as_json:
        typer.echo(f"recorded {len(results)} disposition(s)")


def _batch_dispositions(settings: Settings, path: Path) -> list[tuple[int, Any]]:
    from zoneinfo import ZoneInfo

    from workbench.importing import records
    from workbench.importing.csvfile import CsvSource
    from workbench.importing.records import RowError
    from workbench.services.dispose import Disposition

    zone = ZoneInfo(settings.timezone)
    source = CsvSource(path, records.CONTACT_REQUIRED, records.CONTACT_COLUMNS)
    batch, errors = [], []
    for row in source.rows():
        try:
            if row.problem:
                raise RowError("*", row.problem)
            r = records.contact(row.values, zone)
        except RowError as exc:
            errors.append(f"{path}:{row.line}: {exc.column}: {exc.reason}")
            continue
        batch.append((row.line, Disposition(
            customer_id=r.external_id, outcome=r.outcome, at=r.at, operator=r.operator, script=r.script,
            reason=r.reason, amount=r.amount, callback_at=r.callback_at, note=r.note, channel=r.channel,
            direction=r.direction, source="batch",
        )))  # fmt: skip
    if errors:
        raise UserError("nothing recorded; fix these rows:\n" + "\n".join(errors))
    return batch


@app.command("rescore")
def rescore_(ctx: typer.Context, at: AtOption = None) -> None:
    """Refit the models and rescore every customer now (after any run in progress); the
    scores count as fresh, so the next queue or claim does not rescore.  Without --at,
    WORKBENCH_NOW (the operator UI's fixed clock) is the instant when set."""
    from workbench.services.freshness import rescore_now
    from workbench.tui.session import now_from_env

    c = _ctx(ctx)
    when = parse_at(c.settings, at) if at is not None else now_from_env(c.settings) or parse_at(c.settings, None)
    summary = rescore_now(c.engine, c.settings, when)
    typer.echo(f"scored {summary.customers:,} customers in {summary.seconds:.1f}s; states {summary.states}")
    typer.echo(f"MBG/NBD: {summary.alive_model}")


@app.command("config")
def config_(ctx: typer.Context) -> None:
    """Show every configuration key, its environment variable, value and meaning."""
    c = _ctx(ctx)
    settings = c.settings
    for key, doc, _default in describe():
        value: Any = settings
        for part in key.split("."):
            value = getattr(value, part)
        env = "WORKBENCH_" + key.replace(".", "_").upper()
        typer.echo(f"{key} = {value!r}\n    {env}: {doc}")


@app.command("demo")
def demo(
    ctx: typer.Context,
    customers: Annotated[int, typer.Option(help="How many demo customers")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed")] = 7,
    today: Annotated[Optional[str], typer.Option(help="Last day of the generated history (default: today)")] = None,
    force: Annotated[bool, typer.Option("--force", help="Add demo customers to a database that holds customers")] = False,
) -> None:
    """Generate the demo data set and import it (into an empty database; --force to add to one that is not)."""
    from datetime import date

    from workbench.services.demo import DemoRefused, load_demo

    c = _ctx(ctx)
    try:
        end = date.fromisoformat(today) if today else None
    except ValueError:
        raise UserError(f"--today: expected a date like 2026-11-25, got {today!r}") from None
    try:
        load_demo(c.engine, c.settings, customers, seed, announce=lambda msg: typer.echo(msg, err=True), today=end, force=force)
    except DemoRefused as exc:
        raise UserError(str(exc)) from None


def main() -> None:
    try:
        app()
    except (UserError, ConfigError, ImportFileError, LockTimeout) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    except OperationalError as exc:
        typer.echo(f"error: database unavailable: {exc.orig}", err=True)
        raise SystemExit(2) from None
    except _schema_error() as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


def _schema_error() -> type[Exception]:
    from workbench.store.schema import SchemaError

    return SchemaError
