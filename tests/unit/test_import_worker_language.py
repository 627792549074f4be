"""A spawned validation worker starts in the default language: the job tells it which one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from workbench.importing.csvfile import Chunk
from workbench.importing.pipeline import ParseJob, parse_chunk
from workbench.messages import ui_language, use_language

HEADER = ["customer_id", "name", "kind", "phone"]


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    previous = use_language("ja")
    yield
    use_language(previous)


@pytest.mark.parametrize(
    "language, reason", [("en", "required value is empty"), ("ja", "必須の値が空です")]
)
def test_a_worker_speaks_the_jobs_language(language: str, reason: str) -> None:
    use_language("en" if language == "ja" else "ja")  # the worker's own default differs
    job = ParseJob("customers", "JP", "Asia/Tokyo", "c.csv", "utf-8", (), language)
    good, bad = parse_chunk(job, HEADER, Chunk(2, ",山田,b2c,03-1234-5678\n".encode()))
    assert good == [] and [(r.line, r.column, r.reason) for r in bad] == [
        (2, "customer_id", reason)
    ]
    assert ui_language() == language
