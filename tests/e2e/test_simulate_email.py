"""The simulation's email step: a tiny email-then-call run end to end, and the email audit.

The run goes through the real product (escalation run, import contacts, escalation ingest
as subprocesses) and a real SMTP server on loopback that the simulator starts.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from sim.email_audit import audit_email  # noqa: E402
from sim.email_world import EMAIL_WORLDS, EmailTruth, draw_email_truths, react  # noqa: E402
from sim.generate import generate_world  # noqa: E402
from sim.mail_server import Attempt  # noqa: E402
from sim.world import TOKYO, WORLDS  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 2, 9, tzinfo=TOKYO)


def test_a_tiny_email_then_call_run_sends_hears_back_and_keeps_every_rule(tmp_path: Path) -> None:
    record = tmp_path / "bench.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "simulate.py"), "--worlds", "households", "--seeds", "1",
         "--customers", "80", "--days", "2", "--dials-per-hour", "2", "--operators", "1", "--jobs", "2",
         "--email", "--record", str(record)],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    runs = {
        m.group(1): m.group(0) for m in re.finditer(r"^households +seed 1 +(\w+) .*$", out, re.M)
    }
    assert set(runs) == {"workbench", "email_then_call", "oracle"}
    email = runs["email_then_call"]
    sent = int(re.search(r"emails (\d+)", email).group(1))  # type: ignore[union-attr]
    responders = int(re.search(r"responders (\d+)", email).group(1))  # type: ignore[union-attr]
    assert sent > 0 and responders > 0, email
    assert "email violations 0" in email and "violations 0" in email and "rejected 0" in email
    step = re.search(r"email step (\{.*?\}) (\{.*?\}) ingest (\{.*?\});", out)
    assert step is not None, out
    # Every message the product counted as sent reached the simulator's server, and the
    # reactions were reported back (opens imported, replies ingested from the Maildir).
    assert f"'sent': {sent}," in step.group(1)
    assert "'opened':" in step.group(2)
    if "'replied':" in step.group(2):  # every reply mail matched its message
        assert "'unmatched': 0" in step.group(3) and "'replies': 0" not in step.group(3)
    assert "WARNING: ORACLE BEATEN" not in out
    text = record.read_text(encoding="utf-8")
    assert (
        "| households | call-only | 1 |" in text and "| households | email-then-call | 1 |" in text
    )
    assert re.search(r"\| households \| email-then-call \| 1 \|.*\| 0 / 0 of \d+ \|", text)


def test_email_truth_is_drawn_apart_and_written_as_a_customer_file_would(tmp_path: Path) -> None:
    files, truths = generate_world(WORLDS["households"], 300, 3, START.date(), tmp_path)
    mail = draw_email_truths("households", 1234, 3, truths)
    again = draw_email_truths("households", 1234, 3, truths)
    assert mail == again
    rows = files.customers.read_text(encoding="utf-8").splitlines()
    assert rows[0].endswith(",email_opt_out")
    share = sum(1 for m in mail.values() if m.address) / len(mail)
    assert 0.6 < share < 0.95  # households: about 80 % have an address on file
    b2c = [m.p_open for m in mail.values() if truths[m.customer_id].kind == "b2c"]
    assert 0.15 < sum(b2c) / len(b2c) < 0.5
    assert EMAIL_WORLDS["households"].open_mean["b2c"] > EMAIL_WORLDS["households"].open_mean["b2b"]


def test_reactions_follow_the_email_and_repeat_on_the_same_luck() -> None:
    sure = EmailTruth("S00001", 0, "s00001@example.jp", True, False, 1.0, 1.0, 1.0, 0.0)
    never = EmailTruth("S00002", 1, "s00002@example.jp", True, False, 0.0, 1.0, 1.0, 0.0)
    r = react(sure, 5, 0, START)
    assert r.opened_at is not None and r.opened_at > START
    assert r.clicked_at is not None and r.clicked_at >= r.opened_at
    assert r.replied_at is not None and r.replied_at >= r.opened_at
    assert react(sure, 5, 0, START + timedelta(days=1)).opened_at == r.opened_at + timedelta(days=1)
    assert react(never, 5, 0, START).opened_at is None


def _customers(path: Path) -> Path:
    path.write_text(
        "customer_id,name,kind,phone,email,email_opt_out\n"
        "S1,a,b2c,090-1111-2222,s1@example.jp,0\n"
        "S2,b,b2c,090-1111-3333,s2@example.jp,1\n"
        "S3,c,b2c,090-1111-4444,,0\n"
        "S4,d,b2c,090-1111-5555,s4@example.jp,0\n",
        encoding="utf-8",
    )
    return path


def test_the_email_audit_catches_each_rule_it_checks(tmp_path: Path) -> None:
    customers = _customers(tmp_path / "customers.csv")
    day = timedelta(days=1)
    clean = audit_email(
        [Attempt("s1@example.jp", START, True), Attempt("s4@example.jp", START, False)],
        ["<a@x>"], customers, {"S1": START + day},
    )  # fmt: skip
    assert clean.total == 0 and clean.checked == 2
    found = audit_email(
        [
            Attempt("s2@example.jp", START, True),  # refused email in the file
            Attempt("stranger@example.jp", START, True),  # no customer has this address
            Attempt("s1@example.jp", START + 2 * day, True),  # after the unsubscribe was reported
            Attempt("s4@example.jp", START, False),
            Attempt("s4@example.jp", START + day, True),  # after a permanent refusal
        ],
        ["<a@x>", "<b@x>", "<a@x>"],
        customers,
        {"S1": START + day},
    )
    assert dict(found.violations) == {
        "no_consent": 1, "no_address": 1, "after_unsubscribe": 1, "after_bounce": 1, "duplicate": 1,
    }  # fmt: skip
