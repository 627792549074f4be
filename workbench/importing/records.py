"""Row validation: one CSV row → one typed record, or a RowError naming the column."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, tzinfo
from typing import NamedTuple

from workbench.domain import codes
from workbench.domain.phone import PhoneError, normalise
from workbench.domain.values import parse_bool, parse_datetime, parse_yen
from workbench.messages import say

CUSTOMER_COLUMNS = (
    "customer_id", "name", "name_kana", "kind", "company", "contact_person", "previous_rep",
    "phone", "phone2", "email", "prefecture", "created_at", "do_not_call", "email_opt_out",
)  # fmt: skip
CUSTOMER_REQUIRED = ("customer_id", "name", "kind", "phone")
TRANSACTION_COLUMNS = (
    "customer_id",
    "ordered_at",
    "amount",
    "category",
    "product",
    "transaction_id",
)
TRANSACTION_REQUIRED = ("customer_id", "ordered_at", "amount")
CONTACT_COLUMNS = (
    "customer_id", "at", "channel", "direction", "outcome", "operator", "script",
    "reason", "amount", "callback_at", "note",
)  # fmt: skip
CONTACT_REQUIRED = ("customer_id", "at", "channel", "outcome")


# Records are plain named tuples: they cross process boundaries by the million.
PhoneRow = tuple[str, str, str, tuple[str, ...]]  # raw, E.164, number type, time zones


class RowError(ValueError):
    """A row that cannot be imported: `column` names where, `reason` says why (in the
    interface language); `code` and `values` are the catalogue key and its values."""

    def __init__(self, column: str, code: str, /, **values: object) -> None:
        self.column = column
        self.code = code
        self.values = values
        self.reason = say(code, **values)
        super().__init__(f"{column}: {self.reason}")


# The domain's parsers explain in English; a row's reason speaks the interface language.
_VALUE_MESSAGES = {
    parse_bool: "value.bool",
    parse_yen: "value.yen",
    parse_datetime: "value.datetime",
}
_PHONE_MESSAGES = (
    ("empty phone number", "value.phone_empty"),
    ("invalid characters", "value.phone_characters"),
    ("not a valid number", "value.phone_invalid"),
)


def _phone_error(raw: str, exc: PhoneError) -> tuple[str, dict[str, object]]:
    text = str(exc)
    for start, code in _PHONE_MESSAGES:
        if text.startswith(start):
            return code, {"value": repr(raw)}
    return "value.phone_other", {"detail": text}


class CustomerRecord(NamedTuple):
    external_id: str
    name: str
    name_kana: str | None
    kind: str
    company: str | None
    contact_person: str | None
    previous_rep: str | None
    phones: tuple[PhoneRow, ...]  # positions 1 and 2
    email: str | None
    prefecture: str | None
    created_at: datetime | None
    do_not_call: bool
    email_opt_out: bool


class TransactionRecord(NamedTuple):
    external_id: str
    ordered_at: str  # UTC as "YYYY-MM-DD HH:MM:SS.ffffff", SQLAlchemy's SQLite DATETIME text
    amount: int
    category: str | None
    product: str | None
    fingerprint: int


class ContactRecord(NamedTuple):
    external_id: str
    at: datetime
    channel: str
    direction: str
    outcome: str
    operator: str | None
    script: str | None
    reason: str | None
    amount: int | None
    callback_at: datetime | None
    note: str | None
    fingerprint: int


def _text(row: dict[str, str], column: str, max_len: int = 200) -> str | None:
    value = row.get(column)
    if not value:
        return None
    value = value.strip()
    if len(value) > max_len:
        raise RowError(column, "row.too_long", max=max_len)
    return value or None


def _required(row: dict[str, str], column: str, max_len: int = 200) -> str:
    value = _text(row, column, max_len)
    if value is None:
        raise RowError(column, "row.empty")
    return value


def _parse(row: dict[str, str], column: str, parser, *args):  # type: ignore[no-untyped-def]
    text = row.get(column) or ""
    try:
        return parser(text, *args)
    except ValueError:
        if parser is parse_datetime and not text.strip():
            raise RowError(column, "value.datetime_empty") from None
        raise RowError(column, _VALUE_MESSAGES[parser], value=repr(text)) from None


def _optional_time(row: dict[str, str], column: str, zone: tzinfo) -> datetime | None:
    if not (row.get(column) or "").strip():
        return None
    return _parse(row, column, parse_datetime, zone)


def _fingerprint(*parts: object) -> int:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def customer(row: dict[str, str], region: str, zone: tzinfo) -> CustomerRecord:
    external_id = _required(row, "customer_id", 64)
    name = _required(row, "name")
    kind = (row.get("kind") or "").strip().lower()
    if kind not in (codes.Kind.B2C, codes.Kind.B2B):
        raise RowError("kind", "row.kind", value=repr(row.get("kind")))
    phones: list[PhoneRow] = []
    for column in ("phone", "phone2"):
        raw = (row.get(column) or "").strip()
        if not raw:
            if column == "phone":
                raise RowError(column, "row.empty")
            continue
        try:
            info = normalise(raw, region)
            phones.append((raw[:64], info.e164, info.number_type, info.time_zones))
        except PhoneError as exc:
            code, values = _phone_error(raw, exc)
            raise RowError(column, code, **values) from None
    email = _text(row, "email", 254)
    if email is not None and ("@" not in email or " " in email):
        raise RowError("email", "row.email", value=repr(email))
    return CustomerRecord(
        external_id=external_id,
        name=name,
        name_kana=_text(row, "name_kana"),
        kind=kind,
        company=_text(row, "company"),
        contact_person=_text(row, "contact_person"),
        previous_rep=_text(row, "previous_rep"),
        phones=tuple(phones),
        email=email,
        prefecture=_text(row, "prefecture", 20),
        created_at=_optional_time(row, "created_at", zone),
        do_not_call=_parse(row, "do_not_call", parse_bool),
        email_opt_out=_parse(row, "email_opt_out", parse_bool),
    )


def transaction(row: dict[str, str], zone: tzinfo) -> TransactionRecord:
    external_id = _required(row, "customer_id", 64)
    ordered_at = (
        _parse(row, "ordered_at", parse_datetime, zone)
        .astimezone(UTC)
        .isoformat(" ", "microseconds")[:26]
    )
    amount = _parse(row, "amount", parse_yen)
    category = _text(row, "category", 100)
    product = _text(row, "product")
    explicit = _text(row, "transaction_id", 64)
    identity = (
        ("id", external_id, explicit)
        if explicit
        else (external_id, ordered_at, amount, category, product)
    )
    return TransactionRecord(
        external_id, ordered_at, amount, category, product, _fingerprint(*identity)
    )


def transaction_columns(header: list[str]) -> tuple[int, ...]:
    """Each transaction column's position in the header, -1 where absent."""
    return tuple(header.index(c) if c in header else -1 for c in TRANSACTION_COLUMNS)


def plain_transaction(
    fields: list[str], columns: tuple[int, ...], zone: tzinfo
) -> TransactionRecord | None:
    """The same record as `transaction` for the plain rows that make up bulk files, or None.

    Ten million rows come through here: no dict per row, no normalisation.
    Anything unusual (full-width digits, slashes, separators in amounts, over-long
    text) returns None and goes through `transaction`, which explains errors.
    """
    i_id, i_at, i_amount, i_category, i_product, i_explicit = columns
    external_id, when, amount = fields[i_id].strip(), fields[i_at], fields[i_amount]
    if not (
        external_id
        and len(external_id) <= 64
        and when.isascii()
        and amount.isascii()
        and amount.isdigit()
    ):
        return None
    if "/" in when or when != when.strip():
        return None
    try:
        parsed = datetime.fromisoformat(when)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    ordered_at = parsed.astimezone(UTC).isoformat(" ", "microseconds")[:26]
    category = fields[i_category].strip() or None if i_category >= 0 else None
    product = fields[i_product].strip() or None if i_product >= 0 else None
    explicit = fields[i_explicit].strip() or None if i_explicit >= 0 else None
    if (
        (category and len(category) > 100)
        or (product and len(product) > 200)
        or (explicit and len(explicit) > 64)
    ):
        return None
    value = int(amount)
    identity = (
        ("id", external_id, explicit)
        if explicit
        else (external_id, ordered_at, value, category, product)
    )
    return TransactionRecord(
        external_id, ordered_at, value, category, product, _fingerprint(*identity)
    )


def contact(row: dict[str, str], zone: tzinfo) -> ContactRecord:
    external_id = _required(row, "customer_id", 64)
    at = _parse(row, "at", parse_datetime, zone)
    channel = (row.get("channel") or "").strip().lower()
    if channel not in set(codes.Channel):
        raise RowError(
            "channel", "row.channel", allowed=", ".join(codes.Channel), value=repr(channel)
        )
    direction = (row.get("direction") or "outbound").strip().lower()
    if direction not in set(codes.Direction):
        raise RowError("direction", "row.direction", value=repr(direction))
    outcome = (row.get("outcome") or "").strip().lower()
    _check_outcome(channel, direction, outcome)
    reason = _text(row, "reason", 40)
    if reason is not None and reason not in codes.REASON_SET:
        raise RowError("reason", "row.reason", reason=repr(reason), known=", ".join(codes.REASONS))
    amount = None if not (row.get("amount") or "").strip() else _parse(row, "amount", parse_yen)
    operator = _text(row, "operator", 64)
    fingerprint = _fingerprint(
        external_id, at.astimezone(UTC).isoformat(), channel, direction, outcome, operator
    )
    return ContactRecord(
        external_id=external_id,
        at=at,
        channel=channel,
        direction=direction,
        outcome=outcome,
        operator=operator,
        script=_text(row, "script", 100),
        reason=reason,
        amount=amount,
        callback_at=_optional_time(row, "callback_at", zone),
        note=_text(row, "note", 4000),
        fingerprint=fingerprint,
    )


def _check_outcome(channel: str, direction: str, outcome: str) -> None:
    if direction == codes.Direction.INBOUND:
        allowed = codes.INBOUND_OUTCOMES
    elif channel == codes.Channel.EMAIL:
        allowed = codes.EMAIL_EVENTS
    elif channel in (codes.Channel.LINE, codes.Channel.DM):
        allowed = codes.EMAIL_EVENTS + codes.CALL_OUTCOMES
    else:
        allowed = codes.CALL_OUTCOMES
    if outcome not in allowed:
        raise RowError(
            "outcome", "row.outcome", outcome=repr(outcome), direction=direction, channel=channel,
            allowed=", ".join(allowed),
        )  # fmt: skip
