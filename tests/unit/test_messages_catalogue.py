"""The error catalogues: every key speaks both languages with the same placeholders."""

from __future__ import annotations

import string
import subprocess
import sys

import pytest

from workbench import messages
from workbench.messages import CATALOGUE, CATALOGUES, say, use_language


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    ja, en = CATALOGUE[key]
    assert ja.strip() and en.strip(), key
    assert _fields(ja) == _fields(en), key
    assert ja != en or not any(ch.isalpha() for ch in en), key  # not an untranslated copy


def test_keys_are_unique_across_the_catalogues() -> None:
    assert sum(len(c) for c in CATALOGUES.values()) == len(CATALOGUE)


@pytest.fixture
def restore_language():
    previous = use_language("ja")
    yield
    use_language(previous)


def test_say_follows_the_language(restore_language: None) -> None:
    assert say("dispose.unknown_customer", customer="'X'") == "顧客 ID 'X' が見つかりません"
    assert use_language("en") == "ja"
    assert say("dispose.unknown_customer", customer="'X'") == "unknown customer 'X'"
    use_language("fr")  # anything else is Japanese
    assert messages.ui_language() == "ja"


def test_the_talk_tools_share_the_language(restore_language: None) -> None:
    from workbench.talk import i18n

    i18n.use_language("en")
    assert messages.ui_language() == "en"
    assert say("row.empty") == "required value is empty"
    messages.use_language("ja")
    assert i18n.ui_language() == "ja"
    assert i18n.msg("cli.warning") == "警告"


def test_messages_import_no_database_ui_or_service() -> None:
    code = (
        "import sys, workbench.messages; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'textual') "
        "or m.startswith(('workbench.services', 'workbench.store', 'workbench.cli', "
        "'workbench.tui', 'workbench.config'))]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
