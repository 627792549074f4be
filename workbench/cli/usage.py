"""Usage errors of the command line (a bad value, a missing or unknown option or command)
said in one `error: …` line, like every other error of the CLI, instead of click's boxed panel.

`root.main` runs the app with `standalone_mode=False`, so click raises these instead of
printing them; `usage_error_line` words them.  Recent typer versions carry their own copy
of click (`typer._click`), older ones use click itself: `click_errors` finds the module the
app really raises from.
"""

from __future__ import annotations

import importlib
from enum import Enum
from types import ModuleType
from typing import Any


def click_errors() -> ModuleType:
    """The exceptions module of the click the installed typer runs on."""
    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:  # typer before it carried its own click
        return importlib.import_module("click.exceptions")


def usage_error_line(exc: Any) -> str:
    """One line naming the option, argument or command and what was expected (no `error: `)."""
    errors = click_errors()
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "workbench"
    see = f"see `{where} --help`"
    param = getattr(exc, "param", None)
    if isinstance(exc, errors.MissingParameter) and param is not None:
        kind = getattr(param, "param_type_name", "parameter")
        expected = _expected(param)
        hint = f" ({expected})" if expected else ""
        return f"{param_name(param)}: missing {kind} of `{where}`{hint}; {see}"
    if isinstance(exc, errors.BadParameter) and param is not None:
        return f"{param_name(param)}: {_bad_value(exc, param)}; {see}"
    if isinstance(exc, errors.NoSuchOption):
        text = f"{exc.option_name}: no such option of `{where}`"
        if exc.possibilities:
            text += f" (did you mean {' or '.join(sorted(exc.possibilities))}?)"
        return f"{text}; {see}"
    message = exc.format_message().strip().rstrip(".")
    return f"{where}: {message[:1].lower()}{message[1:]}; {see}"


def param_name(param: Any) -> str:
    """`--limit` for an option (its long name), `ID` for an argument (its metavar)."""
    opts = list(getattr(param, "opts", None) or [])
    if getattr(param, "param_type_name", "") == "option" and opts:
        return max(opts, key=len)
    name = getattr(param, "metavar", None) or getattr(param, "human_readable_name", None)
    return str(name or param.name).upper()


def _annotation(param: Any) -> Any:
    """The Python type typer coerces the value to, when the installed typer tells."""
    try:
        return param.get_runtime_param().annotation
    except Exception:  # older typer: no runtime parameter
        return None


def _expected(param: Any) -> str | None:
    """What a value should look like: an integer, a number, one of the choices."""
    annotation = _annotation(param)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(repr(member.value) for member in annotation)
    if annotation is int:
        return "an integer"
    if annotation is float:
        return "a number"
    return None


def _bad_value(exc: Any, param: Any) -> str:
    """`'abc' is not a valid integer`: the value given and what it should have been."""
    detail = _pydantic_detail(exc.__cause__)
    if detail is not None:
        return detail
    message = str(exc.message).strip().rstrip(".")
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message


def _pydantic_detail(cause: BaseException | None) -> str | None:
    """Typer's pydantic coercion says "Input should be a valid integer" without the input:
    put the input back ("'abc' is not a valid integer").  None when the cause is no such error."""
    errors = getattr(cause, "errors", None)
    if not callable(errors):
        return None
    try:
        first = errors()[0]
        given, text = first["input"], str(first["msg"])
    except (TypeError, LookupError, ValueError):
        return None
    if text.startswith("Value error, "):
        return text[len("Value error, ") :].rstrip(".")
    text = text.split(", ")[0].rstrip(".")
    if text.startswith("Input should be "):
        return f"{given!r} is not {text[len('Input should be ') :]}"
    return f"{given!r}: {text[:1].lower()}{text[1:]}"
