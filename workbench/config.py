"""Settings: `workbench.toml` plus `WORKBENCH_*` environment overrides.

Every key is a typed dataclass field with its documentation in `metadata["doc"]`;
`workbench config` prints them.  Top-level keys are overridden by
`WORKBENCH_<KEY>`, section keys by `WORKBENCH_<SECTION>_<KEY>` (upper case).
A wrong key or value raises `ConfigError` naming the file (or variable) and key.

Its message speaks the language of the settings being read, since `language` is itself
one of them: `WORKBENCH_LANGUAGE` when set, else the file's `language` once the file has
been read as TOML, else the language spoken so far (Japanese in a fresh process; an
in-process caller that already chose one keeps it).  A value other than ``ja`` or ``en``
counts as unset here, and its own error follows the same rule.  `load_settings` speaks
that language only while it reads and checks; afterwards the process speaks as before, and
the face that loaded the settings calls `use_language(settings.language)` as usual.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast, get_type_hints

from workbench.config_mail import (
    SECURITY_MODES as SECURITY_MODES,  # re-exported: callers import it from here
)
from workbench.config_mail import (
    EscalationSettings,
    MailboxSettings,
    SmtpSettings,
    validate_mail,
)
from workbench.config_values import (
    ConfigError,
    Source,
    check_zone,
    coerce,
    documented,
    errors_in,
    parse_window,
    read_toml,
    sub,
    wrong_value,
)
from workbench.messages import say

DEFAULT_DB_URL = "sqlite:///db/workbench.db"
LANGUAGE_ENV = "WORKBENCH_LANGUAGE"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class LifecycleSettings:
    dormant_days_b2c: int = documented(
        "Days without an order after which a B2C customer is dormant.", 180
    )
    dormant_days_b2b: int = documented(
        "Days without an order after which a B2B customer is dormant.", 365
    )
    at_risk_factor: float = documented(
        "A customer is at risk when the gap since the last order exceeds this multiple of "
        "their own mean interval between orders.",
        2.0,
    )
    at_risk_days_b2c: int = documented(
        "At-risk threshold in days for B2C customers with too few orders to know their cycle.", 90
    )
    at_risk_days_b2b: int = documented(
        "At-risk threshold in days for B2B customers with too few orders to know their cycle.", 180
    )
    category_dormant_days: dict[str, int] = documented(
        "Dormancy period per product category (the customer's main category), overriding the kind.",
        {},
    )


@dataclass(frozen=True)
class ScoringSettings:
    reason_confidence_min: float = documented(
        "A guessed dormancy reason less certain than this (0–1, learned from customers later heard) "
        "counts as unknown for the script: hearing-first scripts, with the guess's pitches tried by "
        "Thompson sampling on outcomes of that case.",
        0.6,
    )
    season_lead_weeks_min: int = documented(
        "A category's peak lifts its customers from this many weeks before it.", 2
    )
    season_lead_weeks_max: int = documented("… up to this many weeks before it.", 6)
    deadline_reset_months: int = documented(
        "Months after the last order when a loyalty discount resets (0: no deadline trigger).", 12
    )
    deadline_notice_month: int = documented(
        "Month after the last order in which the deadline call is due.", 11
    )
    value_horizon_weeks: float = documented(
        "Horizon of a customer's value: expected spend over this many weeks if still a customer.",
        52.0,
    )
    reason_fixed_boost: float = documented(
        "A policy, not a fitted figure: the score factor of a customer who left for a reason "
        "later marked fixed (`workbench reasons fix`), from the day it was fixed (1: no boost).",
        1.5,
    )


@dataclass(frozen=True)
class CallingSettings:
    windows: dict[str, str] = documented(
        "Calling window per weekday in the customer's local time, 'HH:MM-HH:MM' or '' for none.",
        {d: ("09:00-20:00" if d != "sun" else "") for d in WEEKDAYS},
    )
    holidays: str = documented(
        "Holiday calendar country code (no calls on its public holidays).", "JP"
    )
    no_answer_gap_minutes: int = documented(
        "Minimum gap after a no_answer before the next call.", 240
    )
    busy_gap_minutes: int = documented("Minimum gap after a busy signal before the next call.", 30)
    voicemail_gap_minutes: int = documented(
        "Minimum gap after a voicemail before the next call.", 1440
    )
    no_decision_gap_days: int = documented(
        "Days after a conversation that ended undecided (no_decision, 検討中: not a refusal, so "
        "the customer may be called again) before the next call, 1–28.",
        7,
    )
    max_per_day: int = documented("Maximum call attempts per customer per local day.", 2)
    max_per_week: int = documented(
        "Maximum call attempts per customer per week (see max_per_week_window).", 5
    )
    max_per_week_window: str = documented(
        "How max_per_week counts: 'rolling' (the last 7 days up to the instant, as US Regulation F's "
        "7-in-7) or 'iso_week' (the customer's local Monday–Sunday week).",
        "rolling",
    )
    max_per_campaign: int = documented(
        "Maximum call attempts per customer in a campaign (0: no cap).", 0
    )
    lease_minutes: int = documented("How long a claimed customer stays with the operator.", 15)
    include_churned: bool = documented(
        "Whether churned customers (離反) may be called at all.", False
    )
    session_idle_minutes: int = documented(
        "An operator is working (has an open session) while holding a lease or within this many "
        "minutes of their last claim or recorded call.",
        30,
    )
    callback_handover_minutes: int = documented(
        "Minutes after a callback's time before anyone may take it when the operator who promised "
        "it has no open session (at most 30: a working owner keeps it 30 minutes).",
        0,
    )


@dataclass(frozen=True)
class LabelSettings:
    categories_ja: dict[str, str] = documented(
        "Japanese labels for product category codes (said in scripts, shown on cards), adding to or "
        'replacing the built-in ones: heating = "暖房器具".',
        {},
    )
    categories_en: dict[str, str] = documented("English labels for product category codes.", {})


@dataclass(frozen=True)
class KpiSettings:
    control_share: float = documented(
        "Share (0–1) of customers held back as the control group: never called or emailed by any "
        "path, so `kpi` can measure the campaign against what happens anyway (0: no control group).",
        0.10,
    )
    repurchase_days: int = documented(
        "A won-back customer re-purchases when they order again within this many days of the "
        "first order after the win-back.",
        90,
    )
    cost_per_call_minute: float = documented(
        "Cost of one minute of an operator's call (yen), for the ROI; a dial without a recorded "
        "duration counts as one minute.",
        60.0,
    )
    cost_per_email: float = documented("Cost of one email sent (yen), for the ROI.", 1.0)


@dataclass(frozen=True)
class Settings:
    db: str = documented(
        "Database URL: SQLite by default; postgresql+psycopg://user@host/dbname for teams.",
        DEFAULT_DB_URL,
    )
    company_name: str = documented(
        "Our company name, spoken in every opening (特定商取引法 Art. 16).", "サンプル商事株式会社"
    )
    company_address: str = documented(
        "Our postal address, printed in every email (特定電子メール法 Art. 4; '' : left out).", ""
    )
    language: str = documented("Interface and talk-script language: ja or en.", "ja")
    region: str = documented(
        "Default phone region for numbers written without a country code.", "JP"
    )
    timezone: str = documented("Time zone used when a number maps to none.", "Asia/Tokyo")
    operator: str = documented("Default operator id for the terminal UI ('' to ask).", "")
    talkscripts_dir: str = documented("Folder holding the talk-script files.", "talkscripts")
    keys: dict[str, str] = documented(
        'Terminal UI keys by action id ([keys] claim = "j"; see `?` for the ids), replacing '
        "the default key of that action.",
        {},
    )
    lifecycle: LifecycleSettings = field(default_factory=LifecycleSettings)
    calling: CallingSettings = field(default_factory=CallingSettings)
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    mailbox: MailboxSettings = field(default_factory=MailboxSettings)
    labels: LabelSettings = field(default_factory=LabelSettings)
    kpi: KpiSettings = field(default_factory=KpiSettings)

    def category_labels(self) -> dict[str, str]:
        """The configured category labels in the interface language."""
        return self.labels.categories_en if self.language == "en" else self.labels.categories_ja


def load_settings(path: Path | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Read `path` (default: $WORKBENCH_CONFIG or ./workbench.toml if present) and the environment."""
    env = os.environ if env is None else env
    if path is None:
        path = Path(env.get("WORKBENCH_CONFIG", "workbench.toml"))
        if not path.exists() and "WORKBENCH_CONFIG" not in env:
            path = None
    raw: dict[str, Any] = {}
    lines: dict[str, int] = {}
    if path is not None:
        with errors_in(env.get(LANGUAGE_ENV)):
            raw, lines = read_toml(path)
    with errors_in(env.get(LANGUAGE_ENV, raw.get("language"))):
        source = Source(str(path) if path else say("config.place_defaults"), lines)
        return _build(Settings, raw, env, source, prefix="")


def _build(
    cls: type, raw: dict[str, Any], env: Mapping[str, str], source: Source, prefix: str
) -> Any:
    hints = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in names:
            where = f"{prefix}{key}"
            known = ", ".join(sorted(names))
            raise ConfigError(
                say("config.unknown_key", place=source.at(where), setting=where, known=known)
            )
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        key = f"{prefix}{f.name}"
        if dataclasses.is_dataclass(hint):
            section = raw.get(f.name, {})
            if not isinstance(section, dict):
                raise ConfigError(say("config.not_table", place=source.at(key), setting=key))
            values[f.name] = _build(cast(type, hint), section, env, source, prefix=f"{key}.")
            continue
        env_name = "WORKBENCH_" + key.replace(".", "_").upper()
        origins[f.name] = say("config.place_key", place=source.at(key), setting=key)
        if env_name in env:
            origins[f.name] = say("config.place_env", name=env_name)
            values[f.name] = coerce(env[env_name], hint, origins[f.name])
        elif f.name in raw:
            values[f.name] = coerce(raw[f.name], hint, origins[f.name])
        if f.name == "windows" and f.name in values:
            # Naming one weekday changes that day; the others keep their default window.
            values[f.name] = {
                **cast(Callable[[], dict[str, str]], f.default_factory)(),
                **values[f.name],
            }
    settings = cls(**values)
    _validate(settings, origins)
    return settings


def _validate(settings: Any, origins: dict[str, str]) -> None:
    if isinstance(settings, Settings):
        if settings.language not in ("ja", "en"):
            raise wrong_value("config.one_of", settings, origins, "language", choices="ja / en")
        check_zone(settings.timezone, origins["timezone"])
    if isinstance(settings, CallingSettings):
        for day, window in settings.windows.items():
            if day not in WEEKDAYS:
                where, days = sub(origins["windows"], day), ", ".join(WEEKDAYS)
                raise ConfigError(say("config.bad_weekday", where=where, days=days))
            parse_window(window, sub(origins["windows"], day))
        _validate_calling(settings, origins)
    if isinstance(settings, ScoringSettings):
        _validate_scoring(settings, origins)
    validate_mail(settings, origins)
    if isinstance(settings, KpiSettings):
        if settings.control_share >= 1:
            raise wrong_value("config.share_below_1", settings, origins, "control_share")
        if settings.repurchase_days < 1:
            raise wrong_value("config.at_least", settings, origins, "repurchase_days", low=1)
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            raise wrong_value("config.negative", settings, origins, f.name)


def _validate_scoring(settings: ScoringSettings, origins: dict[str, str]) -> None:
    if settings.reason_confidence_min > 1:
        raise wrong_value("config.share_0_1", settings, origins, "reason_confidence_min")
    if settings.reason_fixed_boost <= 0:
        raise wrong_value("config.positive", settings, origins, "reason_fixed_boost")
    if settings.season_lead_weeks_min > settings.season_lead_weeks_max:
        high = settings.season_lead_weeks_max
        raise wrong_value(
            "config.lead_weeks", settings, origins, "season_lead_weeks_min", high=high
        )
    if (
        settings.deadline_reset_months
        and not 0 < settings.deadline_notice_month < settings.deadline_reset_months
    ):
        high = settings.deadline_reset_months - 1
        raise wrong_value(
            "config.notice_month", settings, origins, "deadline_notice_month", high=high
        )


def _validate_calling(settings: CallingSettings, origins: dict[str, str]) -> None:
    from workbench.domain.calling_rules import (
        DEFAULT_CALLBACK_GRACE,
        NO_DECISION_GAP_MAX_DAYS,
        WEEKLY_WINDOWS,
    )

    if settings.max_per_week_window not in WEEKLY_WINDOWS:
        choices = " / ".join(WEEKLY_WINDOWS)
        raise wrong_value(
            "config.one_of", settings, origins, "max_per_week_window", choices=choices
        )
    grace = int(DEFAULT_CALLBACK_GRACE.total_seconds() // 60)
    if settings.callback_handover_minutes > grace:
        raise wrong_value(
            "config.handover", settings, origins, "callback_handover_minutes", grace=grace
        )
    low, high = 1, NO_DECISION_GAP_MAX_DAYS
    if not low <= settings.no_decision_gap_days <= high:
        raise wrong_value(
            "config.between", settings, origins, "no_decision_gap_days", low=low, high=high
        )
    if settings.session_idle_minutes > 24 * 60:
        raise wrong_value("config.session_idle", settings, origins, "session_idle_minutes")


def describe(cls: type = Settings, prefix: str = "") -> list[tuple[str, str, Any]]:
    """(key, documentation, default) for every setting, for `workbench config` and the README."""
    rows: list[tuple[str, str, Any]] = []
    hints = get_type_hints(cls)
    default = cls()
    for f in dataclasses.fields(cls):
        if dataclasses.is_dataclass(hints[f.name]):
            rows.extend(describe(hints[f.name], prefix=f"{prefix}{f.name}."))
        else:
            rows.append((f"{prefix}{f.name}", f.metadata.get("doc", ""), getattr(default, f.name)))
    return rows


NOW_ENV = "WORKBENCH_NOW"


def now_from_env(settings: Settings, env: Mapping[str, str] | None = None) -> datetime | None:
    """A fixed instant from WORKBENCH_NOW (ISO 8601), for demos and end-to-end tests."""
    from zoneinfo import ZoneInfo

    from workbench.domain.values import parse_datetime

    env = os.environ if env is None else env
    raw = env.get(NOW_ENV, "").strip()
    if not raw:
        return None
    try:
        return parse_datetime(raw, ZoneInfo(settings.timezone))
    except ValueError:
        where = say("config.place_env", name=NOW_ENV)
        raise ConfigError(
            say("config.bad_now", where=where, value=repr(raw), zone=settings.timezone)
        ) from None
