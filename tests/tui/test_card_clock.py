"""The call view's clocks follow time: the card's and the status line's local time tick."""

from __future__ import annotations

from datetime import timedelta

from tui_helpers import NOW, SMALL, start_call, wait_for

from workbench.tui.screens.call import CallScreen


async def test_the_customers_local_time_ticks(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        call = await start_call(pilot, app)
        assert isinstance(call, CallScreen)

        def facts() -> str:
            return str(call.query_one("#card-facts").render())

        def status() -> str:
            return str(call.query_one("#call-status").render())

        assert "10:30" in facts() and "10:30" in status()
        app.session.clock = lambda: NOW + timedelta(minutes=2)
        await wait_for(pilot, lambda: "10:32" in facts() and "10:32" in status(), timeout=5)
        assert "10:30" not in facts()
