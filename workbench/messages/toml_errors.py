"""What is wrong in a TOML file, said in the interface language with its line and column.

`tomllib` explains its errors in English ("Invalid value (at line 3, column 9)"); the
settings file and an import's column mapping are written by people who read Japanese
first, so `toml_problem` turns each of its messages into a catalogue text.  A message
this table does not know is told as a plain "not valid TOML here", never in English.
"""

from __future__ import annotations

import re

from workbench.messages import say

# tomllib's message (without its position) → catalogue key; a group is passed as {part}.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"Expected '=' after a key in a key/value pair", "toml.expected_equals"),
        (r"Expected '\]' at the end of a table declaration", "toml.unclosed_table_header"),
        (r"Expected '\]\]' at the end of an array declaration", "toml.unclosed_array_header"),
        (r"Expected newline or end of document after a statement", "toml.after_value"),
        (r"Expected (.+)", "toml.expected"),
        (r"(?:Found invalid|Illegal) character (.+)", "toml.bad_character"),
        (r"Cannot declare (.+) twice", "toml.declared_twice"),
        (r"Cannot overwrite a value", "toml.overwrite"),
        (r"Cannot (?:mutate immutable|redefine) namespace (.+)", "toml.redefined"),
        (r"Duplicate inline table key (.+)", "toml.duplicate_key"),
        (r"Invalid date or datetime", "toml.bad_datetime"),
        (r"Invalid hex value|Escaped character is not a Unicode scalar value", "toml.bad_escape"),
        (r"Unescaped '\\' in a string", "toml.backslash"),
        (r"Invalid initial character for a key part", "toml.bad_key"),
        (r"Invalid value", "toml.bad_value"),
        (r"Invalid statement", "toml.bad_statement"),
        (r"Unclosed array", "toml.unclosed_array"),
        (r"Unclosed inline table", "toml.unclosed_inline_table"),
        (r"Unterminated string", "toml.unterminated_string"),
    )
)
_POSITION = re.compile(r"^(?P<what>.*?) \((?:at line (?P<line>\d+), column (?P<column>\d+)|(?P<end>at end of document))\)$", re.S)  # fmt: skip


def _key_text(part: str) -> str:
    """tomllib names a table by its key tuple, ``('calling',)``: say ``calling`` instead."""
    names = re.findall(r"'([^']*)'", part) if part.startswith("(") else []
    return ".".join(names) if names else part


def toml_problem(error: Exception) -> str:
    """`error` (a `tomllib.TOMLDecodeError`) as "line L, column C: what is wrong", in the
    interface language."""
    text = str(error)
    found = _POSITION.match(text)
    what = found.group("what") if found else text
    problem = say("toml.unknown")
    for pattern, key in _PATTERNS:
        match = pattern.fullmatch(what)
        if match and key == "toml.bad_character" and match.group(1) == repr("\n"):
            problem = say("toml.line_break")
            break
        if match:
            problem = say(key, part=_key_text(match.group(1))) if match.groups() else say(key)
            break
    if found is None:
        return problem
    if found.group("end"):
        return say("toml.at_end", problem=problem)
    return say("toml.at", line=found.group("line"), column=found.group("column"), problem=problem)
