"""Phone numbers: normalise what people type into E.164 with type and time zones.

Japanese CRMs hold numbers as typed: full-width digits, hyphens, parentheses,
`+81`, `+81 (0)3 …`.  We normalise the characters, let `phonenumbers` decide
validity, and reject what it does not accept instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType
from phonenumbers import timezone as pn_timezone

_TYPE_NAMES: dict[int, str] = {
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.PERSONAL_NUMBER: "personal",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
# "+81 (0)3-1234-5678": the trunk zero in parentheses must go, or the number is misread.
_TRUNK_IN_PARENS = re.compile(r"^\+(\d{1,3})\s*\(0\)")
_ALLOWED = re.compile(r"^[+\d\s().\-/]+$")
_UNKNOWN_ZONE = "Etc/Unknown"


class PhoneError(ValueError):
    """The text is not a valid phone number; the message says why."""


@dataclass(frozen=True, slots=True)
class PhoneInfo:
    e164: str
    number_type: str
    time_zones: tuple[str, ...]


def clean(raw: str) -> str:
    """Full-width to ASCII (NFKC), unify dash variants, drop the `(0)` trunk after a country code."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(r"[‐‑‒–—―−ー－]", "-", text)
    return _TRUNK_IN_PARENS.sub(r"+\1 ", text)


def normalise(raw: str, region: str = "JP") -> PhoneInfo:
    """Parse `raw` as typed; raise PhoneError if it is not a valid, diallable number."""
    text = clean(raw)
    if not text:
        raise PhoneError("empty phone number")
    if not _ALLOWED.match(text):
        raise PhoneError(f"invalid characters in phone number {raw!r}")
    try:
        parsed = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        raise PhoneError(f"not a phone number: {raw!r} ({exc.args[0] if exc.args else exc})") from None
    if not phonenumbers.is_valid_number(parsed):
        raise PhoneError(f"not a valid number for its region: {raw!r}")
    number_type = _TYPE_NAMES.get(phonenumbers.number_type(parsed), "unknown")
    zones = tuple(z for z in pn_timezone.time_zones_for_number(parsed) if z != _UNKNOWN_ZONE)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return PhoneInfo(e164=e164, number_type=number_type, time_zones=zones)


def national_format(e164: str) -> str:
    """'+81312345678' → '03-1234-5678' (the way people in that country write it)."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
