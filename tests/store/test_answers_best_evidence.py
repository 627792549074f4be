"""`answers_best` claims a best time only from the customer's own answered calls.

Without call history every customer would get the segment's hours as "their" best time
(the same words on every row); the queue says nothing until they have answered once.
"""

from __future__ import annotations

import random
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


def test_best_time_only_after_an_answered_call(
    engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    people = ["customer_id,name,kind,phone"]
    orders = ["customer_id,ordered_at,amount,category"]
    calls = ["customer_id,channel,direction,at,outcome,operator"]
    for i, cid in enumerate(("NEW", "RANG", "TALKED")):
        people.append(f"{cid},顧客 {i},b2c,090-4000-{i:04d}")
        orders += [
            f"{cid},2025-09-01T12:00+09:00,8000,beverages",
            f"{cid},2026-02-15T12:00+09:00,8000,beverages",
        ]
    for day in (6, 13, 20):
        calls.append(f"RANG,call,outbound,2026-10-{day:02d}T19:00+09:00,no_answer,op9")
        calls.append(
            f"TALKED,call,outbound,2026-10-{day:02d}T19:00+09:00,{'callback' if day == 20 else 'no_answer'},op9"
        )
    for kind, lines in (("customers", people), ("transactions", orders), ("contacts", calls)):
        path = tmp_path / f"{kind}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert (
            import_file(
                engine, kind, path, settings, rejects_path=tmp_path / f"{kind}.rejects.csv"
            ).rejected
            == 0
        )
    rescore(engine, settings, AT)
    with engine.connect() as conn:
        entries = {
            e.external_id: e for e in read_queue(conn, settings, AT, None, 10, random.Random(1))
        }
    assert entries["NEW"].windows == "" and entries["RANG"].windows == ""
    assert entries["TALKED"].windows != ""
    assert entries["TALKED"].as_json()["answers_best"] == entries["TALKED"].windows
