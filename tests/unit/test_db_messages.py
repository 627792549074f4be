"""Why the database could not be used, said in the interface language from the driver's real
errors (SQLite on files made here, psycopg against a closed port and the test server)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from workbench.messages import use_language
from workbench.messages.db_errors import db_problem

PG_URL = os.environ.get("WORKBENCH_TEST_PG_URL")


@pytest.fixture(autouse=True)
def japanese_first() -> Iterator[None]:
    previous = use_language("ja")
    yield
    use_language(previous)


def failure(url: str, statement: str = "SELECT 1") -> DatabaseError:
    engine = create_engine(url, connect_args={"connect_timeout": 5} if "postgresql" in url else {})
    try:
        with pytest.raises(DatabaseError) as caught:
            with engine.connect() as conn:
                conn.execute(text(statement))
        return caught.value
    finally:
        engine.dispose()


def test_a_file_another_process_is_writing_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN EXCLUSIVE")
    try:
        reader = sqlite3.connect(path, timeout=0)
        with pytest.raises(sqlite3.OperationalError) as caught:
            reader.execute("SELECT * FROM t")
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert db_problem(caught.value) == (
        "ほかの処理がデータベースに書き込み中です。しばらくしてからもう一度お試しください"
    )


def test_a_file_in_a_missing_folder_cannot_be_opened(tmp_path: Path) -> None:
    error = failure(f"sqlite:///{tmp_path / 'missing' / 'w.db'}")
    assert db_problem(error).startswith("データベースのファイルを開けません")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is a text file, not SQLite\n" * 200)
    error = failure(f"sqlite:///{path}", "SELECT * FROM sqlite_master")
    assert db_problem(error) == "指定のファイルはデータベースではないか、壊れています"


def test_a_closed_port_names_the_host_and_port() -> None:
    error = failure("postgresql+psycopg://postgres@127.0.0.1:1/test")
    assert db_problem(error) == (
        "サーバー 127.0.0.1（ポート 1）が接続を受け付けません。"
        "起動しているか、ホストとポートが正しいかを確かめてください"
    )
    use_language("en")
    assert db_problem(error).startswith("the server 127.0.0.1 (port 1) refused the connection")


def test_an_unknown_host_is_named() -> None:
    error = failure("postgresql+psycopg://postgres@no-such-host.invalid:5432/test")
    assert db_problem(error) == "ホスト名 no-such-host.invalid が見つかりません"


def test_a_failure_not_in_the_table_keeps_the_drivers_words() -> None:
    assert db_problem(sqlite3.OperationalError("something new")) == (
        "データベースの応答: something new"
    )


@pytest.fixture
def server_url() -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL tests need WORKBENCH_TEST_PG_URL")
    return PG_URL


def test_a_database_or_user_the_server_does_not_have(server_url: str) -> None:
    url = make_url(server_url)
    missing_db = failure(url.set(database="wb_no_such_database").render_as_string(False))
    assert db_problem(missing_db) == "データベース wb_no_such_database がサーバーにありません"
    missing_user = failure(url.set(username="wb_no_such_user").render_as_string(False))
    assert db_problem(missing_user) == "ユーザー wb_no_such_user がサーバーにありません"
