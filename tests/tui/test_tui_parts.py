"""The UI's plain parts: input parsing, dialers, the catalogue, season words, the heatmap text."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.binding import Binding

from workbench.config import ConfigError, load_settings, now_from_env
from workbench.domain.calling_rules import CallingPolicy
from workbench.domain.codes import CALL_OUTCOMES, REASONS
from workbench.tui.adapters.customer import HeatGrid
from workbench.tui.adapters.form import Draft, check, parse_amount, parse_callback
from workbench.tui.adapters.queue import weeks_to_peak
from workbench.tui.dialer import (
    ClipboardDialer,
    CommandDialer,
    DialError,
    TelDialer,
    dialer_from_env,
)
from workbench.tui.i18n import _TEXT, Catalogue
from workbench.tui.labels import OUTCOMES, RULES
from workbench.tui.screens.call import CallScreen
from workbench.tui.screens.disposition import DispositionScreen
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.login import LoginScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.screens.script_picker import ScriptPickerScreen
from workbench.tui.widgets.heatmap import render_grid

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=TOKYO)
JA = Catalogue("ja")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("18:00", datetime(2026, 11, 25, 18, 0, tzinfo=TOKYO)),
        ("１８：３０", datetime(2026, 11, 25, 18, 30, tzinfo=TOKYO)),
        ("明日 9:30", datetime(2026, 11, 26, 9, 30, tzinfo=TOKYO)),
        ("tomorrow 10:00", datetime(2026, 11, 26, 10, 0, tzinfo=TOKYO)),
        ("11/27 14:00", datetime(2026, 11, 27, 14, 0, tzinfo=TOKYO)),
        ("2026-12-01 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)),
        ("+2h", NOW + timedelta(hours=2)),
        ("+30m", NOW + timedelta(minutes=30)),
        ("+1d", NOW + timedelta(days=1)),
    ],
)
def test_callback_times_as_operators_type_them(typed: str, expected: datetime) -> None:
    assert parse_callback(typed, NOW, TOKYO) == expected


@pytest.mark.parametrize("typed", ["", "soon", "25:00", "2-30 10:00", "18"])
def test_callback_times_that_are_not(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_callback(typed, NOW, TOKYO)


def test_amounts() -> None:
    assert parse_amount("¥12,800") == 12800 and parse_amount("１２８００円") == 12800
    with pytest.raises(ValueError):
        parse_amount("-5")


def _check(**fields: str | None) -> dict[str, str]:
    return check(Draft(**fields), NOW, TOKYO, ("Asia/Tokyo",), CallingPolicy(), JA).errors  # type: ignore[arg-type]


def test_form_rules() -> None:
    assert set(_check()) == {"outcome"}
    assert _check(outcome="no_answer") == {}
    assert set(_check(outcome="callback")) == {"callback"}
    assert "未来" in _check(outcome="callback", callback="09:00")["callback"]
    assert "かけ直し" in _check(outcome="busy", callback="18:00")["callback"]
    assert "再開" in _check(outcome="not_interested", amount="5000")["amount"]
    assert _check(outcome="reactivated", amount="5000") == {}
    checked = check(
        Draft(outcome="callback", callback="22:00"),
        NOW,
        TOKYO,
        ("Asia/Tokyo",),
        CallingPolicy(),
        JA,
    )
    assert not checked.ok and "時間外" in checked.errors["callback"]
    assert "最も早い可能時刻は" in checked.errors["callback"]


def test_command_dialer_runs_without_a_shell() -> None:
    ran: list[tuple[list[str], dict[str, object]]] = []
    dialer = CommandDialer(
        "baresip -e 'd {e164}' --note {national}", runner=lambda argv, **kw: ran.append((argv, kw))
    )
    dialer.dial("+81312345678", "03-1234-5678")
    assert ran[0][0] == ["baresip", "-e", "d +81312345678", "--note", "03-1234-5678"]
    assert ran[0][1]["stdin"] == subprocess.DEVNULL and "shell" not in ran[0][1]


def test_dialer_errors_are_for_people() -> None:
    with pytest.raises(DialError, match="placeholder"):
        CommandDialer("call {number}").dial("+81312345678", "03-1234-5678")
    with pytest.raises(DialError, match="no-such-dialer"):
        CommandDialer("no-such-dialer-xyz {e164}").dial("+81312345678", "03-1234-5678")
    with pytest.raises(DialError):
        TelDialer(opener=lambda uri: False).dial("+81312345678", "03-1234-5678")


def test_dialer_from_environment() -> None:
    opened: list[str] = []
    assert isinstance(dialer_from_env({}), ClipboardDialer)
    assert isinstance(dialer_from_env({"WORKBENCH_DIALER": "tel"}), TelDialer)
    TelDialer(opener=lambda uri: opened.append(uri) or True).dial("+81312345678", "03-1234-5678")
    assert opened == ["tel:+81312345678"]
    command = dialer_from_env({"WORKBENCH_DIALER": "linphonecsh dial {e164}"})
    assert isinstance(command, CommandDialer) and command.argv("+1", "1") == [
        "linphonecsh",
        "dial",
        "+1",
    ]


def test_fixed_clock_from_the_environment() -> None:
    settings = load_settings(path=None, env={})
    assert now_from_env(settings, {"WORKBENCH_NOW": "2026-11-25T10:30:00+09:00"}) == NOW
    assert now_from_env(settings, {"WORKBENCH_NOW": "2026-11-25 10:30"}) == NOW
    assert now_from_env(settings, {}) is None
    with pytest.raises(ConfigError, match="WORKBENCH_NOW"):
        now_from_env(settings, {"WORKBENCH_NOW": "tomorrow"})


SCREENS = (QueueScreen, CallScreen, DispositionScreen, HelpScreen, LoginScreen, ScriptPickerScreen)


@pytest.mark.parametrize("screen", SCREENS, ids=lambda s: s.__name__)
def test_every_footer_label_is_in_both_languages(screen: type) -> None:
    for binding in Binding.make_bindings(screen.BINDINGS):
        if binding.show:
            assert binding.id and f"key.{binding.id}" in _TEXT, binding


def test_every_code_has_a_label() -> None:
    assert set(CALL_OUTCOMES) <= set(OUTCOMES)
    from workbench.domain.calling_rules import BlockCode

    assert {str(code) for code in BlockCode} | {"leased"} <= set(RULES)
    assert all(JA.reason(code) != code for code in REASONS)
    assert all(ja and en_ for ja, en_ in _TEXT.values())


HEATING = [1.8, 1.1, 1.0, 0.8, 0.7, 0.6, 0.6, 0.7, 0.8, 1.0, 1.1, 1.1]  # only January peaks


def test_season_words_count_weeks_to_the_peak() -> None:
    assert weeks_to_peak(HEATING, date(2026, 11, 25), (2, 6)) == 5
    assert (
        weeks_to_peak(HEATING, date(2026, 12, 28), (2, 6)) is None
    )  # too close to call it "coming"
    assert weeks_to_peak(HEATING, date(2026, 12, 28), (0, 6)) == 1
    assert weeks_to_peak(HEATING, date(2026, 11, 25), (6, 12)) is None
    assert weeks_to_peak([1.0] * 12, date(2026, 11, 25), (2, 6)) is None


@pytest.mark.parametrize("lead, shown", [((2, 6), True), ((6, 12), False), ((5, 6), True)])
def test_season_wording_follows_the_configured_lead_window(
    lead: tuple[int, int], shown: bool
) -> None:
    """The card says "season in N weeks" exactly when the score's season boost applies."""
    import dataclasses
    import random
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from workbench.config import load_settings
    from workbench.domain.scoring import ScoreParts
    from workbench.domain.season import season_boost
    from workbench.services.queue import QueueEntry
    from workbench.tui.adapters.queue import Facts, reason_words
    from workbench.tui.session import Session, fixed_clock

    base = load_settings(path=None, env={})
    settings = dataclasses.replace(
        base,
        language="ja",
        scoring=dataclasses.replace(
            base.scoring, season_lead_weeks_min=lead[0], season_lead_weeks_max=lead[1]
        ),
    )
    now = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    boost = season_boost(HEATING, now.month, now.day, lead)
    parts = ScoreParts(10000.0, 0.5, 1.0, 0.1, boost, False, 500.0, 0.3)
    entry = QueueEntry(
        1, "C1", "顧客", "b2c", parts, "+819012345678", now, "dormant", "unknown", "guessed", None
    )
    session = Session(None, settings, "op1", fixed_clock(now), random.Random(1), None)  # type: ignore[arg-type]
    words = reason_words(
        session,
        entry,
        Facts("heating", datetime(2026, 2, 1, tzinfo=ZoneInfo("Asia/Tokyo"))),
        {"heating": HEATING},
    )
    assert (boost > 0) is shown
    assert ("繁忙期まで 5週" in words) is shown


def test_heatmap_marks_calls_and_blanks_closed_hours() -> None:
    p = tuple(0.1 + (h % 24) / 100 for h in range(168))
    tries = [0] * 168
    answers = [0] * 168
    tries[2 * 24 + 18] = answers[2 * 24 + 18] = 1  # Wednesday 18h: reached
    tries[0 * 24 + 10] = 1  # Monday 10h: no answer
    open_ = tuple(9 <= h % 24 < 20 and h < 6 * 24 for h in range(168))
    lines = render_grid(HeatGrid(p, tuple(tries), tuple(answers), open_), JA).plain.splitlines()
    cells = [line[2:] for line in lines[1:]]  # "月 " is three cells but two characters
    assert lines[1].startswith("月 ") and cells[0][10] == "×"
    assert cells[2][18] == "●"
    assert cells[0][19] == "█" and set(cells[0][:9]) == set(cells[0][20:]) == {"·"}
    assert set(cells[6]) == {"·"}  # Sunday: no calling window
