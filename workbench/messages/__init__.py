"""The process's interface language and the texts of the errors people read.

One value per process: the face that loaded the settings (the CLI's context, the terminal
UI) calls `use_language(settings.language)`, and every message composed from then on
follows it (``ja`` until then).  A message deep inside a service or an import worker is
composed where the problem is found, so the language is not threaded through as a
parameter; a process speaks one interface language at a time.

`say(key, **values)` gives the catalogue text for `key` (Japanese, or English with
``language = "en"``).  Each catalogue is a dict key -> (ja, en) in a module of this
package named for its area; a key names the message wherever it is raised, so code
and tests can tell errors apart without reading their wording.
"""

from __future__ import annotations

from workbench.messages.commands import MESSAGES as _COMMANDS
from workbench.messages.config import MESSAGES as _CONFIG
from workbench.messages.disposition import MESSAGES as _DISPOSITION
from workbench.messages.importing import MESSAGES as _IMPORTING
from workbench.messages.mail import MESSAGES as _MAIL

UI_LANGUAGES: tuple[str, ...] = ("ja", "en")
_language = "ja"  # set by `use_language`; a str assignment, safe to read from worker threads

CATALOGUES: dict[str, dict[str, tuple[str, str]]] = {
    "commands": _COMMANDS,
    "config": _CONFIG,
    "disposition": _DISPOSITION,
    "importing": _IMPORTING,
    "mail": _MAIL,
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


def ui_language(language: str | None = None) -> str:
    """`language` when given, else the one `use_language` set."""
    lang = language or _language
    return lang if lang in UI_LANGUAGES else "ja"


def say(key: str, **values: object) -> str:
    """The text of `key` in the interface language, with `values` filled in."""
    ja, en = CATALOGUE[key]
    return (en if _language == "en" else ja).format(**values)
