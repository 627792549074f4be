"""An answer profile in words: the best windows of a customer's 168 hour-of-week probabilities.

The queue's `answers_best` and the operator card say when a customer answers from these;
the probabilities themselves come from :mod:`workbench.domain.answer_model`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from workbench.domain.answer_model import HOURS_PER_WEEK

_WEEKDAYS: Final = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "ja": ("月", "火", "水", "木", "金", "土", "日"),
}


class AnswerWindow(NamedTuple):
    """A run of good hours on one weekday: [start_hour, end_hour) local time, mean probability."""

    weekday: int
    start_hour: int
    end_hour: int
    p: float


def best_windows(
    probs: ArrayLike, n: int = 3, *, tolerance: float = 0.1, min_p: float = 0.0
) -> list[AnswerWindow]:
    """Up to ``n`` best answer windows, best first.

    Greedy: take the best unused cell, extend it within its day over neighbouring unused hours
    whose probability is within ``tolerance`` (relative) of that peak, report the run with its mean
    probability; repeat. Peaks below ``min_p`` end the search. Ties go to the earlier hour.
    """
    p = np.asarray(probs, dtype=np.float64)
    if p.shape != (HOURS_PER_WEEK,):
        raise ValueError("probs need shape (168,)")
    used = np.zeros(HOURS_PER_WEEK, dtype=bool)
    windows: list[AnswerWindow] = []
    while len(windows) < n and not used.all():
        peak = int(np.argmax(np.where(used, -np.inf, p)))
        if p[peak] < min_p:
            break
        threshold = p[peak] * (1.0 - tolerance)
        day_start = peak - peak % 24
        start, end = peak, peak + 1
        while start > day_start and not used[start - 1] and p[start - 1] >= threshold:
            start -= 1
        while end < day_start + 24 and not used[end] and p[end] >= threshold:
            end += 1
        used[start:end] = True
        windows.append(
            AnswerWindow(peak // 24, start - day_start, end - day_start, float(p[start:end].mean()))
        )
    return sorted(windows, key=lambda w: -w.p)


def describe_windows(windows: Sequence[AnswerWindow], lang: Literal["en", "ja"] = "en") -> str:
    """Short text for the screen, merging consecutive weekdays with the same hours.

    ``[(1,18,19,.3), (2,18,19,.3), (3,18,19,.3)]`` → "Tue–Thu 18–19h" ("火–木 18–19時" in ja).
    """
    names = _WEEKDAYS[lang]
    unit = "時" if lang == "ja" else "h"
    by_hours: dict[tuple[int, int], list[int]] = {}
    for w in windows:
        by_hours.setdefault((w.start_hour, w.end_hour), []).append(w.weekday)
    parts = []
    for (start, end), days in by_hours.items():
        runs = _runs(sorted(set(days)))
        label = ",".join(names[a] if a == b else f"{names[a]}–{names[b]}" for a, b in runs)
        parts.append(f"{label} {start}–{end}{unit}")
    return ", ".join(parts)


def _runs(days: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for d in days:
        if runs and runs[-1][1] == d - 1:
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs
