"""Simulated outbound calls (and e-mail blasts) against a customer's hidden answering habit.

``CallSimulator`` knows how operators schedule attempts and how a call ends; which
customers are called, and when a campaign starts, is decided in ``contacts``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from workbench.demo.timeline import SECONDS_PER_DAY, Calendar
from workbench.demo.truth import ANSWER_PROFILES, answer_probability, in_preferred_hours
from workbench.domain.codes import CONTACTED_OUTCOMES, REASONS

CALL_FIRST_HOUR = 9
CALL_LAST_HOUR = 19  # last hour a call may start: calling hours are 09:00-20:00, Mon-Sat
OPERATORS: tuple[str, ...] = tuple(f"op{i:02d}" for i in range(1, 9))
# How operators spread attempts over the calling day (09 … 19) and the week (Mon … Sat).
CALL_HOUR_WEIGHTS: tuple[float, ...] = (0.6, 1.2, 1.2, 0.5, 1.0, 1.2, 1.2, 1.1, 1.0, 0.9, 0.7)
SATURDAY_CALL_SHARE = 0.4  # relative to a weekday
UNDECIDED_SHARE = 0.08  # answered calls that end 「検討します」 (no_decision): not a refusal

_EMAIL_SCRIPT = "email_winback"

_REASON_NOTES: dict[str, tuple[str, ...]] = {
    "usage_decreased": ("最近使う機会が減ったとのこと", "まだ在庫が残っているとのこと"),
    "quality_dissatisfaction": (
        "前回の商品の品質に不満があったとのこと",
        "届いた商品に傷があったとのこと",
    ),
    "competitor": ("他社の通販に切り替えたとのこと", "近所の店舗で購入しているとのこと"),
    "price": ("価格が高いと感じているとのこと", "送料が負担とのこと"),
    "long_consideration": ("購入を検討中とのこと", "カタログを見てから決めたいとのこと"),
    "needs_changed": ("必要な商品が変わったとのこと", "用途が変わったとのこと"),
    "life_stage_change": (
        "子どもが独立して需要が減ったとのこと",
        "退職されて生活が変わったとのこと",
    ),
    "contact_person_changed": ("担当者が異動されたとのこと", "購買担当が交代したとのこと"),
    "moved": ("転居されたとのこと", "引っ越しで住所が変わったとのこと"),
    "unknown": ("理由は伺えず", "特に理由はないとのこと"),
}
_OUTCOME_NOTES: dict[str, tuple[str, ...]] = {
    "callback": ("改めて連絡希望", "今は忙しいので後日とのこと"),
    "not_interested": ("今は必要ないとのこと", "購入予定はないとのこと"),
    "reactivated": ("その場で再注文をいただいた", "キャンペーン案内で再購入"),
    "complaint": ("前回の対応に強いご不満、謝罪済み", "配送遅延へのご不満、上長へ報告"),
    "do_not_call": ("今後の電話は不要とのこと", "電話での案内はお断りとのこと"),
    "contact_changed": ("連絡先が変更とのこと", "新しい連絡先を確認"),
    "no_decision": ("家族と相談して検討するとのこと", "カタログを見てから検討するとのこと"),
}


@dataclass
class ContactRow:
    """One contact event: a contacts.csv line but the customer, times in seconds since start."""

    sec: int
    outcome: str
    channel: str = "call"
    operator: str = ""
    script: str = ""
    reason: str = ""
    amount: str = ""
    callback_sec: int = -1
    note: str = ""


def _email_row(sec: int, outcome: str) -> ContactRow:
    return ContactRow(sec=sec, outcome=outcome, channel="email", script=_EMAIL_SCRIPT)


@dataclass
class Caller:
    """Per-customer facts the call simulation needs."""

    b2b: bool
    profile: str
    p_peak: float
    p_base: float
    reason: str
    script: str
    wrong_number: bool


def _preferred_hours_table() -> dict[str, list[list[int]]]:
    """Callable hours inside each profile's window, per weekday (Sunday: none)."""
    return {
        profile: [
            [
                h
                for h in range(CALL_FIRST_HOUR, CALL_LAST_HOUR + 1)
                if wd < 6 and in_preferred_hours(profile, wd, h)
            ]
            for wd in range(7)
        ]
        for profile in ANSWER_PROFILES
    }


_PREFERRED_HOURS = _preferred_hours_table()
_CALL_HOURS = list(range(CALL_FIRST_HOUR, CALL_LAST_HOUR + 1))
_CALL_HOUR_CUM = list(np.cumsum(CALL_HOUR_WEIGHTS))


class CallSimulator:
    """Simulates past outbound campaigns against the customers' hidden answering habits."""

    def __init__(self, cal: Calendar, rnd: random.Random) -> None:
        self.cal = cal
        self.rnd = rnd

    # -- scheduling ---------------------------------------------------------- #

    def call_time(self, day: int) -> int:
        """A call on ``day`` (or the next calling day), at an operator-chosen hour."""
        rnd = self.rnd
        while True:
            weekday = self.cal.weekday_of(day)
            if weekday < 5 or (weekday == 5 and rnd.random() < SATURDAY_CALL_SHARE):
                break
            day += 1
        hour = rnd.choices(_CALL_HOURS, cum_weights=_CALL_HOUR_CUM)[0]
        return day * SECONDS_PER_DAY + hour * 3600 + rnd.randrange(3600)

    def preferred_time(self, caller: Caller, day: int) -> int:
        """The first time slot from ``day`` on that lies in the customer's preferred window."""
        for offset in range(14):
            hours = _PREFERRED_HOURS[caller.profile][self.cal.weekday_of(day + offset)]
            if hours:
                hour = self.rnd.choice(hours)
                # Leave room for the follow-up call's few minutes of delay within the hour.
                return (day + offset) * SECONDS_PER_DAY + hour * 3600 + self.rnd.randrange(3000)
        return self.call_time(day)

    def answers(self, caller: Caller, sec: int) -> bool:
        day, rest = divmod(sec, SECONDS_PER_DAY)
        p = answer_probability(
            caller.profile, caller.p_peak, caller.p_base, self.cal.weekday_of(day), rest // 3600
        )
        return self.rnd.random() < p

    # -- outcomes ------------------------------------------------------------ #

    def unanswered_outcome(self) -> str:
        u = self.rnd.random()
        return "no_answer" if u < 0.72 else ("voicemail" if u < 0.90 else "busy")

    def answered_outcome(self, caller: Caller, after_callback: bool) -> str:
        callback = 0.10 if after_callback else 0.30
        changed = 0.45 if caller.reason in ("moved", "contact_person_changed") else 0.04
        # 「検討します」 is cut from the end of the refusals' share: one draw either way, so the
        # rest of the demo stays as it was before the outcome existed.
        weights = (callback, 0.47 - UNDECIDED_SHARE, UNDECIDED_SHARE, 0.035, changed)
        return self.rnd.choices(
            ("callback", "not_interested", "no_decision", "do_not_call", "contact_changed"),
            weights,
        )[0]

    def heard_reason(self, caller: Caller, outcome: str) -> str:
        if outcome == "contact_changed" and caller.reason not in (
            "moved",
            "contact_person_changed",
        ):
            return "contact_person_changed" if caller.b2b else "moved"
        u = self.rnd.random()
        if u < 0.75:
            return caller.reason
        return "unknown" if u < 0.90 else self.rnd.choice(REASONS)

    def note(self, outcome: str, reason: str) -> str:
        outcome_note = self.rnd.choice(_OUTCOME_NOTES[outcome])
        if outcome in (
            "callback",
            "not_interested",
            "no_decision",
            "reactivated",
            "contact_changed",
        ):
            return f"{self.rnd.choice(_REASON_NOTES[reason])}。{outcome_note}"
        return outcome_note

    def row(self, caller: Caller, sec: int, outcome: str, **extra: object) -> ContactRow:
        row = ContactRow(
            sec=sec, outcome=outcome, operator=self.rnd.choice(OPERATORS), script=caller.script
        )
        if outcome in CONTACTED_OUTCOMES:
            row.reason = self.heard_reason(caller, outcome)
            row.note = self.note(outcome, row.reason)
        for key, value in extra.items():
            setattr(row, key, value)
        return row

    # -- campaigns ----------------------------------------------------------- #

    def campaign(
        self,
        caller: Caller,
        start_day: int,
        max_attempts: int,
        on_answer: str | None = None,
        reactivate_before: int = -1,
    ) -> tuple[list[ContactRow], int]:
        """Dial until reached or given up; returns the rows and the reactivation time (or -1).

        ``on_answer`` forces the outcome of the first real conversation (complaints of
        churned customers).  ``reactivate_before``: a conversation before this time ends
        in a reactivation (the caller owns an order there).
        """
        rows: list[ContactRow] = []
        end = self.cal.end_sec
        sec = self.call_time(start_day)
        misses, callbacks = 0, 0
        while sec < end:
            if not self.answers(caller, sec):
                rows.append(self.row(caller, sec, self.unanswered_outcome()))
                misses += 1
                if misses >= max_attempts:
                    break
                sec = self.call_time(sec // SECONDS_PER_DAY + self.rnd.randint(1, 4))
                continue
            if caller.wrong_number:
                rows.append(self.row(caller, sec, "wrong_number"))
                break
            if on_answer is not None:
                rows.append(self.row(caller, sec, on_answer))
                break
            if sec + 3600 < reactivate_before:
                rows.append(self.row(caller, sec, "reactivated"))
                return rows, sec
            outcome = self.answered_outcome(caller, after_callback=callbacks > 0)
            if outcome != "callback":
                rows.append(self.row(caller, sec, outcome))
                break
            callbacks += 1
            callback_sec = self.preferred_time(
                caller, sec // SECONDS_PER_DAY + self.rnd.randint(1, 7)
            )
            rows.append(self.row(caller, sec, "callback", callback_sec=callback_sec))
            sec = callback_sec + self.rnd.randrange(0, 600)
        return rows, -1

    def forced_complaint(self, caller: Caller, start_day: int) -> list[ContactRow]:
        """Churned customers: dial until reached (operators switch to the preferred hours)."""
        rows, _ = self.campaign(caller, start_day, max_attempts=3, on_answer="complaint")
        if not rows or rows[-1].outcome != "complaint":
            # Unreached (or a wrong number, then a second number found later): the
            # operator retries in the hours the customer turned out to answer.
            last_day = rows[-1].sec // SECONDS_PER_DAY if rows else start_day
            sec = self.preferred_time(caller, last_day + 1)
            if sec >= self.cal.end_sec:
                sec = self.preferred_time(caller, start_day)
            rows.append(self.row(caller, sec, "complaint"))
        return rows

    def email_campaign(self, sent_day: int) -> tuple[list[ContactRow], bool]:
        """One e-mail blast and the events it caused; returns rows and whether they unsubscribed."""
        rnd = self.rnd
        end = self.cal.end_sec
        sent = sent_day * SECONDS_PER_DAY + 10 * 3600 + rnd.randrange(600)
        rows = [_email_row(sent, "sent")]
        if rnd.random() < 0.04:
            rows.append(_email_row(sent + rnd.randrange(5, 300), "bounced"))
            return [r for r in rows if r.sec < end], False
        unsubscribed = False
        if rnd.random() < 0.35:
            opened = sent + rnd.randrange(600, 48 * 3600)
            rows.append(_email_row(opened, "opened"))
            if rnd.random() < 0.30:
                rows.append(_email_row(opened + rnd.randrange(10, 1800), "clicked"))
            if rnd.random() < 0.06:
                rows.append(_email_row(opened + rnd.randrange(3600, 72 * 3600), "replied"))
            elif rnd.random() < 0.07:
                rows.append(_email_row(opened + rnd.randrange(10, 600), "unsubscribed"))
                unsubscribed = True
        kept = [r for r in rows if r.sec < end]
        return kept, unsubscribed and kept[-1].outcome == "unsubscribed"
