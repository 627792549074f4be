"""The operator's shift loop at 80×24, driven by keys: claim → script branch → disposition → next."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_helpers import (
    NOW,
    SMALL,
    call_ready,
    queue_ready,
    settle,
    start_call,
    ui_attempts,
    wait_for,
)

from workbench.domain.codes import CALL_OUTCOMES
from workbench.tui.screens.disposition import DispositionScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.widgets.outcome_picker import OUTCOME_KEYS
from workbench.tui.widgets.script_panel import ScriptPanel

OUTCOME_KEY = {code: key for key, code in OUTCOME_KEYS.items()}
# What the operator types after the outcome key (focus jumps to the field the outcome needs).
EXTRA_KEYS = {"callback": list("18:00"), "reactivated": list("12800")}


@pytest.mark.parametrize("outcome", CALL_OUTCOMES)
async def test_shift_loop_records_each_outcome_and_claims_the_next(
    make_app, engine, outcome: str
) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        first = call.entry
        assert first.callback_overdue  # the overdue promise comes first
        panel = call.query_one(ScriptPanel)
        opening = panel.current
        assert opening is not None and opening.id == "opening" and opening.branches

        await pilot.press("c")  # dial: the number is copied for the softphone
        assert app.clipboard == first.phone
        await pilot.press("1")  # "the customer will talk" → the first branch
        assert panel.path == ["opening", opening.branches[0].target]

        await pilot.press("d", OUTCOME_KEY[outcome], *EXTRA_KEYS.get(outcome, []), "enter")
        if outcome == "do_not_call":
            await pilot.press("y")  # a permanent suppression is confirmed first
        await wait_for(pilot, call_ready(app, not_this=call))
        await settle(pilot)

    rows = ui_attempts(engine, NOW)
    assert len(rows) == 1
    row = rows[0]
    assert (row["external_id"], row["outcome"], row["operator"]) == (
        first.external_id,
        outcome,
        "op01",
    )
    assert row["script_id"] == call.script.id and row["script_version"] == call.script.version
    assert row["started_at"] == NOW and row["ended_at"] == NOW and row["at"] == NOW
    assert row["amount"] == (12800 if outcome == "reactivated" else None)
    if outcome == "callback":
        assert row["callback_at"] == NOW.replace(hour=18, minute=0)


async def test_common_outcome_takes_three_keys_from_the_end_of_the_call(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("d", "1", "enter")
        await wait_for(pilot, call_ready(app, not_this=call))
    assert [r["outcome"] for r in ui_attempts(engine, NOW)] == ["no_answer"]


async def test_callback_in_the_past_is_refused_inline(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("d", "5", *"09:00", "enter")
        form = app.screen
        assert isinstance(form, DispositionScreen)
        assert "未来" in str(form.query_one("#error-callback").render())
        assert ui_attempts(engine, NOW) == []

        callback = form.query_one("#callback", Input)
        callback.value = ""
        await pilot.press(*"明日 10:00", "enter")
        await wait_for(pilot, call_ready(app, not_this=call))
    [row] = ui_attempts(engine, NOW)
    assert row["outcome"] == "callback" and row["callback_at"] == NOW.replace(
        day=26, hour=10, minute=0
    )


async def test_callback_outside_the_calling_window_is_refused_with_the_next_time(
    make_app, engine
) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await start_call(pilot, app)
        await pilot.press("d", "5", *"22:00")
        form = app.screen
        await pilot.press("enter")
        error = str(form.query_one("#error-callback").render())
        assert "架電可能時間外" in error and "最も早い可能時刻" in error
        assert isinstance(app.screen, DispositionScreen)  # not saved: the form stays open
    assert ui_attempts(engine, NOW) == []


async def test_amount_without_reactivated_cannot_be_submitted(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("d", "7", *"5000")  # won back, amount typed …
        form = app.screen
        await pilot.press(
            "shift+tab", "shift+tab", "6", "enter"
        )  # … then changed to not interested
        assert isinstance(app.screen, DispositionScreen)
        assert "再開" in str(form.query_one("#error-amount").render())
        assert "確認" in str(form.query_one("#form-status").render())
        assert ui_attempts(engine, NOW) == []

        form.query_one("#amount", Input).value = ""
        await pilot.press("enter")
        await wait_for(pilot, call_ready(app, not_this=call))
    [row] = ui_attempts(engine, NOW)
    assert (row["outcome"], row["amount"]) == ("not_interested", None)


async def test_submit_without_an_outcome_marks_the_outcome(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await start_call(pilot, app)
        await pilot.press("d", "enter")
        assert isinstance(app.screen, DispositionScreen)
        assert "結果を選んで" in str(app.screen.query_one("#error-outcome").render())
    assert ui_attempts(engine, NOW) == []


async def test_escape_keeps_the_draft_and_save_and_pause_returns_to_the_queue(
    make_app, engine
) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("d", "3", *["tab"] * 4, *"memo", "escape")  # picker → … → note
        assert app.screen is call
        await pilot.press("d")
        form = app.screen
        assert form.query_one("#note", Input).value == "memo"
        await pilot.press(*["shift+tab"] * 4, "ctrl+s")
        await wait_for(pilot, queue_ready(app))
        assert "休止中" in str(app.screen.query_one("#queue-status").render())
    [row] = ui_attempts(engine, NOW)
    assert (row["outcome"], row["note"]) == ("voicemail", "memo")


async def test_release_gives_the_customer_back(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("x")
        await wait_for(pilot, queue_ready(app))
        await pilot.press("n")
        await wait_for(pilot, call_ready(app, not_this=call))
        assert app.screen.entry.customer_id == call.entry.customer_id  # free again, still the best
    assert ui_attempts(engine, NOW) == []


async def test_switch_script_and_go_back(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        panel = call.query_one(ScriptPanel)
        before = call.script.id
        await pilot.press("1", "backspace")
        assert panel.path == ["opening"]
        await pilot.press("s", "down", "enter")
        await wait_for(pilot, lambda: app.screen is call)
        assert call.script.id != before and panel.path == ["opening"]


async def test_queue_screen_shows_shift_counts_and_callbacks(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        screen = app.screen
        assert isinstance(screen, QueueScreen)
        shift = str(screen.query_one("#shift").render())
        assert "架電 2" in shift and "山田 太郎" in shift
        first, second = screen.rows[0].entry, screen.rows[1].entry
        assert first.callback_overdue and second.callback_due and not second.callback_overdue
        cells = screen.cells(screen.rows[0])
        assert str(cells[0]) == "‼" and str(cells[5]) == "10:15"  # the mark says overdue
        assert "約束超過 10:15" in str(screen.query_one("#queue-detail").render())
        assert "台本" in screen.rows[0].words


@pytest.mark.parametrize("outcome", ["reactivated", "complaint", "contact_changed"])
async def test_a_customer_just_reached_is_not_offered_again(make_app, outcome: str) -> None:
    app = make_app(operator="op02")  # op01's promised callbacks are not op02's to make
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("d", OUTCOME_KEY[outcome], *EXTRA_KEYS.get(outcome, []), "enter")
        if outcome == "do_not_call":
            await pilot.press("y")  # a permanent suppression is confirmed first
        await wait_for(pilot, call_ready(app, not_this=call))
        assert app.screen.entry.customer_id != call.entry.customer_id


async def test_do_not_call_asks_before_it_is_saved(make_app, engine) -> None:
    from workbench.tui.screens.confirm import ConfirmScreen

    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("d", OUTCOME_KEY["do_not_call"], "enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "取り消しできません" in str(app.screen.query_one("#confirm-message").render())
        await pilot.press("enter")  # Enter is not a yes
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, DispositionScreen)
        assert ui_attempts(engine, NOW) == []
        await pilot.press("1", "enter")  # the operator picks no_answer instead
        await wait_for(pilot, call_ready(app, not_this=call))
    assert [r["outcome"] for r in ui_attempts(engine, NOW)] == ["no_answer"]


async def test_a_saved_callback_says_when_it_is_promised(make_app, engine) -> None:
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        await pilot.press("d", "5", *"明日 10:00", "enter")
        await wait_for(pilot, call_ready(app, not_this=call))
        saved = [n.message for n in app._notifications if n.message.startswith("保存しました")]
    assert saved and "かけ直し 11/26(木) 10:00" in saved[-1], saved
