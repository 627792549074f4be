"""What is wrong in a TOML file, key -> (ja, en): the texts `toml_errors.toml_problem` says."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "toml.at": ("{line} 行 {column} 列目: {problem}", "line {line}, column {column}: {problem}"),
    "toml.at_end": ("ファイルの終わり: {problem}", "at the end of the file: {problem}"),
    "toml.expected_equals": ("キーの後に「=」がありません", "'=' is missing after the key"),
    "toml.unclosed_table_header": (
        "表の見出し [ … ] の「]」がありません",
        "the table header is missing its ']'",
    ),
    "toml.unclosed_array_header": (
        "表の配列の見出し [[ … ]] の「]]」がありません",
        "the array-of-tables header is missing its ']]'",
    ),
    "toml.after_value": (
        "値の後に余計な文字があります（1 行に「キー = 値」は 1 つです）",
        "there is more after the value (one 'key = value' a line)",
    ),
    "toml.line_break": (
        "文字列の途中で改行しています（閉じる引用符がありません）",
        "a line break inside a string (its closing quote is missing)",
    ),
    "toml.expected": ("ここには {part} が必要です", "{part} was expected here"),
    "toml.bad_character": (
        "使えない文字 {part} があります",
        "the character {part} is not allowed here",
    ),
    "toml.declared_twice": ("{part} が二度書かれています", "{part} is declared twice"),
    "toml.overwrite": ("同じキーに値が二度書かれています", "the same key has a value twice"),
    "toml.redefined": (
        "{part} はすでに書かれていて、書き換えられません",
        "{part} is already defined and cannot be redefined",
    ),
    "toml.duplicate_key": (
        "{{ … }} の中でキー {part} が重なっています",
        "the key {part} appears twice inside {{ … }}",
    ),
    "toml.bad_datetime": (
        "日付・日時の書き方が正しくありません（例: 2026-12-01）",
        "not a valid date or date-time (e.g. 2026-12-01)",
    ),
    "toml.bad_escape": (
        "「\\」で始まる文字の指定が正しくありません",
        "an escape sequence starting with '\\' is not valid",
    ),
    "toml.backslash": (
        "文字列の中の「\\」は「\\\\」と書くか、'…' で囲みます",
        "write '\\' inside a string as '\\\\', or quote the string with '…'",
    ),
    "toml.bad_key": (
        "キーの先頭に使えない文字があります",
        "a key starts with a character that is not allowed",
    ),
    "toml.bad_value": (
        '値の書き方が正しくありません（文字列は "…" で囲みます）',
        'not a valid value (strings go inside "…")',
    ),
    "toml.bad_statement": (
        "「キー = 値」または [表の見出し] として読めません",
        "neither 'key = value' nor a [table] header",
    ),
    "toml.unclosed_array": ("配列 [ … ] の「]」がありません", "an array [ … ] is missing its ']'"),
    "toml.unclosed_inline_table": (
        "{{ … }} の「}}」がありません",
        "an inline table {{ … }} is missing its '}}'",
    ),
    "toml.unterminated_string": (
        "文字列を閉じる引用符がありません",
        "a string is missing its closing quote",
    ),
    "toml.unknown": ("TOML として読めない書き方です", "not valid TOML"),
}
