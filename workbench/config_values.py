"""Reading configuration values: TOML files with the line of each key, typed values, windows.

The pieces of `workbench.config` that know nothing of the settings' own classes, so that the
settings module stays one screenful of documented fields and their checks.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A configuration key or value is wrong; the message names where."""


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
        raise ConfigError(f"{path}: configuration file not found") from None
    except IsADirectoryError:
        raise ConfigError(
            f"{path}: is a directory, not a configuration file; give the path of workbench.toml"
        ) from None
    except PermissionError:
        raise ConfigError(
            f"{path}: configuration file cannot be read (permission denied)"
        ) from None
    try:
        text = data.decode("utf-8")
        return tomllib.loads(text), key_lines(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid TOML: the file is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


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
            raise ConfigError(f"{where}: expected a table, got {value!r}")
        _, value_type = hint.__args__
        return {str(k): coerce(v, value_type, f"{where}.{k}") for k, v in value.items()}
    if origin is list:
        if isinstance(value, str):
            value = _parse_inline_array(value, where)
        if not isinstance(value, list):
            raise ConfigError(f"{where}: expected an array like [0, 14, 45], got {value!r}")
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
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise ConfigError(f"{where}: expected a whole number, got {value!r}")
    if hint is float:
        try:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: expected a number, got {value!r}") from None
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported setting type {hint!r}")


def _parse_inline_table(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        raise ConfigError(
            f'{where}: expected an inline table like {{ mon = "09:00-20:00" }}'
        ) from None


def _parse_inline_array(text: str, where: str) -> list[Any]:
    try:
        return list(tomllib.loads(f"v = {text}")["v"])
    except (tomllib.TOMLDecodeError, TypeError):
        raise ConfigError(f"{where}: expected an array like [0, 14, 45]") from None


def sub(origin: str, part: str) -> str:
    """The origin of one entry of a table setting: `… key 'calling.windows.mon'`."""
    if origin.endswith("'"):
        return f"{origin[:-1]}.{part}'"
    return f"{origin}, entry '{part}'"


def check_zone(name: str, where: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{where}: unknown time zone {name!r}") from None


def parse_window(text: str, where: str = "window") -> tuple[int, int] | None:
    """'09:00-20:00' → (540, 1200) minutes after midnight; '' → None (no calls that day)."""
    text = text.strip()
    if not text:
        return None
    try:
        start, end = (part.strip() for part in text.split("-"))
        lo, hi = _minutes(start), _minutes(end)
    except ValueError:
        raise ConfigError(f"{where}: expected 'HH:MM-HH:MM', got {text!r}") from None
    if not 0 <= lo < hi <= 24 * 60:
        raise ConfigError(f"{where}: window {text!r} must start before it ends")
    return lo, hi


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60):
        raise ValueError(hhmm)
    return h * 60 + m
