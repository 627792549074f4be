"""Bulk writes of validated records, the same on SQLite and PostgreSQL.

Each function takes an open connection inside the caller's transaction and
never commits.  Customers are compared with what is stored so a re-import of
the same file writes nothing, and opt-outs and do-not-call entries are never
lifted by an import: only a person's explicit request may do that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Table, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from workbench.domain.outcomes import effects_of
from workbench.importing.records import ContactRecord, CustomerRecord
from workbench.store import purchase_metrics
from workbench.store.bulk import bulk_insert, stored_time
from workbench.store.models import (
    ContactAttempt,
    Customer,
    CustomerMetrics,
    DoNotCall,
    Phone,
    Purchase,
)

customers: Table = Customer.__table__  # type: ignore[assignment]
phones: Table = Phone.__table__  # type: ignore[assignment]
purchases: Table = Purchase.__table__  # type: ignore[assignment]
attempts: Table = ContactAttempt.__table__  # type: ignore[assignment]
dnc: Table = DoNotCall.__table__  # type: ignore[assignment]
metrics: Table = CustomerMetrics.__table__  # type: ignore[assignment]

DEFAULT_ZONE = "Asia/Tokyo"  # settings.timezone's default

_CUSTOMER_FIELDS = (
    "name", "name_kana", "kind", "company", "contact_person", "previous_rep",
    "email", "prefecture", "created_at", "email_opt_out",
)  # fmt: skip


@dataclass
class WriteCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: WriteCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged


def _insert(conn: Connection, table: Table):  # type: ignore[no-untyped-def]
    dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
    return dialect.insert(table)


def _customer_values(record: CustomerRecord, stored_opt_out: bool = False) -> dict[str, object]:
    values = {f: getattr(record, f) for f in _CUSTOMER_FIELDS}
    values["email_opt_out"] = record.email_opt_out or stored_opt_out
    return values


def write_customers(
    conn: Connection,
    batch: Sequence[CustomerRecord],
    now: datetime,
    known: dict[str, int] | None = None,
) -> WriteCounts:
    """Insert new customers and bring stored ones in line with the file.

    `known` (external id → id of every stored customer), when given, spares a
    lookup per batch and is kept up to date with the inserted customers.
    """
    batch = list({r.external_id: r for r in batch}.values())  # last row wins within a batch
    if known is None:
        ids = [r.external_id for r in batch]
        known = dict(
            conn.execute(
                select(customers.c.external_id, customers.c.id).where(
                    customers.c.external_id.in_(ids)
                )
            ).all()
        )
    new = [r for r in batch if r.external_id not in known]
    counts = _update_customers(conn, [r for r in batch if r.external_id in known], known, now)
    if new:
        counts.inserted = _insert_customers(conn, new, known, now)
    return counts


def _insert_customers(
    conn: Connection, batch: list[CustomerRecord], known: dict[str, int], now: datetime
) -> int:
    """The bulk path for customers not stored yet: plain inserts, no comparisons."""
    columns = ("external_id",) + _CUSTOMER_FIELDS + ("call_opt_out", "line_opt_out")
    time = stored_time(conn)
    rows = [
        (r.external_id, r.name, r.name_kana, r.kind, r.company, r.contact_person, r.previous_rep,
         r.email, r.prefecture, time(r.created_at), r.email_opt_out, False, False)
        for r in batch
    ]  # fmt: skip
    before = conn.execute(select(func.coalesce(func.max(customers.c.id), 0))).scalar_one()
    bulk_insert(conn, customers, columns, rows)
    if conn.dialect.name == "sqlite":
        # One writer at a time on SQLite: every id above the old maximum is one of ours.
        query = select(customers.c.external_id, customers.c.id).where(customers.c.id > before)
    else:
        query = select(customers.c.external_id, customers.c.id).where(
            customers.c.external_id.in_([r.external_id for r in batch])
        )
    ids = dict(conn.execute(query).all())
    known.update(ids)
    phone_rows = [
        (ids[r.external_id], position, e164, number_type, ",".join(zones), raw, None)
        for r in batch
        for position, (raw, e164, number_type, zones) in enumerate(r.phones, start=1)
    ]
    bulk_insert(
        conn,
        phones,
        ("customer_id", "position", "e164", "number_type", "time_zones", "raw", "retired_at"),
        phone_rows,
    )
    _write_customer_dnc(conn, {ids[r.external_id]: now for r in batch if r.do_not_call})
    return len(batch)


def _update_customers(
    conn: Connection, batch: list[CustomerRecord], known: dict[str, int], now: datetime
) -> WriteCounts:
    """Stored customers: compare with the file and write only what changed."""
    counts = WriteCounts()
    if not batch:
        return counts
    cols = [customers.c.id] + [customers.c[f] for f in _CUSTOMER_FIELDS]
    stored = {
        row.id: row
        for row in conn.execute(
            select(*cols).where(customers.c.id.in_([known[r.external_id] for r in batch]))
        )
    }
    changed = []
    for record in batch:
        row = stored[known[record.external_id]]
        values = _customer_values(record, stored_opt_out=bool(row.email_opt_out))
        if any(_differs(getattr(row, f), v) for f, v in values.items()):
            changed.append({"b_id": row.id, **values})
        else:
            counts.unchanged += 1
    if changed:
        stmt = update(customers).where(customers.c.id == bindparam("b_id"))
        conn.execute(stmt, changed)
    counts.updated = len(changed)
    id_of = {r.external_id: known[r.external_id] for r in batch}
    phone_changes = _write_phones(conn, batch, id_of)
    _write_customer_dnc(conn, {id_of[r.external_id]: now for r in batch if r.do_not_call})
    # A customer whose only change is a phone number was counted unchanged above.
    moved = len(phone_changes - {c["b_id"] for c in changed})
    counts.unchanged -= moved
    counts.updated += moved
    return counts


def _differs(stored: object, new: object) -> bool:
    if isinstance(stored, datetime) and isinstance(new, datetime):
        return stored != new.astimezone(UTC)
    return stored != new


def _write_phones(
    conn: Connection, batch: Sequence[CustomerRecord], id_of: dict[str, int]
) -> set[int]:
    """Bring phones in line with the file; returns ids of customers whose phones changed."""
    cids = list(id_of.values())
    stored = {
        (r.customer_id, r.position): r
        for r in conn.execute(select(phones).where(phones.c.customer_id.in_(cids)))
    }
    inserts, updates, deletes = [], [], []
    touched: set[int] = set()
    # A retired (wrong) number stays retired wherever it moves among the customer's phones.
    retired_numbers = {
        (r.customer_id, r.e164): r.retired_at for r in stored.values() if r.retired_at is not None
    }
    for record in batch:
        cid = id_of[record.external_id]
        for position in (1, 2):
            old = stored.get((cid, position))
            if position > len(record.phones):
                if old is not None:
                    deletes.append(old.id)
                    touched.add(cid)
                continue
            raw, e164, number_type, zones = record.phones[position - 1]
            values = {
                "e164": e164,
                "number_type": number_type,
                "time_zones": ",".join(zones),
                "raw": raw,
            }
            retired = retired_numbers.get((cid, e164))
            if old is None:
                inserts.append(
                    {"customer_id": cid, "position": position, **values, "retired_at": retired}
                )
                touched.add(cid)
            elif any(getattr(old, k) != v for k, v in values.items()) or old.retired_at != retired:
                updates.append({"b_id": old.id, **values, "retired_at": retired})
                touched.add(cid)
    if inserts:
        conn.execute(insert(phones), inserts)
    if updates:
        conn.execute(update(phones).where(phones.c.id == bindparam("b_id")), updates)
    if deletes:
        conn.execute(delete(phones).where(phones.c.id.in_(deletes)))
    return touched


def _write_customer_dnc(
    conn: Connection,
    since: Mapping[int, datetime],
    source: str = "import",
    reason: str = "do_not_call flag in import",
) -> None:
    """A do-not-call entry for all numbers of each customer, dated `since[customer]`.

    A refusal from the contact history is dated when it was made, so the rules at an
    earlier `--at` see it from then on; a stored entry dated later is moved back to it
    (suppression errs on the side of not calling).
    """
    if not since:
        return
    stored = {
        row.customer_id: row
        for row in conn.execute(
            select(dnc.c.id, dnc.c.customer_id, dnc.c.created_at).where(
                and_(dnc.c.customer_id.in_(list(since)), dnc.c.e164.is_(None))
            )
        )
    }
    rows = [
        {"customer_id": cid, "e164": None, "source": source, "reason": reason, "created_at": at}
        for cid, at in sorted(since.items())
        if cid not in stored
    ]
    if rows:
        conn.execute(insert(dnc), rows)
    earlier = [
        {"b_id": row.id, "b_at": since[cid]}
        for cid, row in stored.items()
        if row.created_at is not None and row.created_at.astimezone(UTC) > since[cid]
    ]
    if earlier:
        conn.execute(
            update(dnc).where(dnc.c.id == bindparam("b_id")).values(created_at=bindparam("b_at")),
            earlier,
        )


def customer_ids(conn: Connection) -> dict[str, int]:
    return dict(conn.execute(select(customers.c.external_id, customers.c.id)).all())


TransactionRow = tuple[
    int, str, int, str | None, str | None, int
]  # customer id, then as TransactionRecord


def write_transactions(
    conn: Connection, batch: Sequence[TransactionRow], bulk: bool = False
) -> WriteCounts:
    """Insert purchases not stored yet; in a bulk load every row goes in and `finish_bulk_load` dedupes."""
    if conn.dialect.name == "sqlite":
        return _write_transactions_sqlite(conn, batch, bulk)
    rows = []
    for cid, ordered_at, amount, category, product, fingerprint in batch:
        rows.append({
            "customer_id": cid, "ordered_at": datetime.fromisoformat(ordered_at).replace(tzinfo=UTC),
            "amount": amount, "category": category, "product": product, "fingerprint": fingerprint,
        })  # fmt: skip
    if not rows:
        return WriteCounts()
    inserted = _insert_new(conn, purchases, rows)
    return WriteCounts(inserted=inserted, unchanged=len(rows) - inserted)


def _write_transactions_sqlite(
    conn: Connection, batch: Sequence[TransactionRow], bulk: bool
) -> WriteCounts:
    """The bulk path: ten million rows go through here, so skip per-row type processing.

    Records arrive as plain tuples in column order, with times already in
    SQLAlchemy's own SQLite DATETIME text (UTC, microseconds).
    """
    conflict = "" if bulk else " ON CONFLICT (fingerprint) DO NOTHING"
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(
            "INSERT INTO transactions (customer_id, ordered_at, amount, category, product, fingerprint) "
            "VALUES (?, ?, ?, ?, ?, ?)" + conflict,
            batch,
        )
        inserted = cursor.rowcount
    finally:
        cursor.close()
    return WriteCounts(inserted=inserted, unchanged=len(batch) - inserted)


def write_contacts(
    conn: Connection, batch: Sequence[tuple[int, ContactRecord]], now: datetime
) -> WriteCounts:
    rows = [
        {
            "customer_id": cid,
            "channel": r.channel,
            "direction": r.direction,
            "at": r.at,
            "operator": r.operator,
            "outcome": r.outcome,
            "script_id": r.script,
            "reason": r.reason,
            "amount": r.amount,
            "callback_at": r.callback_at,
            "note": r.note,
            "source": "import",
            "fingerprint": r.fingerprint,
        }
        for cid, r in batch
    ]
    if not rows:
        return WriteCounts()
    inserted = _insert_new(conn, attempts, rows)
    # History carries refusals too: suppression must follow whatever path a refusal arrives by.
    refused: dict[int, datetime] = {}
    for cid, r in batch:
        if effects_of(r.outcome).suppress_calls:
            at = r.at.astimezone(UTC)
            refused[cid] = min(at, refused.get(cid, at))
    _write_customer_dnc(conn, refused, "contact_history", "do_not_call in the contact history")
    unsubscribed = [cid for cid, r in batch if effects_of(r.outcome).email_opt_out]
    if unsubscribed:
        conn.execute(
            update(customers).where(customers.c.id.in_(unsubscribed)).values(email_opt_out=True)
        )
    return WriteCounts(inserted=inserted, unchanged=len(rows) - inserted)


def _insert_new(conn: Connection, table: Table, rows: Sequence[Mapping[str, object]]) -> int:
    """Insert rows whose fingerprint is new; returns how many were new.

    psycopg's executemany does not report a row count, so PostgreSQL counts the
    RETURNING rows, which ON CONFLICT DO NOTHING leaves out for old fingerprints.
    """
    stmt = _insert(conn, table).on_conflict_do_nothing(index_elements=["fingerprint"])
    if conn.dialect.name == "sqlite":
        return max(conn.execute(stmt, rows).rowcount, 0)
    return len(conn.execute(stmt.returning(table.c.id), rows).all())


def refresh_metrics(
    conn: Connection, customer_ids: Iterable[int] | None = None, zone: str = DEFAULT_ZONE
) -> None:
    """Recompute purchase aggregates (with day-merged counts in `zone`), for all customers or the given ones."""
    purchase_metrics.refresh(conn, zone, customer_ids)
