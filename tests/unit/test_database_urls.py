"""Database URLs: one error path, naming what is wrong and what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import ConfigError
from workbench.store.engine import DatabaseUrlError, make_engine


@pytest.mark.parametrize(
    "url, says",
    [
        ("foo://bar", "'foo' databases are not supported"),
        ("notaurl", "'notaurl' is not a database URL"),
        ("mysql://u@localhost/x", "'mysql' databases are not supported"),
        ("postgresql+asyncpg://u@localhost/x", r"driver 'postgresql\+asyncpg' is not installed"),
    ],
)
def test_urls_we_cannot_open_are_refused_in_one_line(url: str, says: str) -> None:
    with pytest.raises(DatabaseUrlError, match=says) as caught:
        make_engine(url)
    assert isinstance(
        caught.value, ConfigError
    )  # the faces print configuration errors without a traceback
    assert "\n" not in str(caught.value) and str(caught.value).startswith("db: ")


def test_postgres_spellings_use_the_installed_driver() -> None:
    for url in ("postgres://x@127.0.0.1:1/x", "postgresql://x@127.0.0.1:1/x"):
        engine = make_engine(url)
        assert engine.url.drivername == "postgresql+psycopg"
        engine.dispose()


def test_a_missing_folder_is_created_only_when_asked(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "x.db"
    with pytest.raises(DatabaseUrlError, match="does not exist"):
        make_engine(f"sqlite:///{missing}", create_folder=False)
    assert not missing.parent.exists()
    make_engine(f"sqlite:///{missing}", create_folder=True).dispose()
    assert missing.parent.is_dir()
