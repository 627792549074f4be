"""The linter: one failing fixture per error kind, and the starter set passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.talk.i18n import use_language
from workbench.talk.lint import check_paths, has_errors
from workbench.talk.model import Severity

HERE = Path(__file__).parent
BAD = HERE / "fixtures" / "bad"
REPO = HERE.parents[2]

# fixture → (expected error code, expected file line)
CASES = {
    "front_matter_missing_title": ("front-matter", 1),
    "front_matter_bad_kind": ("front-matter", 5),
    "front_matter_bad_language": ("front-matter", 6),
    "front_matter_unclosed": ("front-matter", 1),
    "unknown_reason": ("unknown-reason", 4),
    "syntax_error": ("syntax", 16),
    "unknown_variable": ("unknown-variable", 16),
    "unknown_filter": ("unknown-filter", 21),
    "render_error": ("render", 16),
    "sandbox_escape": ("render", 16),
    "missing_section": ("missing-section", 9),
    "art16_no_operator": ("art16", 10),
    "art16_no_purpose": ("art16", 10),
    "art16_hidden_company": ("art16", 10),
    "opening_not_first": ("art16", 15),
    "bad_branch": ("bad-branch", 18),
    "bad_branch_line": ("bad-branch", 18),
    "section_without_id": ("section-heading", 23),
    "duplicate_section": ("duplicate-section", 23),
}


def _errors(paths: list[Path]) -> list[tuple[str, int]]:
    return [(i.code, i.line) for i in check_paths(paths) if i.severity is Severity.ERROR]


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_fixture_fails_with_its_code_at_the_real_line(name: str) -> None:
    assert _errors([BAD / f"{name}.md"]) == [CASES[name]]


def test_every_fixture_file_has_a_case() -> None:
    assert {p.stem for p in BAD.glob("*.md")} == set(CASES)


def test_duplicate_ids_within_a_language() -> None:
    errors = [
        i for i in check_paths([HERE / "fixtures" / "duplicate_id"]) if i.severity is Severity.ERROR
    ]
    assert [(i.path.name, i.code, i.line) for i in errors] == [("dup_b.md", "duplicate-id", 2)]
    assert "dup_a.md" in errors[0].message


def test_same_id_in_two_languages_is_fine(tmp_path: Path) -> None:
    source = (REPO / "talkscripts" / "ja" / "b2c_listen_general.md").read_bytes()
    for lang in ("ja", "en"):
        (tmp_path / lang).mkdir()
        text = source.decode().replace("language: ja", f"language: {lang}")
        (tmp_path / lang / "b2c_listen_general.md").write_text(text, encoding="utf-8")
    assert not has_errors(check_paths([tmp_path]))


def test_starter_set_passes_without_warnings() -> None:
    issues = check_paths([REPO / "talkscripts"])
    assert [str(i) for i in issues] == []


def test_language_must_match_folder(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    source = (REPO / "talkscripts" / "ja" / "price_plan_review.md").read_text(encoding="utf-8")
    (tmp_path / "en" / "price_plan_review.md").write_text(source, encoding="utf-8")
    assert _errors([tmp_path]) == [("front-matter", 6)]


def test_messages_follow_the_ui_language() -> None:
    assert use_language("en") == "ja"
    try:
        [issue] = check_paths([BAD / "bad_branch.md"])
        assert issue.message == "branch target section proposal does not exist"
    finally:
        assert use_language("ja") == "en"
    [issue] = check_paths([BAD / "bad_branch.md"])
    assert issue.message == "分岐先のセクション proposal がありません"


def test_an_unknown_language_speaks_japanese() -> None:
    use_language("fr")
    [issue] = check_paths([BAD / "bad_branch.md"])
    assert issue.message == "分岐先のセクション proposal がありません"


def test_unknown_front_matter_key_is_a_warning(tmp_path: Path) -> None:
    text = (BAD / "bad_branch.md").read_text(encoding="utf-8")
    text = text.replace("id: bad_branch", "id: extra_key\nauthor: 山田")
    text = text.replace("-> proposal: 提案へ", "-> closing: 終わる")
    path = tmp_path / "extra_key.md"
    path.write_text(text, encoding="utf-8")
    issues = check_paths([path])
    assert [(i.code, i.line, i.severity) for i in issues] == [("unknown-key", 3, Severity.WARNING)]
