"""Settings: defaults, workbench.toml, WORKBENCH_* overrides, and errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import (
    DEFAULT_DB_URL,
    ConfigError,
    Settings,
    describe,
    load_settings,
    parse_window,
)


def toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "workbench.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults():
    s = load_settings(path=None, env={})
    assert s == Settings()
    assert (s.db, s.language, s.region, s.timezone) == (DEFAULT_DB_URL, "ja", "JP", "Asia/Tokyo")
    lc = s.lifecycle
    assert (lc.dormant_days_b2c, lc.dormant_days_b2b, lc.at_risk_factor) == (180, 365, 2.0)
    assert (lc.at_risk_days_b2c, lc.at_risk_days_b2b, lc.category_dormant_days) == (90, 180, {})
    c = s.calling
    assert (
        c.windows["mon"] == "09:00-20:00"
        and c.windows["sat"] == "09:00-20:00"
        and c.windows["sun"] == ""
    )
    assert (c.max_per_day, c.max_per_week, c.include_churned, c.holidays) == (2, 5, False, "JP")


def test_defaults_are_not_shared_between_instances():
    a, b = Settings(), Settings()
    assert a.calling.windows == b.calling.windows
    assert a.calling.windows is not b.calling.windows


def test_every_key_is_documented():
    rows = describe()
    keys = {key for key, _, _ in rows}
    assert {
        "db",
        "timezone",
        "lifecycle.dormant_days_b2c",
        "calling.max_per_day",
        "calling.windows",
    } <= keys
    assert all(doc for _, doc, _ in rows)


def test_toml_values(tmp_path):
    path = toml(
        tmp_path,
        """
db = "postgresql+psycopg://cc@db/workbench"
language = "en"
company_name = "テスト株式会社"

[lifecycle]
dormant_days_b2c = 150
at_risk_factor = 2.5
category_dormant_days = { wine = 120, rice = 60 }

[calling]
max_per_day = 3
include_churned = true
windows = { mon = "10:00-18:00", tue = "", wed = "09:00-21:00", thu = "09:00-20:00", fri = "09:00-20:00", sat = "10:00-17:00", sun = "" }
""",
    )
    s = load_settings(path=path, env={})
    assert (s.db, s.language, s.company_name) == (
        "postgresql+psycopg://cc@db/workbench",
        "en",
        "テスト株式会社",
    )
    assert (
        s.lifecycle.dormant_days_b2c,
        s.lifecycle.dormant_days_b2b,
        s.lifecycle.at_risk_factor,
    ) == (150, 365, 2.5)
    assert s.lifecycle.category_dormant_days == {"wine": 120, "rice": 60}
    assert (s.calling.max_per_day, s.calling.max_per_week, s.calling.include_churned) == (
        3,
        5,
        True,
    )
    assert s.calling.windows["mon"] == "10:00-18:00" and s.calling.windows["tue"] == ""


def test_config_file_from_the_environment(tmp_path):
    path = toml(tmp_path, "[calling]\nmax_per_week = 9\n")
    assert load_settings(env={"WORKBENCH_CONFIG": str(path)}).calling.max_per_week == 9


def test_missing_config_file_named_by_the_environment(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="設定ファイルが見つかりません") as caught:
        load_settings(env={"WORKBENCH_CONFIG": str(missing)})
    assert str(missing) in str(caught.value)


def test_environment_overrides():
    env = {
        "WORKBENCH_DB": "sqlite:////tmp/other.db",
        "WORKBENCH_LIFECYCLE_DORMANT_DAYS_B2C": "200",
        "WORKBENCH_CALLING_MAX_PER_DAY": "4",
        "WORKBENCH_CALLING_INCLUDE_CHURNED": "yes",
        "WORKBENCH_LIFECYCLE_AT_RISK_FACTOR": "1.5",
    }
    s = load_settings(path=None, env=env)
    assert s.db == "sqlite:////tmp/other.db"
    assert s.lifecycle.dormant_days_b2c == 200
    assert s.calling.max_per_day == 4
    assert s.calling.include_churned is True
    assert s.lifecycle.at_risk_factor == 1.5


def test_environment_beats_the_file(tmp_path):
    path = toml(
        tmp_path,
        'db = "sqlite:///file.db"\n[lifecycle]\ndormant_days_b2c = 150\n[calling]\nmax_per_day = 3\n',
    )
    env = {"WORKBENCH_DB": "sqlite:///env.db", "WORKBENCH_LIFECYCLE_DORMANT_DAYS_B2C": "210",
           "WORKBENCH_CALLING_MAX_PER_DAY": "1"}  # fmt: skip
    s = load_settings(path=path, env=env)
    assert (s.db, s.lifecycle.dormant_days_b2c, s.calling.max_per_day) == (
        "sqlite:///env.db",
        210,
        1,
    )


def test_environment_table_value():
    env = {"WORKBENCH_LIFECYCLE_CATEGORY_DORMANT_DAYS": "{ wine = 120 }"}
    assert load_settings(path=None, env=env).lifecycle.category_dormant_days == {"wine": 120}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("colour = 'blue'\n", "colour"),
        ("[lifecycle]\ndormant_days = 100\n", "lifecycle.dormant_days"),
        ("[calling]\nmax_per_hour = 1\n", "calling.max_per_hour"),
        ("[nonsense]\nx = 1\n", "nonsense"),
    ],
)
def test_unknown_key_names_key_and_file(tmp_path, text, key):
    path = toml(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, env={})
    message = str(caught.value)
    assert str(path) in message
    assert f"'{key}'" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[lifecycle]\ndormant_days_b2c = "lots"\n', "lifecycle.dormant_days_b2c"),
        ("[calling]\nmax_per_day = true\n", "calling.max_per_day"),
        ("[calling]\ninclude_churned = 3\n", "calling.include_churned"),
        ("db = 5\n", "db"),
        ("[lifecycle]\ncategory_dormant_days = 7\n", "lifecycle.category_dormant_days"),
        (
            '[lifecycle]\ncategory_dormant_days = { wine = "long" }\n',
            "lifecycle.category_dormant_days",
        ),
        ("lifecycle = 5\n", "lifecycle"),
        ("[calling]\nmax_per_day = -1\n", "calling.max_per_day"),
        ("[calling]\nno_decision_gap_days = 0\n", "calling.no_decision_gap_days"),
        ("[calling]\nno_decision_gap_days = 29\n", "calling.no_decision_gap_days"),
        ('language = "fr"\n', "language"),
    ],
)
def test_wrong_value_names_key_and_file(tmp_path, text, key):
    path = toml(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, env={})
    message = str(caught.value)
    assert str(path) in message
    assert key in message


def test_fractional_value_for_a_whole_number_key_is_an_error(tmp_path):
    # A TOML float for an integer setting is the wrong type: it must not be truncated silently.
    path = toml(tmp_path, "[calling]\nmax_per_day = 2.5\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, env={})
    assert "calling.max_per_day" in str(caught.value)


def test_wrong_environment_value_names_the_variable():
    with pytest.raises(ConfigError) as caught:
        load_settings(path=None, env={"WORKBENCH_CALLING_MAX_PER_DAY": "two"})
    assert "WORKBENCH_CALLING_MAX_PER_DAY" in str(caught.value)


def test_not_toml_names_the_file(tmp_path):
    path = toml(tmp_path, "[calling\nmax_per_day = 1\n")
    with pytest.raises(ConfigError, match="TOML") as caught:
        load_settings(path=path, env={})
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "window", ["25:00-26:00", "9-20", "20:00-09:00", "09:00", "09:60-10:00", "nine-ten"]
)
def test_bad_calling_window_names_the_weekday_key(tmp_path, window):
    path = toml(tmp_path, f'[calling.windows]\nmon = "{window}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, env={})
    message = str(caught.value)
    assert "calling.windows.mon" in message
    assert str(path) in message


def test_unknown_weekday_is_an_error(tmp_path):
    path = toml(tmp_path, '[calling.windows]\nfunday = "09:00-20:00"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, env={})
    assert "calling.windows.funday" in str(caught.value)


def test_parse_window():
    assert parse_window("09:00-20:00") == (540, 1200)
    assert parse_window(" 00:00 - 24:00 ") == (0, 1440)
    assert parse_window("") is None


def test_unknown_time_zone_in_the_file(tmp_path):
    path = toml(tmp_path, 'timezone = "Asia/Tokio"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(path=path, env={})
    message = str(caught.value)
    assert "timezone" in message and "Asia/Tokio" in message and str(path) in message


def test_unknown_time_zone_in_the_environment_names_the_variable():
    with pytest.raises(ConfigError) as caught:
        load_settings(path=None, env={"WORKBENCH_TIMEZONE": "Mars/Olympus"})
    message = str(caught.value)
    assert "Mars/Olympus" in message
    assert "WORKBENCH_TIMEZONE" in message


def test_bad_window_in_the_environment_names_the_variable():
    with pytest.raises(ConfigError) as caught:
        load_settings(path=None, env={"WORKBENCH_CALLING_WINDOWS": '{ mon = "25:00-26:00" }'})
    message = str(caught.value)
    assert "mon" in message and "25:00-26:00" in message
    assert "WORKBENCH_CALLING_WINDOWS" in message
