"""The command server (issue #11): the real `workbench` console script, served and in-process.

Each test has a runtime folder of its own (`XDG_RUNTIME_DIR`), so its server is its own.
A served command must be indistinguishable from one run in-process: the same output,
exit status, working directory and environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.cli import served

AT = "1998-07-02T10:00:00+09:00"  # a Thursday morning in Tokyo


def console_script() -> str:
    script = Path(sys.executable).with_name("workbench")
    assert script.is_file(), f"the console script is not installed next to {sys.executable}"
    return str(script)


class Workbench:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runtime = folder / "run"
        self.runtime.mkdir(mode=0o700)
        self.env = {
            **os.environ, "XDG_RUNTIME_DIR": str(self.runtime), "WORKBENCH_SERVER": "auto",
            "WORKBENCH_SERVER_IDLE": "120", "WORKBENCH_CONFIG": os.devnull, "COLUMNS": "200",
        }  # fmt: skip
        self.env.pop("WORKBENCH_DB", None)

    def run(
        self, *args: str, served: bool = True, cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:  # fmt: skip
        environ = {**self.env, **(env or {}), "WORKBENCH_SERVER": "auto" if served else "off"}
        return subprocess.run([console_script(), *args], capture_output=True,
                              text=True, env=environ, cwd=cwd or self.folder, timeout=120)  # fmt: skip

    def servers(self) -> list[dict[str, object]]:
        out = self.run("server", "status", "--json", served=False)
        assert out.returncode == 0, out.stderr
        return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]

    def wait_for_server(self) -> dict[str, object]:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            current = [s for s in self.servers() if s["current"]]
            if current:
                return current[0]
            time.sleep(0.3)
        raise AssertionError(f"no command server came up in {self.runtime}")

    def served_count(self) -> int:
        return int(next(s["served"] for s in self.servers() if s["current"]))  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("served_demo")
    made = Workbench(folder).run("--db", f"sqlite:///{folder / 'wb.db'}", "demo", "--customers",
                                 "60", "--seed", "3", "--today", "1998-06-30", served=False)  # fmt: skip
    assert made.returncode == 0, made.stderr
    return folder / "wb.db"


@pytest.fixture
def wb(tmp_path: Path, demo_db: Path) -> Iterator[Workbench]:
    bench = Workbench(tmp_path)
    (tmp_path / "wb.db").write_bytes(demo_db.read_bytes())
    yield bench
    bench.run("server", "stop", served=False)


def test_a_served_command_answers_as_the_in_process_one(wb: Workbench) -> None:
    db = f"sqlite:///{wb.folder / 'wb.db'}"
    args = ("--db", db, "queue", "--at", AT, "--limit", "5", "--json")
    local = wb.run(*args, served=False)
    assert local.returncode == 0, local.stderr
    assert wb.servers() == []  # in-process runs start no server

    first = wb.run(*args)  # no server yet: runs here and starts one
    assert (first.returncode, first.stdout) == (0, local.stdout)
    wb.wait_for_server()
    before = wb.served_count()
    again = wb.run(*args)
    assert (again.returncode, again.stdout, again.stderr) == (0, local.stdout, local.stderr)
    assert wb.served_count() == before + 1
    assert len(local.stdout.splitlines()) == 5


def test_errors_folder_and_environment_are_the_clients(wb: Workbench) -> None:
    wb.run("--db", "sqlite:///wb.db", "config")  # starts the server
    wb.wait_for_server()
    before = wb.served_count()

    # A usage error: the same one line and exit status 2.
    bad_local = wb.run("--db", "sqlite:///wb.db", "queue", "--at", "notatime", served=False)
    bad = wb.run("--db", "sqlite:///wb.db", "queue", "--at", "notatime")
    assert bad.returncode == bad_local.returncode == 2
    assert bad.stderr == bad_local.stderr and bad.stderr.startswith("error: --at")

    # A relative database path is the client's working directory's, not the server's.
    sub = wb.folder / "elsewhere"
    sub.mkdir()
    (sub / "wb.db").write_bytes((wb.folder / "wb.db").read_bytes())
    here = wb.run("--db", "sqlite:///wb.db", "queue", "--at", AT, "--limit", "1", "--json", cwd=sub)
    assert here.returncode == 0, here.stderr
    customer = json.loads(here.stdout)["customer_id"]

    # A batch named relative to the client's folder, written to the client's database only.
    def calls_at(cwd: Path) -> list[str]:
        shown = wb.run("--db", "sqlite:///wb.db", "customers", "show", customer, "--json",
                       cwd=cwd, served=False)  # fmt: skip
        assert shown.returncode == 0, shown.stderr
        return [c["outcome"] for c in json.loads(shown.stdout)["contacts"] if c["at"] == AT]

    (sub / "batch.csv").write_text(
        f"customer_id,at,channel,direction,outcome\n{customer},{AT},call,outbound,no_answer\n"
    )
    disposed = wb.run("--db", "sqlite:///wb.db", "dispose", "--file", "batch.csv", cwd=sub)
    assert disposed.returncode == 0, disposed.stderr
    assert calls_at(sub) == ["no_answer"]
    assert calls_at(wb.folder) == []

    # The environment: the client's language setting, not the server's.
    ja = wb.run("--db", "sqlite:///wb.db", "escalation", "list", cwd=sub)
    en = wb.run("--db", "sqlite:///wb.db", "escalation", "list", cwd=sub,
                env={"WORKBENCH_LANGUAGE": "en"})  # fmt: skip
    assert (ja.returncode, ja.stdout) == (0, "記録がありません\n")
    assert (en.returncode, en.stdout) == (0, "no records\n")
    assert wb.served_count() == before + 5


def test_stop_ends_the_server_and_the_next_command_runs_in_process(wb: Workbench) -> None:
    wb.run("--help")
    server = wb.wait_for_server()
    stopped = wb.run("server", "stop", served=False)
    assert stopped.returncode == 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and Path(str(server["socket"])).exists():
        time.sleep(0.2)
    assert not Path(str(server["socket"])).exists()
    assert wb.servers() == []
    helped = wb.run("--help")  # nothing listens: answered in-process (and a new server starts)
    assert helped.returncode == 0 and "queue" in helped.stdout


def test_the_server_key_follows_the_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    module = package / "mod.py"
    module.write_text("x = 1\n")
    monkeypatch.setattr(served, "PACKAGE", package)
    first = served.code_key()
    assert served.code_key() == first
    module.write_text("x = 22\n")  # a different size
    second = served.code_key()
    os.utime(module, ns=(1, 1))  # the same size, another modification time
    assert len({first, second, served.code_key()}) == 3
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0")
    assert served.code_key() == served.code_key()


def test_which_commands_are_served() -> None:
    assert served.served(["queue", "--json"])
    assert served.served(["--db", "sqlite:///x.db", "dispose", "C1"])
    assert served.served(["--db=sqlite:///x.db", "--help"])
    assert not served.served([])  # the operator UI
    assert not served.served(["--db", "sqlite:///x.db"])
    assert not served.served(["--config", "w.toml", "ui", "--operator", "op01"])
    assert not served.served(["server", "status"])
    assert not served.enabled({"WORKBENCH_SERVER": "off"})
    assert served.enabled({})


def _on_a_terminal(wb: Workbench, *args: str, served: bool, columns: int) -> str:
    """What a command prints on a terminal `columns` wide (a pseudo-terminal of our own)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environ = {**wb.env, "WORKBENCH_SERVER": "auto" if served else "off", "TERM": "dumb"}
    environ.pop("COLUMNS")
    proc = subprocess.Popen([console_script(), *args], stdin=slave, stdout=slave, stderr=slave,
                            env=environ, cwd=wb.folder)  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed: the command is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode()


def test_a_served_table_fits_the_callers_terminal(wb: Workbench) -> None:
    args = ("--db", "sqlite:///wb.db", "customers", "--limit", "3")
    wb.run(*args)  # starts the server (its own output is /dev/null, not a terminal)
    wb.wait_for_server()
    before = wb.served_count()
    local = _on_a_terminal(wb, *args, served=False, columns=100)
    served_out = _on_a_terminal(wb, *args, served=True, columns=100)
    assert wb.served_count() == before + 1
    assert served_out == local
    widths = {len(line) for line in local.splitlines() if line.startswith(("┏", "┃", "└"))}
    assert widths and max(widths) <= 100


def test_a_served_write_is_in_the_database_file_when_the_command_ends(wb: Workbench) -> None:
    """The child closes its connections as a process exiting would, so SQLite folds the
    write-ahead log back into the file: a copy of the file alone holds the write."""
    import sqlite3

    wb.run("--help")
    wb.wait_for_server()
    before = wb.served_count()
    queued = wb.run("--db", "sqlite:///wb.db", "queue", "--at", AT, "--limit", "1", "--json")
    customer = json.loads(queued.stdout)["customer_id"]
    done = wb.run("--db", "sqlite:///wb.db", "dispose", customer, "--outcome", "no_answer",
                  "--at", AT, "--operator", "op01")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert wb.served_count() == before + 2
    copy = wb.folder / "copy.db"
    copy.write_bytes((wb.folder / "wb.db").read_bytes())  # the file only, not its -wal
    with sqlite3.connect(copy) as conn:
        (calls,) = conn.execute(
            "SELECT count(*) FROM contact_attempts a JOIN customers c ON c.id = a.customer_id "
            "WHERE c.external_id = ? AND a.outcome = 'no_answer' AND a.operator = 'op01'",
            (customer,),
        ).fetchone()
    assert calls >= 1
