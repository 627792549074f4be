"""Parsing the scalar values people write in CSV files: dates, yen, yes/no."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, tzinfo

_TRUE = {"1", "true", "yes", "y", "t", "はい", "○", "〇", "有", "済"}
_FALSE = {"", "0", "false", "no", "n", "f", "いいえ", "×", "無", "-"}
_YEN = re.compile(r"^[¥￥]?\s*(-?[\d,]+)(\.0+)?\s*(円)?$")


def parse_bool(text: str) -> bool:
    value = unicodedata.normalize("NFKC", text).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"expected 1/0, true/false or yes/no, got {text!r}")


def parse_yen(text: str) -> int:
    """'12,800', '¥12800', '12800円' → 12800.  Fractions of a yen are an error, not rounded."""
    if text.isdigit() and text.isascii():
        return int(text)
    value = unicodedata.normalize("NFKC", text).strip()
    match = _YEN.match(value)
    if not match:
        raise ValueError(f"expected a whole-yen amount like 12800, got {text!r}")
    return int(match.group(1).replace(",", ""))


def parse_datetime(text: str, zone: tzinfo) -> datetime:
    """ISO 8601 or Japanese-style 2024/01/05 [10:00]; a value without offset is in `zone`."""
    value = (
        (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip().replace("/", "-")
    )
    if not value:
        raise ValueError("empty date/time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"expected a date/time like 2024-01-05T10:00+09:00, got {text!r}"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed


def parse_date(text: str) -> date:
    value = unicodedata.normalize("NFKC", text).strip().replace("/", "-")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date like 2024-01-05, got {text!r}") from None


def start_of_day(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)
