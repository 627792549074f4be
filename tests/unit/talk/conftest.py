"""The talk messages speak Japanese in every test here unless the test says otherwise.

The language is one value per process (`workbench.talk.i18n.use_language`), which an
earlier test of the same run may have changed (a terminal UI opened in English sets it):
each test starts from the default and leaves the value as it found it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbench.talk.i18n import use_language


@pytest.fixture(autouse=True)
def japanese_talk_messages() -> Iterator[None]:
    previous = use_language("ja")
    yield
    use_language(previous)
