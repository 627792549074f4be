"""More operators' threads claiming at once than the engine's pool holds connections.

A claim's transaction holds one connection.  The first claim of a process also stores the
talk scripts' texts; done from inside that transaction on PostgreSQL it took a second
connection, so with every connection held by a claim waiting for another, the claims
stalled until the pool gave up (`QueuePool limit … reached, connection timed out`).
"""

from __future__ import annotations

import random
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from workbench.config import Settings
from workbench.services.claim import claim
from workbench.services.demo import load_demo
from workbench.services.scoring import rescore
from workbench.services.script_contents import forget_met
from workbench.store.engine import make_engine

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # a Tuesday morning
THREADS = 6
POOL = 2


def test_threads_beyond_the_pool_all_claim(engine: Engine, settings: Settings, db_url: str) -> None:
    load_demo(engine, settings, customers=120, seed=3, today=AT.date(), announce=lambda _m: None)
    rescore(engine, settings, AT)
    small = make_engine(db_url, pool_size=POOL, max_overflow=0, pool_timeout=20)
    forget_met()  # this process has stored no script text in this database yet
    gate = threading.Barrier(THREADS)
    got: dict[int, object] = {}

    def work(k: int) -> None:
        gate.wait()
        try:
            entry = claim(small, settings, f"op{k + 1:02d}", AT, random.Random(k))
            got[k] = entry.external_id if entry is not None else None
        except Exception as exc:  # noqa: BLE001 - reported below
            got[k] = exc

    threads = [threading.Thread(target=work, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    small.dispose()
    errors = [v for v in got.values() if isinstance(v, Exception)]
    assert errors == []
    claimed = [v for v in got.values() if v is not None]
    assert len(claimed) == THREADS and len(set(claimed)) == THREADS
