"""Reading configuration values: TOML files with the line of each key, typed values, windows.

The pieces of `workbench.config` that know nothing of the settings' own classes, so that the
settings module stays one screenful of documented fields and their checks.  Errors are
composed with `workbench.messages.say` in the language spoken while the settings are read
(`errors_in`; see `workbench.config` for which one that is).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.messages import UI_LANGUAGES, say, speaking
from workbench.messages.toml_errors import toml_problem


class ConfigError(ValueError):
    """A configuration key or value is wrong; the message names where."""


def wrong_value(
    key: str, settings: Any, origins: dict[str, str], name: str, **values: object
) -> ConfigError:
    """The error `key` of the field `name` of `settings`, naming where it was set and its value."""
    return ConfigError(say(key, where=origins[name], value=repr(getattr(settings, name)), **values))


@contextmanager
def errors_in(language: object) -> Iterator[None]:
    """Compose the block's messages in `language` when the interface speaks it (``ja`` or
    ``en``), else in the language spoken now; only this thread's messages change."""
    if isinstance(language, str) and language in UI_LANGUAGES:
        with speaking(language):
            yield
    else:
        yield


@dataclass(frozen=True)
class Source:
    """Where settings come from: the file's name and the line of each key written in it."""

    name: str
    lines: dict[str, int]

    def at(self, key: str) -> str:
        """`workbench.toml:3` for a key on line 3, the file alone when the line is unknown."""
        line = self.lines.get(key)
        return f"{self.name}:{line}" if line else self.name


def documented(text: str, default: Any) -> Any:
    """A settings field with its documentation in `metadata["doc"]` (dicts and lists copied per instance)."""
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: type(default)(default), metadata={"doc": text})
    return field(default=default, metadata={"doc": text})


def read_toml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(say("config.not_found", path=path)) from None
    except IsADirectoryError:
        raise ConfigError(say("config.is_directory", path=path)) from None
    except PermissionError:
        raise ConfigError(say("config.unreadable", path=path)) from None
    try:
        text = data.decode("utf-8")
        return tomllib.loads(text), key_lines(text)
    except UnicodeDecodeError:
        raise ConfigError(say("config.not_utf8", path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(say("config.bad_toml", path=path, error=toml_problem(exc))) from None


def key_lines(text: str) -> dict[str, int]:
    """The line (from 1) where each key of a TOML text is written, as dotted keys.

    A plain reading of `[table]` headers and `key = …` lines, enough to point a person at
    a wrong key; a key it cannot place (inside a multi-line value) just has no line.
    """
    lines: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and not stripped.startswith("[["):
            name = stripped[1 : stripped.find("]")] if "]" in stripped else ""
            table = ".".join(_bare(part) for part in name.split("."))
            lines.setdefault(table, number)
            continue
        if "=" not in stripped or stripped.startswith("#"):
            continue
        key = ".".join(_bare(part) for part in stripped.split("=", 1)[0].split("."))
        if key:
            lines.setdefault(f"{table}.{key}" if table else key, number)
    return lines


def _bare(part: str) -> str:
    return part.strip().strip('"').strip("'")


def coerce(value: Any, hint: Any, where: str) -> Any:
    origin = getattr(hint, "__origin__", None)
    if origin is dict:
        if isinstance(value, str):
            value = _parse_inline_table(value, where)
        if not isinstance(value, dict):
            raise ConfigError(say("config.expected_table", where=where, value=repr(value)))
        _, value_type = hint.__args__
        return {str(k): coerce(v, value_type, sub(where, str(k))) for k, v in value.items()}
    if origin is list:
        if isinstance(value, str):
            value = _parse_inline_array(value, where)
        if not isinstance(value, list):
            raise ConfigError(say("config.expected_array", where=where, value=repr(value)))
        (item_type,) = hint.__args__
        return [coerce(v, item_type, f"{where}[{i}]") for i, v in enumerate(value)]
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in {
            "1",
            "true",
            "yes",
            "on",
            "0",
            "false",
            "no",
            "off",
        }:
            return value.lower() in {"1", "true", "yes", "on"}
        raise ConfigError(say("config.expected_bool", where=where, value=repr(value)))
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ConfigError(say("config.expected_whole", where=where, value=repr(value)))
    if hint is float:
        try:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(
                say("config.expected_number", where=where, value=repr(value))
            ) from None
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(say("config.expected_string", where=where, value=repr(value)))
        return value
    raise ConfigError(say("config.unsupported_type", where=where, type=repr(hint)))


def _parse_inline_table(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        raise ConfigError(say("config.bad_inline_table", where=where)) from None


def _parse_inline_array(text: str, where: str) -> list[Any]:
    try:
        return list(tomllib.loads(f"v = {text}")["v"])
    except (tomllib.TOMLDecodeError, TypeError):
        raise ConfigError(say("config.bad_inline_array", where=where)) from None


def sub(origin: str, part: str) -> str:
    """The origin of one entry of a table setting: `… key 'calling.windows.mon'`."""
    if origin.endswith("'"):
        return f"{origin[:-1]}.{part}'"
    return say("config.place_entry", where=origin, part=part)


def check_zone(name: str, where: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(say("config.unknown_zone", where=where, zone=repr(name))) from None


def parse_window(text: str, where: str = "window") -> tuple[int, int] | None:
    """'09:00-20:00' → (540, 1200) minutes after midnight; '' → None (no calls that day)."""
    text = text.strip()
    if not text:
        return None
    try:
        start, end = (part.strip() for part in text.split("-"))
        lo, hi = _minutes(start), _minutes(end)
    except ValueError:
        raise ConfigError(say("config.bad_window", where=where, text=repr(text))) from None
    if not 0 <= lo < hi <= 24 * 60:
        raise ConfigError(say("config.window_order", where=where, text=repr(text)))
    return lo, hi


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60):
        raise ValueError(hhmm)
    return h * 60 + m
