"""The deadline trigger and the season lead window come from the configuration."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from workbench.config import ConfigError, load_settings
from workbench.services.importer import import_file
from workbench.services.scoring import rescore
from workbench.store.models import Customer, QueueScore

JST = ZoneInfo("Asia/Tokyo")
AT = datetime(2026, 11, 20, 7, tzinfo=JST)


def _base(engine: Engine, tmp_path: Path) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text(
        "customer_id,name,kind,phone\nM11,十一 月子,b2c,090-1111-2222\nM05,五 月子,b2c,090-1111-3333\n",
        encoding="utf-8",
    )
    transactions = tmp_path / "t.csv"
    # M11 last ordered 11 months before AT (the notice month of a 12-month reset); M05 five months before.
    transactions.write_text(
        "customer_id,ordered_at,amount\nM11,2025-12-10T10:00+09:00,9800\nM05,2026-06-10T10:00+09:00,9800\n",
        encoding="utf-8",
    )
    settings = load_settings(path=None, env={})
    import_file(engine, "customers", customers, settings)
    import_file(engine, "transactions", transactions, settings)


def _deadlines(engine: Engine) -> dict[str, bool]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Customer.external_id, QueueScore.deadline).join(
                QueueScore, QueueScore.customer_id == Customer.id
            )
        )  # type: ignore[arg-type]
        return {external: bool(flag) for external, flag in rows}


def test_deadline_month_follows_the_configuration(engine: Engine, tmp_path: Path) -> None:
    _base(engine, tmp_path)
    rescore(engine, load_settings(path=None, env={}), AT)
    assert _deadlines(engine) == {"M11": True, "M05": False}
    rescore(
        engine,
        load_settings(
            path=None,
            env={
                "WORKBENCH_SCORING_DEADLINE_RESET_MONTHS": "6",
                "WORKBENCH_SCORING_DEADLINE_NOTICE_MONTH": "5",
            },
        ),
        AT,
    )
    assert _deadlines(engine) == {"M11": False, "M05": True}
    rescore(
        engine, load_settings(path=None, env={"WORKBENCH_SCORING_DEADLINE_RESET_MONTHS": "0"}), AT
    )
    assert _deadlines(engine) == {"M11": False, "M05": False}


def test_inconsistent_scoring_settings_are_errors_naming_the_key() -> None:
    with pytest.raises(ConfigError, match="WORKBENCH_SCORING_DEADLINE_NOTICE_MONTH"):
        load_settings(path=None, env={"WORKBENCH_SCORING_DEADLINE_NOTICE_MONTH": "12"})
    with pytest.raises(ConfigError, match="WORKBENCH_SCORING_SEASON_LEAD_WEEKS_MIN"):
        load_settings(path=None, env={"WORKBENCH_SCORING_SEASON_LEAD_WEEKS_MIN": "8"})
