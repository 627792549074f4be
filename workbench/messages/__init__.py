"""The process's interface language and the texts of the errors people read.

One value per process: the face that loaded the settings (the CLI's context, the terminal
UI) calls `use_language(settings.language)`, and every message composed from then on
follows it (``ja`` until then).  A message deep inside a service or an import worker is
composed where the problem is found, so the language is not threaded through as a
parameter; a process speaks one interface language at a time.  `speaking(language)` is
the one exception: a block (the settings' own errors, in the language the file asks for)
speaks another language in its own thread only.

`say(key, **values)` gives the catalogue text for `key` (Japanese, or English with
``language = "en"``).  Each catalogue is a dict key -> (ja, en) in a module of this
package named for its area; a key names the message wherever it is raised, so code
and tests can tell errors apart without reading their wording.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from workbench.messages.commands import MESSAGES as _COMMANDS
from workbench.messages.config import MESSAGES as _CONFIG
from workbench.messages.db_texts import MESSAGES as _DB
from workbench.messages.disposition import MESSAGES as _DISPOSITION
from workbench.messages.importing import MESSAGES as _IMPORTING
from workbench.messages.mail import MESSAGES as _MAIL
from workbench.messages.toml_texts import MESSAGES as _TOML

UI_LANGUAGES: tuple[str, ...] = ("ja", "en")
_language = "ja"  # set by `use_language`; a str assignment, safe to read from worker threads
# `speaking` overrides it for one block of code only: other threads keep `_language`.
_block_language: ContextVar[str | None] = ContextVar("block_language", default=None)

CATALOGUES: dict[str, dict[str, tuple[str, str]]] = {
    "commands": _COMMANDS,
    "config": _CONFIG,
    "db": _DB,
    "disposition": _DISPOSITION,
    "importing": _IMPORTING,
    "mail": _MAIL,
    "toml": _TOML,
}
CATALOGUE: dict[str, tuple[str, str]] = {
    key: pair for catalogue in CATALOGUES.values() for key, pair in catalogue.items()
}


def use_language(language: str) -> str:
    """Speak `language` (``ja`` or ``en``; anything else is ``ja``) from now on, and return
    the language spoken until now (so a caller can put it back)."""
    global _language
    previous = _language
    _language = language if language in UI_LANGUAGES else "ja"
    return previous


@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Compose this block's messages in `language` (``ja`` or ``en``), in this thread (and
    context) only; the process's language stays as it is for everyone else."""
    token = _block_language.set(language if language in UI_LANGUAGES else "ja")
    try:
        yield
    finally:
        _block_language.reset(token)


def ui_language(language: str | None = None) -> str:
    """`language` when given, else the block's (`speaking`), else the one `use_language` set."""
    lang = language or _block_language.get() or _language
    return lang if lang in UI_LANGUAGES else "ja"


def say(key: str, **values: object) -> str:
    """The text of `key` in the interface language, with `values` filled in."""
    ja, en = CATALOGUE[key]
    return (en if ui_language() == "en" else ja).format(**values)
