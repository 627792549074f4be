"""File format: front matter, sections, branches, versions."""

from __future__ import annotations

from pathlib import Path

from workbench.talk.model import script_version
from workbench.talk.parse import parse_script

SOURCE = """\
---
id: sample
title: サンプル
reasons: price、competitor
kind: b2c
language: ja
active: false
pinned: yes
variant_group: price_2026
dormant_months: 10-11
purpose: "テストのご案内のため"
---
# メモ（表示しない）

## opening 冒頭: ご挨拶
{{ company }}の{{ operator }}です。{{ purpose }}
-> hearing: 話せる
-> declined: 結構です

## hearing
伺います。
  -> closing：終わる

## closing: 終わり
ありがとうございました。
"""


def _parse(text: str = SOURCE):
    return parse_script(Path("talkscripts/ja/sample.md"), text.encode())


def test_front_matter_values() -> None:
    script, issues = _parse()
    assert issues == []
    assert script is not None
    assert (script.id, script.title) == ("sample", "サンプル")
    assert (script.kind, script.language) == ("b2c", "ja")
    assert script.reasons == ("price", "competitor")
    assert script.active is False and script.pinned is True
    assert script.variant_group == "price_2026"
    assert script.dormant_months == (10, 11)
    assert script.purpose == "テストのご案内のため"
    assert script.line_of("purpose") == 11


def test_sections_titles_and_lines() -> None:
    script, _ = _parse()
    assert script is not None
    assert [(s.id, s.title, s.line) for s in script.sections] == [
        ("opening", "冒頭: ご挨拶", 15),
        ("hearing", "ヒアリング", 20),
        ("closing", "終わり", 24),
    ]
    opening = script.sections[0]
    assert opening.body_line == 16
    assert "メモ" not in opening.raw


def test_branches_are_parsed_and_blanked_from_the_template() -> None:
    script, _ = _parse()
    assert script is not None
    opening, hearing, _closing = script.sections
    assert [(b.target, b.label, b.line) for b in opening.branches] == [
        ("hearing", "話せる", 17),
        ("declined", "結構です", 18),
    ]
    assert [(b.target, b.label) for b in hearing.branches] == [("closing", "終わる")]
    assert "->" not in opening.source and "->" in opening.raw
    # blanked, not removed: template line numbers still match the file
    assert len(opening.source.splitlines()) == len(opening.raw.splitlines())


def test_version_is_sha256_prefix_and_changes_with_content() -> None:
    script, _ = _parse()
    assert script is not None
    assert script.version == script_version(SOURCE.encode())
    assert len(script.version) == 12 and int(script.version, 16) >= 0
    assert script_version(b"abc") == "ba7816bf8f01"
    edited, _ = _parse(SOURCE.replace("伺います。", "伺います！"))
    assert edited is not None and edited.version != script.version


def test_missing_front_matter() -> None:
    script, issues = _parse("## opening\nこんにちは\n")
    assert script is None
    assert [(i.code, i.line) for i in issues] == [("front-matter", 1)]


def test_bad_values_point_at_their_lines() -> None:
    text = SOURCE.replace("active: false", "active: maybe").replace("10-11", "11-10")
    _, issues = _parse(text)
    assert sorted((i.code, i.line) for i in issues) == [("front-matter", 7), ("front-matter", 10)]
