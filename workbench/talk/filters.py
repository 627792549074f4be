"""Formatting helpers that talk scripts use as Jinja filters.

Each function is plain Python (testable on its own); ``render.py`` registers them as
filters that take the script's language from the render context.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

# Start dates of the Japanese eras; year 1 of an era is written 元年.
_ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
    (date(1912, 7, 30), "大正"),
)
_WEEKDAYS_JA = "月火水木金土日"
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise TypeError(f"not a date: {value!r}")


def japanese_era(day: date) -> tuple[str, int]:
    """(era name, year in era) for a date; raises for dates before 大正."""
    for start, name in _ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError(f"no era known for {day.isoformat()}")


def format_jdate(
    value: object, era: bool = False, weekday: bool = False, language: str = "ja"
) -> str:
    """2026年11月25日 / 令和8年11月25日 (ja) or November 25, 2026 (en)."""
    day = as_date(value)
    if language == "en":
        text = f"{_MONTHS_EN[day.month - 1]} {day.day}, {day.year}"
        return f"{_WEEKDAYS_EN[day.weekday()]}, {text}" if weekday else text
    if era:
        name, year = japanese_era(day)
        text = f"{name}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    else:
        text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（{_WEEKDAYS_JA[day.weekday()]}）" if weekday else text


def format_yen(value: object, symbol: bool | None = None, language: str = "ja") -> str:
    """12,800円 (ja default) or ¥12,800 (en default, or symbol=True)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise TypeError(f"not an amount: {value!r}")
    amount = int(Decimal(str(value).replace(",", "").strip()).quantize(Decimal(1), ROUND_HALF_UP))
    use_symbol = (language == "en") if symbol is None else symbol
    sign = "-" if amount < 0 else ""
    digits = f"{abs(amount):,}"
    return f"{sign}¥{digits}" if use_symbol else f"{sign}{digits}円"


def honorific(value: object, org: bool = False, language: str = "ja") -> str:
    """佐藤 花子 → 佐藤 花子様; an organisation → 株式会社山田商事 御中 (ja only)."""
    if not isinstance(value, str):
        value = str(value)  # an undefined value raises here, as it should
    name = value.strip()
    if not name:
        raise ValueError("empty name")
    if language == "en" or name.endswith(("様", "御中", "殿")):
        return name
    return f"{name} 御中" if org else f"{name}様"


def add_months(value: object, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (Jan 31 + 1 → Feb 28/29)."""
    day = as_date(value)
    index = day.year * 12 + day.month - 1 + int(months)
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
