"""The queue offers a script with a `dormant_months` window only inside that window.

`loyalty_deadline` is written for month 11 (a loyalty discount resets 12 months after the
last order).  Here it is the only script in the library, so the queue's pick shows whether
the queue told script selection how long each customer has been dormant: in month 11
it is chosen, in month 14 nothing qualifies.
"""

from __future__ import annotations

import dataclasses
import random
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from workbench.config import Settings
from workbench.services.importer import import_file
from workbench.services.queue import read_queue
from workbench.services.scoring import rescore

JST = ZoneInfo("Asia/Tokyo")
AT = datetime(2026, 11, 24, 10, 0, tzinfo=JST)  # a Tuesday morning
REPO = Path(__file__).resolve().parents[2]


def _library(tmp_path: Path) -> Path:
    root = tmp_path / "talkscripts"
    (root / "ja").mkdir(parents=True)
    shutil.copy(
        REPO / "talkscripts" / "ja" / "loyalty_deadline.md", root / "ja" / "loyalty_deadline.md"
    )
    return root


def _load(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(
        "customer_id,name,kind,phone\nM11,十一月 様,b2c,090-2000-0011\nM14,十四月 様,b2c,090-2000-0014\n",
        encoding="utf-8",
    )
    orders = tmp_path / "transactions.csv"
    orders.write_text(
        "customer_id,ordered_at,amount,category\n"
        "M11,2025-10-01T12:00+09:00,5000,beverages\n"
        "M11,2025-12-10T12:00+09:00,5000,beverages\n"  # 11 whole months before 2026-11-24
        "M14,2025-06-01T12:00+09:00,5000,beverages\n"
        "M14,2025-09-01T12:00+09:00,5000,beverages\n",  # 14 months before
        encoding="utf-8",
    )
    for kind, path in (("customers", customers), ("transactions", orders)):
        summary = import_file(
            engine, kind, path, settings, rejects_path=tmp_path / f"{kind}.rejects.csv"
        )
        assert summary.rejected == 0
    rescore(engine, settings, AT)


def test_deadline_script_is_offered_in_month_11_only(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    settings = dataclasses.replace(settings, talkscripts_dir=str(_library(tmp_path)), language="ja")
    _load(engine, settings, tmp_path)
    with engine.connect() as conn:
        entries = {
            e.external_id: e for e in read_queue(conn, settings, AT, "op1", 10, random.Random(1))
        }
    assert set(entries) == {"M11", "M14"}
    assert (
        entries["M11"].script is not None and entries["M11"].script.script_id == "loyalty_deadline"
    )
    assert entries["M14"].script is None


def test_months_count_only_orders_up_to_the_queue_instant(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    """`--at` in the past: an order placed after it does not shorten the dormancy."""
    settings = dataclasses.replace(settings, talkscripts_dir=str(_library(tmp_path)), language="ja")
    _load(engine, settings, tmp_path)
    later = tmp_path / "later.csv"
    later.write_text(
        "customer_id,ordered_at,amount,category\nM11,2026-12-20T12:00+09:00,5000,beverages\n",
        encoding="utf-8",
    )
    assert (
        import_file(
            engine, "transactions", later, settings, rejects_path=tmp_path / "later.rejects.csv"
        ).rejected
        == 0
    )
    rescore(engine, settings, AT)
    with engine.connect() as conn:
        entries = {
            e.external_id: e for e in read_queue(conn, settings, AT, "op1", 10, random.Random(1))
        }
    assert (
        entries["M11"].script is not None and entries["M11"].script.script_id == "loyalty_deadline"
    )
