"""`workbench escalation run | ingest | show | list`: the email-then-call escalation.

`run` is safe from cron every few minutes and twice at once: it advances the cadences due,
sends the outbox, then reads the mailbox when `[mailbox]` is configured.  Temporary SMTP
failures are retried by a later run and an unreachable mailbox is read by a later run, so
neither makes the command fail (the mailbox's error is in the summary and on stderr).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workbench.cli.context import AtOption, JsonOption, UserError, context, emit_json, parse_at
from workbench.messages import say

if TYPE_CHECKING:
    from workbench.services.mail_ingest import IngestSummary

app = typer.Typer(help="Email-then-call escalation: run, ingest, show, list.", no_args_is_help=True)

TEXT = {
    "ja": {"queued": "作成", "sent": "送信", "retried": "再送待ち", "failed": "送信失敗",
           "responders": "反応あり", "ended": "終了", "skipped": "見送り", "read": "受信",
           "replies": "返信", "bounces": "不達", "unsubscribes": "配信停止",
           "unmatched": "照合できず", "auto_replies": "自動返信", "count": "件",
           "tier": "区分", "state": "状態", "step": "段階", "next_at": "次回",
           "response": "反応", "response_at": "反応日時", "customer": "お客様",
           "events": "履歴", "none": "記録がありません", "ended_reason": "終了理由"},
    "en": {"queued": "queued", "sent": "sent", "retried": "to retry", "failed": "failed",
           "responders": "responders", "ended": "ended", "skipped": "skipped", "read": "read",
           "replies": "replies", "bounces": "bounces", "unsubscribes": "unsubscribes",
           "unmatched": "unmatched", "auto_replies": "auto-replies", "count": "",
           "tier": "Tier", "state": "State", "step": "Step", "next_at": "Next",
           "response": "Response", "response_at": "Responded", "customer": "Customer",
           "events": "Events", "none": "no records", "ended_reason": "Ended because"},
}  # fmt: skip


CODED = frozenset({"tier", "state", "response", "ended_reason"})  # values shown in words


def _text(language: str) -> dict[str, str]:
    return TEXT["en" if language == "en" else "ja"]


def _word(code: object, language: str) -> str:
    """A tier, state, event, reason or outcome code in words (the JSON keeps the codes)."""
    from workbench.domain.code_labels import ESCALATION, OUTCOMES, code_label

    text = str(code)
    return code_label(ESCALATION if text in ESCALATION else OUTCOMES, text, language)


def _line(words: dict[str, str], counts: dict[str, Any], language: str) -> str:
    parts = []
    for key, value in counts.items():
        if isinstance(value, dict):
            detail = ", ".join(f"{_word(k, language)} {v}" for k, v in value.items())
            total = sum(value.values())
            parts.append(
                f"{words[key]} {total}{words['count']}" + (f" ({detail})" if detail else "")
            )
        else:
            parts.append(f"{words[key]} {value}{words['count']}")
    return " / ".join(parts)


@app.command("run")
def run_(ctx: typer.Context, at: AtOption = None, as_json: JsonOption = False) -> None:
    """Advance due cadences, send the outbox over SMTP, then read replies and bounces."""
    c = context(ctx)
    # A bad configuration, database or --at is reported before any work starts.
    engine, settings = c.engine, c.settings
    when = parse_at(settings, at)
    from workbench.services.escalation import advance_cadences
    from workbench.services.mail_ingest import ingest, mailbox_configured
    from workbench.services.outbox import send_due

    advanced = advance_cadences(engine, settings, when)
    sent = send_due(engine, settings, when)
    skipped: dict[str, int] = {}
    for reasons in (dict(advanced.skipped), sent.skipped):
        for reason, n in reasons.items():
            skipped[reason] = skipped.get(reason, 0) + n
    summary: dict[str, Any] = {
        "queued": advanced.queued,
        "sent": sent.sent,
        "retried": sent.retried,
        "failed": sent.failed,
        "responders": advanced.responders,
        "ended": advanced.ended,
        "skipped": dict(sorted(skipped.items())),
    }
    read: IngestSummary | None = None
    if mailbox_configured(settings):
        try:
            read = _ingest_or_fail(lambda: ingest(engine, settings, when))
            summary["ingest"] = read.as_json()
        except UserError as exc:
            # Like an unreachable SMTP server: the next run reads what this one could not.
            summary["ingest"] = {"error": str(exc)}
            typer.echo(f"warning: {exc}", err=True)
    if as_json:
        emit_json(summary)
        return
    words = _text(settings.language)
    typer.echo(_line(words, {k: v for k, v in summary.items() if k != "ingest"}, settings.language))
    if read is not None:
        typer.echo(_line(words, read.as_json(), settings.language))


@app.command("ingest")
def ingest_(
    ctx: typer.Context,
    maildir: Annotated[
        Path | None,
        typer.Option(
            "--maildir",
            help="受信フォルダー (Maildir) / this Maildir instead of mailbox.maildir "
            "(a configured IMAP folder is read too)",
        ),
    ] = None,
    at: AtOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read replies, bounces and unsubscribe mails into the customers' email events."""
    from workbench.services.mail_ingest import ingest, mailbox_configured

    c = context(ctx)
    engine, settings = c.engine, c.settings
    when = parse_at(settings, at)
    if maildir is not None and not maildir.is_dir():
        raise UserError(say("cmd.no_maildir", path=maildir))
    if maildir is None and not mailbox_configured(settings):
        raise UserError(say("cmd.no_mailbox"))
    summary = _ingest_or_fail(lambda: ingest(engine, settings, when, maildir=maildir))
    if as_json:
        emit_json(summary.as_json())
        return
    typer.echo(_line(_text(settings.language), summary.as_json(), settings.language))


def _ingest_or_fail(read: Any) -> IngestSummary:
    """The mailbox read; an unreachable, refusing or misconfigured mailbox is one line."""
    from workbench.mail.mail_sources import MailSourceError

    try:
        result: IngestSummary = read()
    except MailSourceError as exc:
        raise UserError(say("cmd.mailbox_error", detail=exc)) from None
    return result


@app.command("show")
def show_(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer's external id")],
    as_json: JsonOption = False,
) -> None:
    """One customer's tier, state, step, next step and events."""
    from workbench.services.escalation import cadence_view

    c = context(ctx)
    view = cadence_view(c.engine, customer_id)
    if view is None:
        raise UserError(say("cmd.no_cadence", customer=repr(customer_id)))
    data = view.as_json()
    if as_json:
        emit_json(data)
        return
    language = c.settings.language
    words = _text(language)
    typer.echo(f"{words['customer']}: {customer_id}")
    for key in ("tier", "state", "step", "next_at", "response", "response_at", "ended_reason"):
        if data.get(key) is not None:
            value = _word(data[key], language) if key in CODED else data[key]
            typer.echo(f"  {words[key]}: {value}")
    events = data.get("events") or []
    typer.echo(f"{words['events']}:" if events else f"{words['events']}: {words['none']}")
    for event in events:
        detail = f"  {_word(event['detail'], language)}" if event.get("detail") else ""
        kind, state = _word(event.get("kind"), language), _word(event.get("state"), language)
        typer.echo(f"  {event.get('at')}  {kind}  → {state}{detail}")


@app.command("list")
def list_(
    ctx: typer.Context,
    state: Annotated[
        str | None,
        typer.Option("--state", help="waiting, emailed, responded, called, ended"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows (0: all)")] = 0,
    as_json: JsonOption = False,
) -> None:
    """Every customer's place in the escalation, the most recently moved first."""
    from workbench.services.escalation import list_cadences

    c = context(ctx)
    engine, settings = c.engine, c.settings  # first: every message speaks their language
    if limit < 0:
        raise UserError(say("cmd.limit_negative", value=limit))
    try:
        rows = list_cadences(engine, state=state, limit=limit or None)
    except ValueError:
        from workbench.domain.escalation import STATES

        raise UserError(
            say("cmd.bad_state", value=repr(state), allowed=", ".join(STATES))
        ) from None
    if as_json:
        for row in rows:
            emit_json(row.as_json())
        return
    words = _text(settings.language)
    if not rows:
        typer.echo(words["none"])
        return
    from rich.table import Table

    from workbench.cli.format import out

    table = Table()
    keys = ("customer_id", "tier", "state", "step", "next_at", "response")
    for key in keys:
        table.add_column(words.get(key, words["customer"]))
    for row in rows:
        data = row.as_json()
        table.add_row(*(
            "" if data.get(k) is None else _word(data[k], settings.language) if k in CODED else str(data[k])
            for k in keys
        ))  # fmt: skip
    out().print(table)
