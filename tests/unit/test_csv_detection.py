"""Encoding detection: UTF-8, Shift_JIS, and UTF-8 with a stray bad byte (never guessed as CP932)."""

from pathlib import Path

import pytest

from workbench.config import load_settings
from workbench.importing.csvfile import ImportFileError, detect_encoding

# These tests read the English texts (language = "en"); tests/e2e/test_cli_messages_language.py
# checks that the same errors are Japanese by default.
pytestmark = pytest.mark.usefixtures("english_messages")

HEADER = "customer_id,name,kind,phone\n"
ROWS = "".join(f"C{i},佐藤 花子{i},b2c,090-1234-{i:04d}\n" for i in range(50))


def test_plain_utf8_and_cp932_are_told_apart(tmp_path: Path) -> None:
    utf8 = tmp_path / "u.csv"
    utf8.write_text(HEADER + ROWS, encoding="utf-8")
    sjis = tmp_path / "s.csv"
    sjis.write_text(HEADER + ROWS, encoding="cp932")
    assert detect_encoding(utf8) == "utf-8"
    assert detect_encoding(sjis) == "cp932"


def test_utf8_with_one_bad_byte_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    data = (HEADER + ROWS).encode("utf-8")
    line_start = data.index(b"C10,")
    path.write_bytes(data[:line_start] + b"C10,\xff" + data[line_start + 4 :])
    with pytest.raises(ImportFileError) as caught:
        detect_encoding(path)
    assert f"{path}:12:" in str(caught.value)
    assert "UTF-8" in str(caught.value)


def test_one_weekday_window_keeps_the_other_days(tmp_path: Path) -> None:
    config = tmp_path / "workbench.toml"
    config.write_text('[calling]\nwindows = { mon = "10:00-18:00" }\n', encoding="utf-8")
    settings = load_settings(config, env={})
    assert settings.calling.windows["mon"] == "10:00-18:00"
    assert settings.calling.windows["tue"] == "09:00-20:00"
    assert settings.calling.windows["sun"] == ""
