"""At 80×24 every footer label is whole: shorter labels, the rest in the help and palette."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from textual.widgets import Footer
from tui_helpers import SMALL, call_ready, queue_ready, settle, wait_for

from workbench.tui.screens.disposition import DispositionScreen


def cut_labels(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Footer keys of the current screen that are not shown whole: past the footer's edge
    (it scrolls when its keys are wider), or under the palette key docked at its right."""
    footer = app.screen.query_one(Footer)
    keys = list(footer.query("FooterKey"))
    palette = [k for k in keys if k.has_class("-command-palette")]
    right = palette[0].region.x if palette else footer.region.right
    cut = []
    for key in keys:
        text = str(key.render()).strip()
        edge = footer.region.right if key in palette else right
        if not key.region or key.region.right > edge or key.region.width < cell_len(text):
            cut.append(text)
    if footer.virtual_size.width > footer.region.width:
        cut.append(f"footer {footer.virtual_size.width} wide in {footer.region.width}")
    return cut


@pytest.mark.parametrize("language", ["ja", "en"])
async def test_footer_labels_are_whole_at_80x24(make_app, language: str) -> None:  # type: ignore[no-untyped-def]
    app = make_app(language=language)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, queue_ready(app))
        await settle(pilot)
        assert cut_labels(app) == []
        assert len(app.screen.query_one(Footer).query("FooterKey")) >= 5
        await pilot.press("n")
        await wait_for(pilot, call_ready(app))
        await settle(pilot)
        assert cut_labels(app) == []
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, DispositionScreen))
        await settle(pilot)
        assert cut_labels(app) == []
        await pilot.press("6")  # the reason picker's keys
        await settle(pilot)
        assert cut_labels(app) == []
