"""The answer model's fit in a process of its own, for large call histories.

A rescore's threads share one interpreter lock: the answer model's fit over millions of calls
(numpy between stretches of Python) slowed the main thread's classification and customer-base
fits by half on two cores.  Beyond `PROCESS_MIN_CALLS` calls the fit runs in a fresh
interpreter (`python -m workbench.services.answer_process`; not a fork, as the rescore's other
threads hold locks a fork would copy, and not multiprocessing's spawn, which re-runs the
caller's main script) through its own connection: the inputs go in pickled on its standard
input and the fitted model comes back pickled on its standard output.  Smaller histories fit in
the calling thread, where starting an interpreter would cost more than it saves.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import datetime

from sqlalchemy import Engine, func, select

from workbench.config import Settings
from workbench.domain.answer_model import AnswerModel
from workbench.services.answer_fit import fit_from_calls
from workbench.store.models import ContactAttempt

PROCESS_MIN_CALLS = 500_000
attempts = ContactAttempt.__table__


def fit_answer_model(engine: Engine, settings: Settings, at: datetime) -> AnswerModel:
    """The answer model from the calls known at `at`, in another process when that pays."""
    with engine.connect() as conn:
        if not _worth_a_process(engine, conn.execute(select(func.max(attempts.c.id))).scalar()):
            return fit_from_calls(conn, settings, at)
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-m", __name__],
        input=pickle.dumps((url, settings, at)),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"answer model fit failed: {done.stderr.decode(errors='replace').strip()}"
        )
    model: AnswerModel = pickle.loads(done.stdout)
    return model


def _worth_a_process(engine: Engine, top_id: int | None) -> bool:
    database = engine.url.database or ""
    in_memory = engine.url.get_backend_name() == "sqlite" and database in ("", ":memory:")
    return not in_memory and (top_id or 0) >= PROCESS_MIN_CALLS


def _fit_from_url(url: str, settings: Settings, at: datetime) -> AnswerModel:
    from workbench.store.engine import make_engine

    engine = make_engine(url, create_folder=False)
    try:
        with engine.connect() as conn:
            return fit_from_calls(conn, settings, at)
    finally:
        engine.dispose()


if __name__ == "__main__":
    inputs = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(_fit_from_url(*inputs)))
