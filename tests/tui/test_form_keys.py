"""The disposition form by keys alone: few keys per outcome, Enter saves from every field."""

from __future__ import annotations

from textual.widgets import Footer, Input
from tui_helpers import NOW, SMALL, start_call, ui_attempts, wait_for

from workbench.tui.screens.disposition import DispositionScreen
from workbench.tui.widgets.outcome_picker import ReasonPicker

NOTE = "高い"


async def test_not_interested_with_reason_and_note_takes_four_keys(make_app, engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        keys = ["d", "6", "4"]  # form, not interested, price
        await pilot.press(*keys)
        form = app.screen
        assert isinstance(form, DispositionScreen)
        assert form.draft.outcome == "not_interested" and form.draft.reason == "price"
        assert app.focused is form.query_one("#note", Input)  # the note is next
        await pilot.press(*NOTE)
        keys.append("enter")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not form and app.screen is not call)
        assert len(keys) == 4  # was 13 with the reason dropdown (tab ×3, enter, arrows, enter, tab)
        (attempt,) = ui_attempts(engine, NOW)
        assert attempt["outcome"] == "not_interested"
        assert attempt["reason"] == "price"
        assert attempt["note"] == NOTE


async def test_enter_saves_from_the_reason_picker_and_the_hint_stays(make_app, engine) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await start_call(pilot, app)
        await pilot.press("d", "6")
        form = app.screen
        assert isinstance(form, DispositionScreen)
        picker = form.query_one(ReasonPicker)
        assert app.focused is picker
        for field in (picker, form.query_one("#note", Input), form.query_one("#callback", Input)):
            field.focus()
            await pilot.pause()
            footer = form.query_one(Footer)
            labels = [str(w.render()) for w in footer.query("FooterKey")]
            assert any("保存して次へ" in label for label in labels), (field, labels)
        picker.focus()
        await pilot.pause()
        await pilot.press("enter")  # saves: no dropdown to open
        await wait_for(pilot, lambda: ui_attempts(engine, NOW))
        await wait_for(pilot, lambda: not isinstance(app.screen, DispositionScreen))
        (attempt,) = ui_attempts(engine, NOW)
        assert attempt["outcome"] == "not_interested" and attempt["reason"] is None
