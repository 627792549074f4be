"""The email step of a simulated day, driven only through the workbench's command line.

At each sync (the centre's opening and 13:00), in this order:

1. opens, clicks and unsubscribes that happened since the last sync are exported as an email
   service provider would and loaded with `workbench import contacts FILE` (channel `email`);
2. replies are written as real reply mails (`In-Reply-To` the message) into a Maildir and
   read with `workbench escalation ingest --maildir DIR --at …`;
3. `workbench escalation run --at … --json` advances the cadences and sends the emails due
   over SMTP to the simulator's own server (scripts/sim/mail_server.py);
4. every message that arrived is read (To → simulated customer, Message-ID, Reply-To) and
   the customer's reaction is drawn from the hidden truth, to be reported at later syncs.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from .email_world import RESPONSES, EmailTruth, react
from .mail_server import MailServer
from .world import TOKYO

ROOT = Path(__file__).resolve().parents[2]
MIDDAY = 13
REPLY_TEXT = "メールを拝見しました。詳しくお話を伺いたいので、お電話をいただけますか。\n"


@dataclass(frozen=True)
class Event:
    at: datetime
    customer_id: str
    kind: str  # opened, clicked, replied, unsubscribed
    message_id: str
    reply_to: str
    subject: str
    address: str


@dataclass
class MailLog:
    """What the email step did, for the figures and the email audit."""

    sent: dict[str, int] = field(default_factory=dict)  # summed `escalation run` counters
    messages: int = 0  # messages that reached the customers' server
    reported: dict[str, int] = field(default_factory=dict)
    responders: set[str] = field(default_factory=set)  # reported opened/clicked/replied
    unsubscribed_at: dict[str, datetime] = field(default_factory=dict)  # reported to the product
    unmatched: list[str] = field(default_factory=list)  # messages to no known customer
    message_ids: list[str] = field(default_factory=list)  # every message received, in order
    ingest: dict[str, int] = field(default_factory=dict)
    cli_seconds: dict[str, float] = field(default_factory=dict)  # wall time per command
    import_rejected: int = 0  # provider events the product's import refused


def workbench_command() -> list[str]:
    script = Path(sys.executable).with_name("workbench")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from workbench.cli import main; sys.exit(main())"]


class MailLoop:
    def __init__(
        self, workdir: Path, db: Path, truths: dict[str, EmailTruth], seed: int, end: datetime
    ) -> None:
        self.workdir, self.db, self.truths, self.seed, self.end = workdir, db, truths, seed, end
        self.by_address = {t.address: t for t in truths.values() if t.address}
        self.server = MailServer({t.address for t in truths.values() if t.address and t.dead})
        self.config = workdir / "workbench-email.toml"
        self.maildir = workdir / "replies"
        for sub in ("new", "cur", "tmp"):
            (self.maildir / sub).mkdir(parents=True, exist_ok=True)
        self.pending: list[Event] = []
        self.occurred: dict[str, list[tuple[datetime, str]]] = {}  # hidden: what really happened
        self.steps: dict[str, int] = {}
        self.seen = 0
        self.next_sync: datetime | None = None
        self.log = MailLog()
        self._files = 0

    def start(self) -> Path:
        """Start the SMTP server and write the run's workbench.toml; returns its path."""
        self.server.start()
        self.config.write_text(
            f'talkscripts_dir = "{ROOT / "talkscripts"}"\n'
            'company_address = "東京都千代田区丸の内1-1-1"\n'
            "[escalation]\nenabled = true\n"
            'reply_domain = "reply.example.co.jp"\n'
            '[smtp]\nhost = "127.0.0.1"\n'
            f"port = {self.server.port}\n"
            'sender = "winback@example.co.jp"\nsecurity = "none"\nrate_per_minute = 0\n'
            "timeout_seconds = 10.0\n"
            # No control group: the simulation measures the order of calls, not the uplift.
            "[kpi]\ncontrol_share = 0\n",
            encoding="utf-8",
        )
        return self.config

    def stop(self) -> None:
        self.server.stop()

    def due(self, at: datetime) -> bool:
        return self.next_sync is not None and at >= self.next_sync

    def sync(self, at: datetime, day_open: bool) -> None:
        local = at.astimezone(TOKYO)
        midday = local.replace(hour=MIDDAY, minute=0, second=0, microsecond=0)
        self.next_sync = midday if day_open and midday > at else None
        now, self.pending = (
            [e for e in self.pending if e.at <= at],
            [e for e in self.pending if e.at > at],
        )
        self._report(now, at)
        self.server.host.now = at
        summary = self._cli("escalation", "run", "--at", at.isoformat(), "--json")
        for key, value in summary.items():
            # `responders` is a level (waiting for their call after the run), not a count per run.
            if isinstance(value, int) and key != "responders":
                self.log.sent[key] = self.log.sent.get(key, 0) + value
        self._read_new_messages()

    def best_response(self, customer_id: str, at: datetime) -> str | None:
        """The strongest response the customer really made before `at` (hidden truth)."""
        made = {kind for when, kind in self.occurred.get(customer_id, []) if when <= at}
        return next((k for k in reversed(RESPONSES) if k in made), None)

    def _report(self, events: list[Event], at: datetime) -> None:
        exported = [e for e in events if e.kind != "replied"]
        replies = [e for e in events if e.kind == "replied"]
        for e in events:
            self.log.reported[e.kind] = self.log.reported.get(e.kind, 0) + 1
            if e.kind in RESPONSES:
                self.log.responders.add(e.customer_id)
            if e.kind == "unsubscribed":
                self.log.unsubscribed_at.setdefault(e.customer_id, at)
        if exported:
            self._files += 1
            path = self.workdir / f"esp-events-{self._files:03d}.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                out = csv.writer(fh)
                out.writerow(["customer_id", "at", "channel", "direction", "outcome", "operator",
                              "script", "reason", "amount", "callback_at", "note"])  # fmt: skip
                for e in sorted(exported, key=lambda e: (e.at, e.customer_id)):
                    out.writerow([e.customer_id, e.at.astimezone(TOKYO).isoformat(timespec="seconds"),
                                  "email", "outbound", e.kind, "", "", "", "", "", ""])  # fmt: skip
            loaded = self._cli("import", "contacts", str(path), "--json")
            self.log.import_rejected += int(loaded.get("rejected", 0))
        if replies:
            for e in replies:
                self._files += 1
                mail = _reply_mail(e, f"<reply-{self._files}.{e.customer_id}@example.jp>")
                (self.maildir / "new" / f"{self._files:06d}.sim").write_bytes(mail)
            found = self._cli("escalation", "ingest", "--maildir", str(self.maildir), "--at",
                              at.isoformat(), "--json")  # fmt: skip
            for key, value in found.items():
                if isinstance(value, int):
                    self.log.ingest[key] = self.log.ingest.get(key, 0) + value

    def _read_new_messages(self) -> None:
        received = self.server.host.received
        for item in received[self.seen :]:
            self.log.messages += 1
            message = message_from_bytes(item.content, policy=policy.default)
            self.log.message_ids.append(str(message.get("Message-ID", "")).strip())
            for address in item.recipients:
                truth = self.by_address.get(address)
                if truth is None:
                    self.log.unmatched.append(f"{address} at {item.at.isoformat()}")
                    continue
                self._schedule(truth, item.at, message)
        self.seen = len(received)

    def _schedule(self, truth: EmailTruth, sent_at: datetime, message: Any) -> None:
        step = self.steps.get(truth.customer_id, 0)
        self.steps[truth.customer_id] = step + 1
        reaction = react(truth, self.seed, step, sent_at)
        message_id = str(message.get("Message-ID", "")).strip()
        reply_to = str(message.get("Reply-To") or message.get("From") or "").strip()
        subject = str(message.get("Subject", ""))
        for kind, when in (("opened", reaction.opened_at), ("clicked", reaction.clicked_at),
                           ("replied", reaction.replied_at), ("unsubscribed", reaction.unsubscribed_at)):  # fmt: skip
            if when is None or when > self.end:
                continue
            self.occurred.setdefault(truth.customer_id, []).append((when, kind))
            self.pending.append(Event(when, truth.customer_id, kind, message_id, reply_to,
                                      subject, truth.address))  # fmt: skip

    def _cli(self, *args: str) -> dict[str, Any]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
        command = [*workbench_command(), "--db", f"sqlite:///{self.db}", "--config",
                   str(self.config), *args]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=self.workdir, timeout=900
        )
        name = " ".join(args[:2])
        self.log.cli_seconds[name] = (
            self.log.cli_seconds.get(name, 0.0) + time.perf_counter() - started
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"workbench {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}"
            )
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        return dict(json.loads(lines[-1])) if lines else {}


def _reply_mail(e: Event, message_id: str) -> bytes:
    mail = EmailMessage(policy=policy.SMTP)
    mail["From"] = e.address
    mail["To"] = e.reply_to
    mail["Subject"] = f"Re: {e.subject}"
    mail["Date"] = format_datetime(e.at.astimezone(TOKYO))
    mail["Message-ID"] = message_id
    if e.message_id:
        mail["In-Reply-To"] = e.message_id
        mail["References"] = e.message_id
    mail.set_content(REPLY_TEXT, charset="utf-8")
    return mail.as_bytes()
