"""Product categories in words: the label a script says aloud and a card or report shows.

Imports carry category codes (`heating`, `office_supplies`); people hear 暖房 and 事務用品.
The built-in table covers the demo's codes; `[labels.categories_ja]` and
`[labels.categories_en]` in workbench.toml add or replace entries for a company's own codes.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_CATEGORY_LABELS: Mapping[str, tuple[str, str]] = {  # code: (ja, en)
    "gardening": ("園芸", "gardening"),
    "heating": ("暖房", "heating"),
    "gifts_ochugen": ("お中元", "ochugen gifts"),
    "gifts_oseibo": ("お歳暮", "oseibo gifts"),
    "cosmetics": ("化粧品", "cosmetics"),
    "office_supplies": ("事務用品", "office supplies"),
    "beverages": ("飲料", "beverages"),
    "stationery": ("文具", "stationery"),
}


def category_label(
    code: str | None, language: str, overrides: Mapping[str, str] | None = None
) -> str:
    """The category's label in `language` (ja or en); a code with no label reads as written,
    underscores as spaces, so nothing is said as `office_supplies`."""
    if not code:
        return ""
    if overrides and code in overrides:
        return overrides[code]
    known = DEFAULT_CATEGORY_LABELS.get(code)
    if known is not None:
        return known[1] if language == "en" else known[0]
    return code.replace("_", " ")
