"""The library's news: a reload on one path no longer hides its warnings from other readers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from workbench.config import load_settings
from workbench.services.talk_choice import ScriptWatch, library_for
from workbench.talk.library import ScriptLibrary

REPO = Path(__file__).parents[3]


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "talkscripts" / "ja", tmp_path / "ja")
    return tmp_path


def _write(path: Path, text: str) -> None:
    stat = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


def _break(path: Path) -> int:
    """Break the opening's first line; returns that line's number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    index = lines.index(next(line for line in lines if line.startswith("## opening"))) + 1
    lines[index] += "{{ company }"
    _write(path, "\n".join(lines) + "\n")
    return index + 1


def test_a_warning_reaches_every_reader_whoever_reloaded(root: Path) -> None:
    library = ScriptLibrary(root, "ja")
    first = library.news_since(None)
    second = library.news_since(None)
    assert first.warnings == () and first.updated == ()
    line = _break(root / "ja" / "price_plan_review.md")
    assert len(library.reload_if_changed()) == 1  # someone else's reload sees it first
    for mark in (first.mark, second.mark):
        news = library.news_since(mark)
        assert len(news.warnings) == 1
        assert f"price_plan_review.md:{line}:" in news.warnings[0]
        assert news.updated == ()  # the last good version is still served
        assert library.news_since(news.mark).warnings == ()  # told once
    # a reader that comes later hears of the file that is broken now
    late = library.news_since(None)
    assert len(late.warnings) == 1 and "price_plan_review.md" in late.warnings[0]


def test_a_valid_edit_is_news_of_an_update(root: Path) -> None:
    library = ScriptLibrary(root, "ja")
    mark = library.news_since(None).mark
    path = root / "ja" / "b2c_listen_general.md"
    _write(path, path.read_text(encoding="utf-8").replace("本日は貴重なお話", "本日は大切なお話"))
    library.reload_if_changed()
    news = library.news_since(mark)
    assert news.updated == ("b2c_listen_general",) and news.warnings == ()


def test_script_watch_sees_what_the_shared_library_reloaded(root: Path) -> None:
    settings = load_settings(path=None, env={"WORKBENCH_TALKSCRIPTS_DIR": str(root)})
    watch = ScriptWatch(settings)
    assert watch.check().warnings == ()
    line = _break(root / "ja" / "price_plan_review.md")
    library_for(settings, check_now=True)  # the queue's pick reloads first
    news = watch.check()
    assert len(news.warnings) == 1 and f"price_plan_review.md:{line}:" in news.warnings[0]
    assert watch.check().warnings == ()
