"""Category codes become words in both languages; a team's own labels win; no code is read raw."""

from __future__ import annotations

from workbench.domain.category_labels import DEFAULT_CATEGORY_LABELS, category_label


def test_built_in_labels_in_both_languages() -> None:
    assert category_label("heating", "ja") == "暖房"
    assert category_label("office_supplies", "en") == "office supplies"
    assert all(ja and en and "_" not in en for ja, en in DEFAULT_CATEGORY_LABELS.values())


def test_configured_labels_replace_and_extend() -> None:
    mine = {"heating": "暖房器具", "pet_food": "ペットフード"}
    assert category_label("heating", "ja", mine) == "暖房器具"
    assert category_label("pet_food", "ja", mine) == "ペットフード"


def test_an_unlabelled_code_is_never_said_with_underscores() -> None:
    assert category_label("pet_food", "ja") == "pet food"
    assert category_label(None, "ja") == "" and category_label("", "en") == ""
