"""A wrong configuration key names the file, its line and the key (issue #11)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import ConfigError, load_settings
from workbench.config_values import key_lines


def test_key_lines_follow_tables_dotted_keys_and_quotes() -> None:
    text = (
        "# comment = not a key\n"
        'company_name = "A = B"\n'
        "lifecycle.dormant_days_b2c = 3\n"
        "\n"
        "[calling]\n"
        "windows = { mon = '09:00-18:00' }\n"
        '"max_per_day" = 2\n'
        "[ smtp ]\n"
        "port = 25\n"
    )
    assert key_lines(text) == {
        "company_name": 2,
        "lifecycle.dormant_days_b2c": 3,
        "calling": 5,
        "calling.windows": 6,
        "calling.max_per_day": 7,
        "smtp": 8,
        "smtp.port": 9,
    }


@pytest.mark.parametrize(
    "toml, expected",
    [
        ("[smtp]\n\nportt = 25\n", "bad.toml:3: 'smtp.portt' という設定はありません"),
        ("language = 'ja'\n[smtp]\nport = 'x'\n", "bad.toml:3: キー 'smtp.port': 整数を"),
        ("lifecycle = 3\n", "bad.toml:1: 'lifecycle' はテーブル [lifecycle] として"),
        ("\n\nlanguage = 'fr'\n", "bad.toml:3: キー 'language': ja / en のいずれか"),
    ],
)
def test_errors_name_file_line_and_key(toml: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert str(caught.value).startswith(str(tmp_path / expected))


def test_an_environment_override_names_the_variable(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text("[smtp]\nport = 25\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="^環境変数 WORKBENCH_SMTP_PORT: 整数を"):
        load_settings(path, env={"WORKBENCH_SMTP_PORT": "x"})


def test_a_folder_or_non_utf8_file_is_said_plainly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="フォルダーです。設定ファイルではありません"):
        load_settings(tmp_path, env={})
    path = tmp_path / "sjis.toml"
    path.write_bytes('company_name = "株式会社"\n'.encode("cp932"))
    with pytest.raises(ConfigError, match="UTF-8 のテキストファイルではありません"):
        load_settings(path, env={})
