"""The demo period as a grid of days and seconds, and its ISO-8601 text in JST.

Event times are whole seconds since the start date at 00:00 JST; the tables turn them
into text by indexing instead of formatting each timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

SECONDS_PER_DAY = 86_400
_JST_SUFFIX = "+09:00"

# Callback appointments may point past the end date, so the day tables run longer.
_CALENDAR_MARGIN_DAYS = 60


@dataclass(frozen=True)
class Calendar:
    days: int  # number of days in [start, end)
    day_prefix: list[str]  # "YYYY-MM-DDT" per day offset
    time_suffix: list[str]  # "HH:MM:SS+09:00" per second of day
    month: np.ndarray  # 0-11 per day offset
    weekday: np.ndarray  # 0=Monday per day offset
    weekday0: int

    @classmethod
    def build(cls, start: date, end: date) -> Calendar:
        days = (end - start).days
        all_days = [start + timedelta(days=i) for i in range(days + _CALENDAR_MARGIN_DAYS)]
        time_suffix = [
            f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}{_JST_SUFFIX}"
            for s in range(SECONDS_PER_DAY)
        ]
        return cls(
            days=days,
            day_prefix=[f"{d.isoformat()}T" for d in all_days],
            time_suffix=time_suffix,
            month=np.array([d.month - 1 for d in all_days], dtype=np.int64),
            weekday=np.array([d.weekday() for d in all_days], dtype=np.int64),
            weekday0=start.weekday(),
        )

    @property
    def end_sec(self) -> int:
        return self.days * SECONDS_PER_DAY

    def iso(self, sec: int) -> str:
        day, rest = divmod(sec, SECONDS_PER_DAY)
        return self.day_prefix[day] + self.time_suffix[rest]

    def weekday_of(self, day: int) -> int:
        return (self.weekday0 + day) % 7
