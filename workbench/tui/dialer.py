"""Pluggable dialers: how the number reaches the phone.

`WORKBENCH_DIALER` chooses one:
- unset or "clipboard": show the number large and copy it (OSC 52) for a softphone;
- "tel": open a `tel:` URI with the desktop's handler (`webbrowser`);
- anything else: a command template such as `baresip -e 'd {e164}'`, split like a shell
  would (shlex) but run without a shell; `{e164}` and `{national}` are filled in.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

DIALER_ENV = "WORKBENCH_DIALER"


class DialError(RuntimeError):
    """The dialer could not start the call; the message says why."""


class Dialer(Protocol):
    name: str
    copies: bool  # whether the App should copy the number to the clipboard

    def dial(self, e164: str, national: str) -> None: ...


@dataclass
class ClipboardDialer:
    name: str = "clipboard"
    copies: bool = True

    def dial(self, e164: str, national: str) -> None:
        return None  # the screen shows the number and the App copies it


@dataclass
class TelDialer:
    name: str = "tel"
    copies: bool = False
    opener: Callable[[str], bool] = webbrowser.open

    def dial(self, e164: str, national: str) -> None:
        if not self.opener(f"tel:{e164}"):
            raise DialError("no handler for tel: links")


@dataclass
class CommandDialer:
    template: str
    name: str = "command"
    copies: bool = False
    runner: Callable[..., object] = subprocess.Popen

    def argv(self, e164: str, national: str) -> list[str]:
        try:
            parts = shlex.split(self.template)
        except ValueError as exc:
            raise DialError(f"{DIALER_ENV}: {exc}") from None
        try:
            return [part.format(e164=e164, national=national) for part in parts]
        except (KeyError, IndexError) as exc:
            raise DialError(
                f"{DIALER_ENV}: unknown placeholder {exc} (use {{e164}} or {{national}})"
            ) from None

    def dial(self, e164: str, national: str) -> None:
        argv = self.argv(e164, national)
        try:
            self.runner(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except OSError as exc:
            raise DialError(f"{argv[0]}: {exc.strerror or exc}") from None


def dialer_from_env(env: Mapping[str, str] | None = None) -> Dialer:
    value = (os.environ if env is None else env).get(DIALER_ENV, "").strip()
    if value in ("", "clipboard"):
        return ClipboardDialer()
    if value == "tel":
        return TelDialer()
    return CommandDialer(value)
