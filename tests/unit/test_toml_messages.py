"""A broken TOML file (the settings, an import's column mapping) is explained in the interface
language with its line and column, never with tomllib's English sentence."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.config import ConfigError, load_settings
from workbench.importing.csvfile import ImportFileError, load_mapping
from workbench.messages import say, use_language
from workbench.messages.toml_errors import toml_problem
from workbench.messages.toml_texts import MESSAGES

# (file text, where it is wrong in Japanese, the catalogue key of what is wrong, its {part})
BROKEN = [
    ("x = [1, 2\n", "ファイルの終わり", "toml.unclosed_array", None),
    ('a = "abc\n', "1 行 9 列目", "toml.line_break", None),
    ('a = """abc\n', "ファイルの終わり", "toml.unterminated_string", None),
    ("a = 'abc\n", "ファイルの終わり", "toml.expected", "\"'\""),
    ("[calling\n", "1 行 9 列目", "toml.unclosed_table_header", None),
    ("[[calling]\n", "1 行 10 列目", "toml.unclosed_array_header", None),
    ("max_per_day\n", "1 行 12 列目", "toml.expected_equals", None),
    ("a = 1\na = 2\n", "2 行 6 列目", "toml.overwrite", None),
    ("a = [1]\n[a]\n", "2 行 3 列目", "toml.declared_twice", "a"),
    ("a = {b = 1}\na.c = 2\n", "2 行 8 列目", "toml.redefined", "a"),
    ("x = 1 2\n", "1 行 7 列目", "toml.after_value", None),
    ("k = { a = 1, a = 2 }\n", "1 行 19 列目", "toml.duplicate_key", "'a'"),
    ('p = "C:\\q"\n', "1 行 10 列目", "toml.backslash", None),
    ('p = "\\u12"\n', "1 行 8 列目", "toml.bad_escape", None),
    ("= 3\n", "1 行 1 列目", "toml.bad_statement", None),
    ("a.= 3\n", "1 行 3 列目", "toml.bad_key", None),
    ("x = two\n", "1 行 5 列目", "toml.bad_value", None),
    ("d = 2026-02-30\n", "1 行 5 列目", "toml.bad_datetime", None),
    ("k = { a = 1 b = 2 }\n", "1 行 13 列目", "toml.unclosed_inline_table", None),
    ('a = "x" # \x00\n', "1 行 11 列目", "toml.bad_character", "'\\x00'"),
]  # fmt: skip


@pytest.fixture(autouse=True)
def japanese_first() -> Iterator[None]:
    previous = use_language("ja")
    yield
    use_language(previous)


def settings_error(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    return str(caught.value)


def english_words(text: str) -> list[str]:
    """Runs of Latin letters, leaving out what is quoted from the file and the codes of TOML."""
    unquoted = re.sub(r"'[^']*'|\[[^\]]*\]|\"[^\"]*\"|TOML|UTF-8", "", text)
    return re.findall(r"[A-Za-z]{2,}", unquoted)


def problem(key: str, part: str | None) -> str:
    return say(key, part=part) if part is not None else say(key)


@pytest.mark.parametrize(("text", "where", "key", "part"), BROKEN)
def test_a_broken_settings_file_is_explained_in_japanese(
    tmp_path: Path, text: str, where: str, key: str, part: str | None
) -> None:
    path = tmp_path / "workbench.toml"
    message = settings_error(path, text)
    assert message == f"{path}: TOML の書き方に誤りがあります: {where}: {problem(key, part)}"
    assert english_words(message.removeprefix(str(path))) == []


@pytest.mark.parametrize(("text", "where", "key", "part"), BROKEN)
def test_the_same_in_english(
    tmp_path: Path, text: str, where: str, key: str, part: str | None
) -> None:
    use_language("en")
    path = tmp_path / "workbench.toml"
    message = settings_error(path, text)
    assert message.startswith(f"{path}: not valid TOML: ")
    assert message.endswith(f": {problem(key, part)}")


def test_every_problem_has_a_case() -> None:
    framing = {"toml.at", "toml.at_end", "toml.unknown"}
    assert {key for _, _, key, _ in BROKEN} == set(MESSAGES) - framing


def test_a_message_tomllib_may_add_later_is_not_passed_on_in_english() -> None:
    error = tomllib.TOMLDecodeError("Some new complaint (at line 4, column 2)")
    assert toml_problem(error) == "4 行 2 列目: TOML として読めない書き方です"


def test_a_broken_column_mapping_is_explained_in_japanese(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text('[columns]\ncustomer_id = "顧客番号\n', encoding="utf-8")
    with pytest.raises(ImportFileError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert "2 行 20 列目: 文字列の途中で改行しています" in message
    assert english_words(message.removeprefix(str(path))) == []


def test_a_column_mapping_not_in_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_bytes('[columns]\ncustomer_id = "顧客番号"\n'.encode("cp932"))
    with pytest.raises(ImportFileError) as caught:
        load_mapping(path)
    assert "UTF-8 で保存してください" in str(caught.value)
