"""Database URLs: one error path, naming what is wrong and what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.config import ConfigError
from workbench.store.engine import DatabaseUrlError, make_engine


@pytest.mark.parametrize(
    "url, says",
    [
        ("foo://bar", "'foo' のデータベースには対応していません"),
        ("notaurl", "'notaurl' はデータベースの URL ではありません"),
        ("mysql://u@localhost/x", "'mysql' のデータベースには対応していません"),
        (
            "postgresql+asyncpg://u@localhost/x",
            r"ドライバー 'postgresql\+asyncpg' はインストールされていません",
        ),
        (
            "sqlite+pysqlcipher:///x.db",
            "SQLite のドライバー 'sqlite\\+pysqlcipher' には対応していません",
        ),
    ],
)
def test_urls_we_cannot_open_are_refused_in_one_line(url: str, says: str) -> None:
    with pytest.raises(DatabaseUrlError, match=says) as caught:
        make_engine(url)
    assert isinstance(
        caught.value, ConfigError
    )  # the faces print configuration errors without a traceback
    assert "\n" not in str(caught.value) and str(caught.value).startswith("db: ")


@pytest.mark.parametrize(
    "url, says",
    [
        ("foo://bar", "'foo' databases are not supported"),
        ("notaurl", "'notaurl' is not a database URL"),
        ("postgresql+asyncpg://u@localhost/x", r"driver 'postgresql\+asyncpg' is not installed"),
    ],
)
@pytest.mark.usefixtures("english_messages")
def test_urls_are_refused_in_english_with_language_en(url: str, says: str) -> None:
    with pytest.raises(DatabaseUrlError, match=says) as caught:
        make_engine(url)
    assert str(caught.value).startswith("db: ")


def test_postgres_spellings_use_the_installed_driver() -> None:
    for url in ("postgres://x@127.0.0.1:1/x", "postgresql://x@127.0.0.1:1/x"):
        engine = make_engine(url)
        assert engine.url.drivername == "postgresql+psycopg"
        engine.dispose()


def test_a_missing_folder_is_created_only_when_asked(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "x.db"
    with pytest.raises(DatabaseUrlError, match=f"フォルダー {missing.parent} がありません"):
        make_engine(f"sqlite:///{missing}", create_folder=False)
    assert not missing.parent.exists()
    make_engine(f"sqlite:///{missing}", create_folder=True).dispose()
    assert missing.parent.is_dir()
