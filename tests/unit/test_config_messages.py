"""Configuration errors speak the language of the settings being read: WORKBENCH_LANGUAGE,
else the file's `language`, else Japanese; each still names the file (or variable) and key."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.config import ConfigError, load_settings
from workbench.config_values import errors_in
from workbench.messages import say, ui_language, use_language


@pytest.fixture(autouse=True)
def fresh_process_language() -> Iterator[None]:
    """Each test starts as a fresh process does, speaking Japanese."""
    previous = use_language("ja")
    yield
    use_language(previous)


def japanese(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text)


def error_of(path: Path, text: str, env: dict[str, str] | None = None) -> str:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=env or {})
    return str(caught.value)


def env_error(env: dict[str, str]) -> str:
    """The error of loading the settings from the environment alone."""
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env=env)
    return str(caught.value)


def test_a_wrong_value_is_said_in_japanese_by_default(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    message = error_of(path, "[scoring]\nreason_confidence_min = 1.5\n")
    assert message == (
        f"{path}:2: キー 'scoring.reason_confidence_min': "
        "0 以上 1 以下の数値にしてください（指定: 1.5）"
    )


def test_the_same_value_in_english_with_language_en_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    message = error_of(path, 'language = "en"\n[scoring]\nreason_confidence_min = 1.5\n')
    assert message == (
        f"{path}:3: key 'scoring.reason_confidence_min': must be between 0 and 1, got 1.5"
    )


def test_the_language_variable_decides_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    english = error_of(path, "[calling]\nmax_per_day = 'two'\n", {"WORKBENCH_LANGUAGE": "en"})
    assert english == f"{path}:2: key 'calling.max_per_day': expected a whole number, got 'two'"
    japanese_text = error_of(
        path, "language = 'en'\n[calling]\nmax_per_day = 'two'\n", {"WORKBENCH_LANGUAGE": "ja"}
    )
    assert (
        japanese_text
        == f"{path}:3: キー 'calling.max_per_day': 整数を指定してください（指定: 'two'）"
    )


def test_a_wrong_environment_value_names_the_variable_in_both_languages() -> None:
    env = {"WORKBENCH_CALLING_MAX_PER_WEEK_WINDOW": "calendar"}
    assert env_error(env) == (
        "環境変数 WORKBENCH_CALLING_MAX_PER_WEEK_WINDOW: "
        "rolling / iso_week のいずれかを指定してください（指定: 'calendar'）"
    )
    assert env_error({**env, "WORKBENCH_LANGUAGE": "en"}) == (
        "environment variable WORKBENCH_CALLING_MAX_PER_WEEK_WINDOW: "
        "must be rolling / iso_week, got 'calendar'"
    )


def test_a_toml_syntax_error_is_japanese_even_if_the_broken_file_says_en(tmp_path: Path) -> None:
    # The file could not be read, so its `language` is not known.
    path = tmp_path / "workbench.toml"
    message = error_of(path, 'language = "en"\n[calling\nmax_per_day = 1\n')
    assert message.startswith(f"{path}: TOML の書き方に誤りがあります: ")
    assert message.endswith(": 2 行 9 列目: 表の見出し [ … ] の「]」がありません")
    english = error_of(path, "[calling\n", {"WORKBENCH_LANGUAGE": "en"})
    assert english == (
        f"{path}: not valid TOML: line 1, column 9: the table header is missing its ']'"
    )


def test_a_missing_file_in_both_languages(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert (
        env_error({"WORKBENCH_CONFIG": str(missing)}) == f"{missing}: 設定ファイルが見つかりません"
    )
    assert (
        env_error({"WORKBENCH_CONFIG": str(missing), "WORKBENCH_LANGUAGE": "en"})
        == f"{missing}: configuration file not found"
    )


def test_an_unknown_key_names_file_line_and_key_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    message = error_of(path, "[smtp]\nportt = 25\n")
    assert message.startswith(f"{path}:2: 'smtp.portt' という設定はありません（使えるキー: host, ")
    english = error_of(path, "language = 'en'\n[smtp]\nportt = 25\n")
    assert english.startswith(f"{path}:3: unknown key 'smtp.portt' (known: host, ")


def test_a_wrong_language_is_refused_in_japanese(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    assert error_of(path, "language = 'fr'\n") == (
        f"{path}:1: キー 'language': ja / en のいずれかを指定してください（指定: 'fr'）"
    )
    assert error_of(path, "language = 5\n") == (
        f"{path}:1: キー 'language': 文字列を指定してください（指定: 5）"
    )


BAD = [
    "[calling]\nmax_per_day = true\n",
    "[calling]\ninclude_churned = 3\n",
    "[calling]\nmax_per_day = -1\n",
    "[calling]\nmax_per_week_window = 'week'\n",
    "[calling]\ncallback_handover_minutes = 45\n",
    "[calling]\nsession_idle_minutes = 2000\n",
    "[calling.windows]\nmon = '9-20'\n",
    "[calling.windows]\nmon = '20:00-09:00'\n",
    "[calling.windows]\nfunday = '09:00-20:00'\n",
    "[lifecycle]\ncategory_dormant_days = 7\n",
    "[lifecycle]\ncategory_dormant_days = { wine = 'long' }\n",
    "[lifecycle]\nat_risk_factor = 'x'\n",
    "lifecycle = 5\n",
    "db = 5\n",
    "timezone = 'Asia/Tokio'\n",
    "[scoring]\nreason_fixed_boost = 0\n",
    "[scoring]\nseason_lead_weeks_min = 8\n",
    "[scoring]\ndeadline_notice_month = 12\n",
    "[kpi]\ncontrol_share = 1.0\n",
    "[kpi]\nrepurchase_days = 0\n",
    "[smtp]\nsecurity = 'ssl'\n",
    "[mailbox]\nimap_security = 'ssl'\n",
    "[escalation]\nmid_after_reminder = 'mail'\n",
    "[escalation]\nlow_steps_days = [14, 0]\n",
    "[escalation]\nlow_steps_days = 3\n",
    "[escalation]\nresponse_boost = 0.5\n",
]


@pytest.mark.parametrize("text", BAD)
def test_every_check_speaks_both_languages_and_names_the_key(text: str, tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    key = text.split("]")[0].lstrip("[") + "." if text.startswith("[") else ""
    key += text.splitlines()[-1].split("=")[0].strip()
    message = error_of(path, text)
    assert message.startswith(f"{path}:") and key in message, message
    assert japanese(message), message
    english = error_of(path, "language = 'en'\n" + text)
    assert english.startswith(f"{path}:") and key in english, english
    assert not japanese(english), english


def test_the_environment_variable_entry_is_named_in_both_languages() -> None:
    env = {"WORKBENCH_LIFECYCLE_CATEGORY_DORMANT_DAYS": "{ wine = 'long' }"}
    assert env_error(env) == (
        "環境変数 WORKBENCH_LIFECYCLE_CATEGORY_DORMANT_DAYS の項目 'wine': "
        "整数を指定してください（指定: 'long'）"
    )
    assert env_error({**env, "WORKBENCH_LANGUAGE": "en"}) == (
        "environment variable WORKBENCH_LIFECYCLE_CATEGORY_DORMANT_DAYS, entry 'wine': "
        "expected a whole number, got 'long'"
    )


def test_loading_leaves_the_process_language_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    error_of(path, "language = 'en'\n[calling]\nmax_per_day = 'x'\n")
    assert ui_language() == "ja"
    path.write_text("language = 'en'\n", encoding="utf-8")
    assert load_settings(path, env={}).language == "en"
    assert ui_language() == "ja"  # the face that loaded the settings chooses to speak it


def test_a_block_in_the_file_language_does_not_switch_other_threads() -> None:
    """While the settings' errors are composed in the file's English (`errors_in`), a worker
    thread's messages stay in the process's Japanese."""
    inside, worker_done = threading.Event(), threading.Event()
    said: dict[str, str] = {}

    def worker() -> None:
        inside.wait(10)
        said["worker"] = say("cmd.aborted")
        worker_done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    with errors_in("en"):
        inside.set()
        worker_done.wait(10)
        said["block"] = say("cmd.aborted")
    thread.join(10)
    assert not japanese(said["block"])
    assert japanese(said["worker"])
    assert japanese(say("cmd.aborted"))  # and the block's language ends with it


def test_an_unreadable_file_speaks_the_language_already_chosen(
    tmp_path: Path, english_messages: None
) -> None:
    # In-process callers that already speak English (a reload) are not switched to Japanese.
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path / "nope.toml", env={})
    assert str(caught.value) == f"{tmp_path / 'nope.toml'}: configuration file not found"


CLI = [sys.executable, "-c", "from workbench.cli import main; main()"]


@pytest.mark.parametrize(
    ("first_line", "says"),
    [
        ("", "error: bad.toml:2: キー 'calling.max_per_day': 整数を指定してください（指定: 'x'）"),
        (
            "language = 'en'\n",
            "error: bad.toml:3: key 'calling.max_per_day': expected a whole number, got 'x'",
        ),
    ],
)
def test_the_command_line_prints_the_error_in_the_file_language(
    first_line: str, says: str, tmp_path: Path
) -> None:
    (tmp_path / "bad.toml").write_text(
        first_line + "[calling]\nmax_per_day = 'x'\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    out = subprocess.run(
        [*CLI, "--db", f"sqlite:///{tmp_path / 'wb.db'}", "--config", "bad.toml", "customers"],
        cwd=tmp_path, env={**env, "WORKBENCH_SERVER": "off"}, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    assert out.stderr.strip().splitlines() == [says]
