"""A disposition is credited to the script the operator was given, and typos are refused.

Tuesday 24 November 2026, Tokyo: three customers who last bought in spring, scored at
07:00, called from 10:30.  Issue #13: a `dispose` without `--script` was credited to no
script (a win-back vanished from the statistics), and `--script nosuch` or
`--operator ghost` were recorded as given.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert, select

from workbench.config import Settings
from workbench.services.call_queue import claim_next
from workbench.services.claim import claim
from workbench.services.dispose import Disposition, DispositionError, dispose
from workbench.services.dispose_credit import CreditError
from workbench.services.importer import import_file
from workbench.services.queue import read_queue
from workbench.services.scoring import rescore
from workbench.services.script_stats import script_stats
from workbench.services.talk_choice import library_for
from workbench.store.models import ContactAttempt, Customer, Operator

JST = ZoneInfo("Asia/Tokyo")
SCORED_AT = datetime(2026, 11, 24, 7, 0, tzinfo=JST)
CALL_AT = datetime(2026, 11, 24, 10, 30, tzinfo=JST)


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def base(engine: Engine, settings: Settings, tmp_path: Path) -> Engine:
    people = [[f"C0{n}", f"顧客 C0{n}", "b2c", f"090-3100-000{n}"] for n in (1, 2, 3)]
    orders = [[f"C0{n}", f"2026-0{n + 2}-10T10:00+09:00", "9000", "food"] for n in (1, 2, 3)]
    files = {
        "customers": _write(tmp_path / "c.csv", ["customer_id", "name", "kind", "phone"], people),
        "transactions": _write(
            tmp_path / "t.csv", ["customer_id", "ordered_at", "amount", "category"], orders
        ),
    }
    for kind, path in files.items():
        assert import_file(engine, kind, path, settings, now=SCORED_AT).rejected == 0  # type: ignore[arg-type]
    rescore(engine, settings, SCORED_AT)
    return engine


def _attempt(engine: Engine, attempt_id: int) -> tuple[str | None, str | None]:
    with engine.connect() as conn:
        row = conn.execute(
            select(ContactAttempt.script_id, ContactAttempt.script_version).where(  # type: ignore[call-overload]
                ContactAttempt.id == attempt_id
            )
        ).one()
    return row[0], row[1]


def _register(engine: Engine, *codes: str) -> None:
    with engine.begin() as conn:
        for code in codes:
            conn.execute(insert(Operator.__table__).values(code=code, name=code, language="ja"))


def test_a_claimed_call_without_script_counts_for_the_claims_script(
    base: Engine, settings: Settings
) -> None:
    entry = claim(base, settings, "op1", CALL_AT)
    assert entry is not None and entry.script is not None
    result = dispose(
        base,
        settings,
        Disposition(
            entry.external_id, "reactivated", CALL_AT + timedelta(minutes=4), "op1", amount=3500
        ),
    )
    assert (result.script_id, result.script_version) == (
        entry.script.script_id,
        entry.script.version,
    )
    assert _attempt(base, result.attempt_id) == (entry.script.script_id, entry.script.version)
    rows = script_stats(base, "script", None, zone=JST)
    credited = [r for r in rows if r.script_id == entry.script.script_id]
    assert sum(r.reactivations for r in credited) == 1
    assert sum(r.revenue for r in credited) == 3500


def test_an_unclaimed_call_without_script_counts_for_the_queues_pick(
    base: Engine, settings: Settings
) -> None:
    with base.connect() as conn:
        shown = read_queue(conn, settings, CALL_AT, None, 3)
    assert len(shown) == 3
    first = shown[0]
    assert first.script is not None
    # Read again a few minutes later: the customer's own draw gives the same script.
    result = dispose(
        base,
        settings,
        Disposition(first.external_id, "not_interested", CALL_AT + timedelta(minutes=6)),
    )
    assert (result.script_id, result.script_version) == (
        first.script.script_id,
        first.script.version,
    )


def test_an_unknown_script_is_refused_with_the_known_ones(base: Engine, settings: Settings) -> None:
    with pytest.raises(DispositionError) as caught:
        dispose(base, settings, Disposition("C01", "no_answer", CALL_AT, script="nosuch"))
    assert caught.value.field == "script"
    known = [s.id for s in library_for(settings).scripts()]
    assert "'nosuch'" in str(caught.value) and known[0] in str(caught.value)
    with base.connect() as conn:
        assert conn.execute(select(ContactAttempt.id)).first() is None  # type: ignore[call-overload]


def test_a_named_script_keeps_its_version(base: Engine, settings: Settings) -> None:
    script = library_for(settings).active()[0]
    result = dispose(base, settings, Disposition("C02", "no_answer", CALL_AT, script=script.id))
    assert (result.script_id, result.script_version) == (script.id, script.version)


def test_an_unknown_operator_is_refused_once_operators_are_registered(
    base: Engine, settings: Settings
) -> None:
    # None registered: an outside tool's operator ids are taken as given.
    assert dispose(base, settings, Disposition("C01", "no_answer", CALL_AT, "anyone")).attempt_id
    _register(base, "sato", "tanaka")
    with pytest.raises(DispositionError) as caught:
        dispose(base, settings, Disposition("C02", "no_answer", CALL_AT, "ghost"))
    assert caught.value.field == "operator"
    assert "'ghost'" in str(caught.value) and "sato, tanaka" in str(caught.value)
    assert dispose(base, settings, Disposition("C02", "no_answer", CALL_AT, "sato")).attempt_id
    with base.connect() as conn:
        ids = conn.execute(select(Customer.id)).scalars().all()  # type: ignore[call-overload]
    assert len(ids) == 3


def test_a_shift_for_an_unknown_operator_is_refused(base: Engine, settings: Settings) -> None:
    _register(base, "sato")
    with pytest.raises(CreditError) as caught:
        claim_next(base, settings, "ghost", CALL_AT)
    assert caught.value.field == "operator" and "sato" in str(caught.value)
    entry = claim_next(base, settings, "sato", CALL_AT)
    assert entry is not None
