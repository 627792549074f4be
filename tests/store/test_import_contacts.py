"""Contact-history import on SQLite and PostgreSQL: outcome rules, suppression, idempotency."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from workbench.domain.calling_rules import BlockCode, evaluate
from workbench.services.calling import calling_policy, load_contacts
from workbench.services.importer import import_file
from workbench.store.models import ContactAttempt, Customer, DoNotCall

customers = Customer.__table__
attempts = ContactAttempt.__table__
dnc = DoNotCall.__table__

HEADER = ["customer_id", "at", "channel", "direction", "outcome", "operator", "script", "reason", "amount",
          "callback_at", "note"]  # fmt: skip
CUSTOMER_HEADER = ["customer_id", "name", "kind", "phone", "do_not_call", "email_opt_out"]


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def contact(cid: str, at: str, channel: str, outcome: str, direction: str = "", operator: str = "op1",
            script: str = "", reason: str = "", amount: str = "", callback_at: str = "", note: str = "") -> list[str]:  # fmt: skip
    return [
        cid,
        at,
        channel,
        direction,
        outcome,
        operator,
        script,
        reason,
        amount,
        callback_at,
        note,
    ]


@pytest.fixture
def people(engine: Engine, settings, tmp_path: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    path = write_csv(
        tmp_path / "customers.csv",
        CUSTOMER_HEADER,
        [
            ["C1", "山田太郎", "b2c", "090-1111-1111", "0", "0"],
            ["C2", "佐藤花子", "b2c", "090-2222-2222", "0", "0"],
            ["C3", "髙橋商事", "b2b", "03-3333-3333", "0", "0"],
        ],  # fmt: skip
    )
    import_file(engine, "customers", path, settings)
    with engine.connect() as conn:
        return dict(conn.execute(select(customers.c.external_id, customers.c.id)).all())


def run(engine: Engine, path: Path, settings, **kwargs):  # type: ignore[no-untyped-def]
    return import_file(engine, "contacts", path, settings, **kwargs)


def attempt_rows(engine: Engine) -> list:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return conn.execute(select(attempts).order_by(attempts.c.id)).all()


def dnc_rows(engine: Engine) -> list:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return conn.execute(select(dnc).order_by(dnc.c.id)).all()


def opted_out(engine: Engine, external_id: str) -> bool:
    with engine.connect() as conn:
        return conn.execute(
            select(customers.c.email_opt_out).where(customers.c.external_id == external_id)
        ).scalar_one()


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


VALID = [
    contact("C1", "2025-03-01 10:00", "call", "no_answer"),
    contact(
        "C1",
        "2025-03-01 15:00",
        "call",
        "callback",
        direction="outbound",
        callback_at="2025-03-02 11:00",
    ),
    contact(
        "C1",
        "2025-03-03 10:00",
        "CALL",
        "Reactivated",
        amount="¥5,000",
        script="winback-v1",
        reason="price",
        note="値下げ案内で再開",
    ),  # fmt: skip
    contact("C2", "2025-03-01 10:00", "email", "sent", operator=""),
    contact("C2", "2025-03-02 10:00", "email", "opened", operator=""),
    contact("C2", "2025-03-03 10:00", "line", "replied"),
    contact("C2", "2025-03-04 10:00", "line", "busy"),
    contact("C3", "2025-03-01 10:00", "dm", "sent"),
    contact("C3", "2025-03-02 10:00", "visit", "not_interested", reason="competitor"),
    contact("C3", "2025-03-03 10:00", "call", "inquiry", direction="inbound"),
    contact("C3", "2025-03-04 10:00", "email", "complaint", direction="inbound"),
]


def test_valid_contacts_are_stored(engine, settings, tmp_path, people):
    summary = run(engine, write_csv(tmp_path / "h.csv", HEADER, VALID), settings)

    assert (summary.rows, summary.rejected) == (len(VALID), 0)
    rows = attempt_rows(engine)
    assert len(rows) == len(VALID)
    by_outcome = {r.outcome: r for r in rows}
    assert set(by_outcome) == {"no_answer", "callback", "reactivated", "sent", "opened", "replied", "busy",
                               "not_interested", "inquiry", "complaint"}  # fmt: skip
    first = by_outcome["no_answer"]
    assert (first.customer_id, first.channel, first.direction, first.operator, first.source) == (
        people["C1"], "call", "outbound", "op1", "import",
    )  # fmt: skip
    assert first.at == datetime(2025, 3, 1, 1, 0, tzinfo=UTC)  # naive = Tokyo time
    assert by_outcome["callback"].callback_at == datetime(2025, 3, 2, 2, 0, tzinfo=UTC)
    won = by_outcome["reactivated"]
    assert (won.channel, won.amount, won.script_id, won.reason, won.note) == (
        "call",
        5000,
        "winback-v1",
        "price",
        "値下げ案内で再開",
    )
    assert by_outcome["opened"].operator is None
    assert (by_outcome["inquiry"].direction, by_outcome["complaint"].direction) == (
        "inbound",
        "inbound",
    )


def test_first_import_counts_inserted_rows(engine, settings, tmp_path, people):
    summary = run(engine, write_csv(tmp_path / "h.csv", HEADER, VALID), settings)

    assert len(attempt_rows(engine)) == len(VALID)
    assert (summary.inserted, summary.updated, summary.unchanged) == (len(VALID), 0, 0)


INVALID = [
    (contact("C1", "2025-03-01 10:00", "email", "no_answer"), "outcome"),  # a call outcome on email
    (contact("C1", "2025-03-01 10:01", "call", "opened"), "outcome"),  # an email event on a call
    (contact("C1", "2025-03-01 10:02", "visit", "sent"), "outcome"),
    (contact("C1", "2025-03-01 10:03", "call", "no_answer", direction="inbound"), "outcome"),
    (
        contact("C1", "2025-03-01 10:04", "email", "inquiry"),
        "outcome",
    ),  # inbound-only outcome sent outbound
    (contact("C1", "2025-03-01 10:05", "call", ""), "outcome"),
    (contact("C1", "2025-03-01 10:06", "call", "hung_up"), "outcome"),
    (contact("C1", "2025-03-01 10:07", "fax", "sent"), "channel"),
    (contact("C1", "2025-03-01 10:08", "call", "no_answer", direction="sideways"), "direction"),
    (contact("C1", "2025-03-01 10:09", "call", "not_interested", reason="too_expensive"), "reason"),
    (contact("C1", "not a date", "call", "no_answer"), "at"),
    (contact("C1", "2025-03-01 10:10", "call", "reactivated", amount="12.5"), "amount"),
    (contact("C1", "2025-03-01 10:11", "call", "callback", callback_at="tomorrow"), "callback_at"),
    (contact("NOBODY", "2025-03-01 10:12", "call", "no_answer"), "customer_id"),
]


def test_invalid_contacts_are_rejected_with_line_and_column(engine, settings, tmp_path, people):
    rows = [contact("C1", "2025-02-01 10:00", "call", "no_answer")] + [row for row, _ in INVALID]
    path = write_csv(tmp_path / "h.csv", HEADER, rows)

    summary = run(engine, path, settings)

    assert (summary.rows, summary.rejected) == (len(rows), len(INVALID))
    rejects = read_rejects(Path(summary.rejects_path))
    assert sorted((int(r["line"]), r["column"]) for r in rejects) == [
        (i + 3, col) for i, (_, col) in enumerate(INVALID)
    ]
    assert all(r["file"] == str(path) and r["reason"] for r in rejects)
    reason = next(r for r in rejects if r["column"] == "reason")["reason"]
    assert "too_expensive" in reason
    assert len(attempt_rows(engine)) == 1


def test_do_not_call_outcome_creates_one_do_not_call_entry(engine, settings, tmp_path, people):
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        contact("C1", "2025-03-01 10:00", "call", "no_answer"),
        contact("C1", "2025-03-02 10:00", "call", "do_not_call", note="二度と電話しないで"),
        contact("C1", "2025-03-05 10:00", "line", "do_not_call"),
    ]
    path = write_csv(tmp_path / "h.csv", HEADER, rows)

    run(engine, path, settings, now=now)

    entries = dnc_rows(engine)
    assert [(e.customer_id, e.e164, e.source) for e in entries] == [
        (people["C1"], None, "contact_history")
    ]
    # Dated when the customer asked (10:00 JST), not when the file was imported.
    assert entries[0].created_at == datetime(2025, 3, 2, 1, 0, tzinfo=UTC)

    run(engine, path, settings)  # again
    assert len(dnc_rows(engine)) == 1


def test_a_refusal_from_history_blocks_calls_from_the_day_it_was_made(
    engine, settings, tmp_path, people
):
    later = [contact("C1", "2025-06-10 10:00", "call", "do_not_call")]
    run(engine, write_csv(tmp_path / "a.csv", HEADER, later), settings)
    earlier = [contact("C1", "2025-03-02 10:00", "call", "do_not_call")]
    run(engine, write_csv(tmp_path / "b.csv", HEADER, earlier), settings)

    # One entry, moved back to the earlier refusal that the second file brought.
    assert [e.created_at for e in dnc_rows(engine)] == [datetime(2025, 3, 2, 1, 0, tzinfo=UTC)]
    policy = calling_policy(settings)
    for at, allowed in (
        (datetime(2025, 3, 1, 1, 0, tzinfo=UTC), True),
        (datetime(2025, 4, 1, 1, 0, tzinfo=UTC), False),
    ):
        with engine.connect() as conn:
            verdict = evaluate(
                load_contacts(conn, [people["C1"]], at, settings)[people["C1"]], at, policy
            )
        assert verdict.callable is allowed
        assert allowed or verdict.code is BlockCode.DO_NOT_CALL


def test_an_undecided_call_from_history_holds_the_customer_a_week_without_a_refusal(
    engine, settings, tmp_path, people
):
    rows = [contact("C1", "2025-06-10 10:00", "call", "no_decision", reason="price")]
    summary = run(engine, write_csv(tmp_path / "a.csv", HEADER, rows), settings)
    assert (summary.inserted, summary.rejected) == (1, 0)
    assert dnc_rows(engine) == []
    policy = calling_policy(settings)
    said = datetime(2025, 6, 10, 1, 0, tzinfo=UTC)  # 10:00 JST
    for at, allowed in ((said + timedelta(days=6), False), (said + timedelta(days=7), True)):
        with engine.connect() as conn:
            verdict = evaluate(
                load_contacts(conn, [people["C1"]], at, settings)[people["C1"]], at, policy
            )
        assert verdict.callable is allowed, at
        assert allowed or verdict.code is BlockCode.RETRY_GAP


def test_do_not_call_outcome_for_a_customer_already_flagged_adds_nothing(
    engine, settings, tmp_path, people
):
    flagged = write_csv(
        tmp_path / "c.csv", CUSTOMER_HEADER, [["C2", "佐藤花子", "b2c", "090-2222-2222", "1", "0"]]
    )
    import_file(engine, "customers", flagged, settings)
    assert len(dnc_rows(engine)) == 1

    run(
        engine,
        write_csv(
            tmp_path / "h.csv", HEADER, [contact("C2", "2025-03-02 10:00", "call", "do_not_call")]
        ),
        settings,
    )

    assert [(e.customer_id, e.source) for e in dnc_rows(engine)] == [(people["C2"], "import")]


def test_unsubscribed_sets_email_opt_out_and_a_customer_import_does_not_clear_it(
    engine, settings, tmp_path, people
):
    path = write_csv(
        tmp_path / "h.csv",
        HEADER,
        [contact("C2", "2025-03-01 10:00", "email", "unsubscribed", operator="")],
    )

    run(engine, path, settings)

    assert opted_out(engine, "C2") is True
    assert opted_out(engine, "C1") is False
    again = write_csv(
        tmp_path / "c.csv", CUSTOMER_HEADER, [["C2", "佐藤花子", "b2c", "090-2222-2222", "0", "0"]]
    )
    import_file(engine, "customers", again, settings)
    assert opted_out(engine, "C2") is True


def test_reimport_is_idempotent(engine, settings, tmp_path, people):
    rows = VALID + [contact("C1", "2025-04-01 10:00", "call", "do_not_call"),
                    contact("C2", "2025-04-01 10:00", "email", "unsubscribed", operator="")]  # fmt: skip
    path = write_csv(tmp_path / "h.csv", HEADER, rows)
    run(engine, path, settings)
    before = ([tuple(r) for r in attempt_rows(engine)], [tuple(r) for r in dnc_rows(engine)])

    second = run(engine, path, settings)

    assert (second.rows, second.inserted, second.updated, second.unchanged, second.rejected) == (
        len(rows),
        0,
        0,
        len(rows),
        0,
    )
    assert (
        [tuple(r) for r in attempt_rows(engine)],
        [tuple(r) for r in dnc_rows(engine)],
    ) == before
