"""Loading and hot reload: edits are picked up, broken edits keep the last good version."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from workbench.talk.demo import demo_context
from workbench.talk.library import ScriptLibrary
from workbench.talk.render import render_section

REPO = Path(__file__).parents[3]


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "talkscripts" / "ja", tmp_path / "ja")
    return tmp_path


def _write(path: Path, text: str) -> None:
    """Write and move the mtime forward, as a later save would."""
    stat = path.stat() if path.exists() else None
    path.write_text(text, encoding="utf-8")
    if stat is not None:
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def test_loads_all_scripts_of_the_language(root: Path) -> None:
    library = ScriptLibrary(root, "ja")
    assert library.warnings == []
    assert len(library) == 15
    assert library.get("price_plan_review") is not None
    assert library.get("nope") is None
    assert [s.id for s in library.scripts()] == sorted(s.id for s in library.scripts())
    assert ScriptLibrary(root, "en").scripts() == []


def test_no_change_means_no_reparse(root: Path) -> None:
    library = ScriptLibrary(root, "ja")
    before = library.get("moved_followup")
    assert library.reload_if_changed() == []
    assert library.get("moved_followup") is before


def test_edit_is_picked_up_with_a_new_version(root: Path) -> None:
    library = ScriptLibrary(root, "ja")
    path = root / "ja" / "b2c_listen_general.md"
    old = library.get("b2c_listen_general")
    assert old is not None
    _write(path, path.read_text(encoding="utf-8").replace("本日は貴重なお話", "本日は大切なお話"))
    assert library.reload_if_changed() == []
    new = library.get("b2c_listen_general")
    assert new is not None and new.version != old.version
    closing = render_section(new, "closing", demo_context("b2c"))
    assert "本日は大切なお話" in closing.text


def test_broken_edit_keeps_last_good_version_and_names_file_and_line(root: Path) -> None:
    library = ScriptLibrary(root, "ja")
    path = root / "ja" / "price_plan_review.md"
    good = library.get("price_plan_review")
    lines = path.read_text(encoding="utf-8").splitlines()
    index = lines.index(next(line for line in lines if line.startswith("## opening"))) + 1
    original = lines[index]
    lines[index] += "{{ company }"  # the opening's first line
    _write(path, "\n".join(lines) + "\n")
    warnings = library.reload_if_changed()
    assert len(warnings) == 1
    assert f"price_plan_review.md:{index + 1}:" in warnings[0] and "syntax" in warnings[0]
    assert library.get("price_plan_review") is good
    # a second reload without a new save does not repeat the warning
    assert library.reload_if_changed() == []
    # fixing the file serves the fixed version
    lines[index] = original + "（編集）"
    _write(path, "\n".join(lines) + "\n")
    assert library.reload_if_changed() == []
    fixed = library.get("price_plan_review")
    assert fixed is not None and fixed is not good


def test_new_and_removed_files(root: Path) -> None:
    library = ScriptLibrary(root, "ja")
    source = (root / "ja" / "moved_followup.md").read_text(encoding="utf-8")
    _write(root / "ja" / "moved_copy.md", source.replace("id: moved_followup", "id: moved_copy"))
    (root / "ja" / "competitor_compare.md").unlink()
    assert library.reload_if_changed() == []
    assert library.get("moved_copy") is not None
    assert library.get("competitor_compare") is None
    assert len(library) == 15


def test_broken_new_file_is_skipped_with_a_warning(root: Path) -> None:
    _write(root / "ja" / "broken.md", "---\nid: broken\n")
    library = ScriptLibrary(root, "ja")
    assert len(library.warnings) == 1 and "broken.md:1:" in library.warnings[0]
    assert library.get("broken") is None


def test_duplicate_id_keeps_the_first_and_warns(root: Path) -> None:
    library = ScriptLibrary(root, "ja")
    first = library.get("moved_followup")
    source = (root / "ja" / "moved_followup.md").read_text(encoding="utf-8")
    _write(root / "ja" / "another.md", source)
    warnings = library.reload_if_changed()
    assert len(warnings) == 1 and "another.md" in warnings[0] and "moved_followup" in warnings[0]
    assert library.get("moved_followup") is first


def test_pins(root: Path) -> None:
    path = root / "ja" / "price_return_offer.md"
    text = path.read_text(encoding="utf-8")
    _write(path, text.replace("active: true", "active: true\npinned: true"))
    library = ScriptLibrary(root, "ja")
    assert library.pins() == {"price": ("price_return_offer",)}
