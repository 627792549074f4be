"""The command server: one warm process that forks a child for every `workbench` command.

Started by `workbench.cli.served` as `python -m workbench.cli.server SOCKET KEY IDLE`.
It imports the command line and the services once, then waits on its Unix socket.  For
each connection it forks; the child takes the client's standard streams (passed as file
descriptors), arguments, environment, working directory and umask, runs the command as a
fresh process would, and reports its exit status.  Nothing is shared between commands but
the imported code: the parent never opens a database, and each child reseeds its random
generators.  The server exits after IDLE seconds without a command, and at once when a
newer server has taken its socket.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import IO, Any

from workbench.cli.served import HEADER, code_key, read_exact, send_message

KEY = ""  # the code this server was started for (`main` sets it)


WARM_PACKAGES = ("workbench.cli", "workbench.services", "workbench.store", "workbench.domain",
                 "workbench.talk", "workbench.importing", "workbench.mail")  # fmt: skip
COLD_MODULES = frozenset({"workbench.cli.server", "workbench.cli.served"})


def warm_up() -> None:
    """Import what the commands import, so a child starts with it in memory."""
    import importlib
    import pkgutil

    import holidays
    import rich.console
    import rich.table  # noqa: F401

    for package in WARM_PACKAGES:
        for info in pkgutil.walk_packages(importlib.import_module(package).__path__, f"{package}."):
            if info.name not in COLD_MODULES and ".migrations" not in info.name:
                importlib.import_module(info.name)
    for dialect in (
        "sqlalchemy.dialects.sqlite.pysqlite",
        "sqlalchemy.dialects.postgresql.psycopg",
    ):
        try:
            importlib.import_module(dialect)
        except ImportError:
            pass
    holidays.country_holidays("JP")
    from workbench.cli.root import click_command
    from workbench.config import load_settings
    from workbench.services.script_folder import scripts_root
    from workbench.talk.library import ScriptLibrary

    click_command()
    try:
        # Fills the checked-file memo only: each child still reads the files as they are now.
        settings = load_settings(None)
        ScriptLibrary(scripts_root(settings), language=settings.language)
    except Exception:  # noqa: BLE001 - only a warm-up: the command reports its own errors
        pass


def _reopen(fd: int, mode: str, fmt: dict[str, object]) -> IO[Any]:
    return open(  # noqa: SIM115 - the process's own stream, closed at exit
        fd, mode, encoding=str(fmt["encoding"]), errors=str(fmt["errors"]),
        buffering=1 if fmt["line_buffering"] else -1, closefd=False,
    )  # fmt: skip


def read_request(conn: socket.socket) -> tuple[dict[str, object], list[int]]:
    """The client's request and the descriptors passed with it (none for status and stop)."""
    header, fds, _flags, _addr = socket.recv_fds(conn, HEADER.size, 3)
    if len(header) < HEADER.size:
        header += read_exact(conn, HEADER.size - len(header))
    (size,) = HEADER.unpack(header)
    return json.loads(read_exact(conn, size)), fds


def run_child(conn: socket.socket, request: dict[str, object], fds: list[int]) -> int:
    """In the forked child: become the client's process, run its command, return the status."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(str(request["cwd"]))
    os.umask(int(request["umask"]))  # type: ignore[call-overload]
    os.environ.clear()
    os.environ.update(request["env"])  # type: ignore[call-overload]
    time.tzset()
    sys.stdin = _reopen(0, "r", request["stdin"])  # type: ignore[arg-type]
    sys.stdout = _reopen(1, "w", request["stdout"])  # type: ignore[arg-type]
    sys.stderr = _reopen(2, "w", request["stderr"])  # type: ignore[arg-type]
    sys.argv = ["workbench", *request["argv"]]  # type: ignore[misc]
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    send_message(conn, {"pid": os.getpid()})
    threading.Thread(target=_die_with_client, args=(conn,), daemon=True).start()
    from workbench.cli.root import main

    status = 0
    try:
        main()
    except SystemExit as exc:
        if exc.code is None:
            status = 0
        elif isinstance(exc.code, int):
            status = exc.code
        else:
            print(exc.code, file=sys.stderr)
            status = 1
    except KeyboardInterrupt:
        status = 130
    except BaseException:  # noqa: BLE001 - as the interpreter would: traceback, status 1
        traceback.print_exc()
        status = 1
    import atexit

    atexit._run_exitfuncs()  # what the interpreter's own exit would run; os._exit skips it
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    return status


def _die_with_client(conn: socket.socket) -> None:
    """A client killed outright (SIGKILL cannot be forwarded) takes its command with it, as
    killing an in-process run would: the client never writes after its request, so the
    connection's end is its death or its exit after our status."""
    try:
        while conn.recv(1):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGKILL)


def _serve_one(conn: socket.socket, request: dict[str, object], fds: list[int]) -> None:
    status = 1
    try:
        status = run_child(conn, request, fds)
        send_message(conn, {"status": status})
    except BaseException:  # noqa: BLE001 - the child must never return into the server loop
        pass
    finally:
        os._exit(status)


def _peer_is_us(conn: socket.socket) -> bool:
    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    return int.from_bytes(creds[4:8], sys.byteorder) == os.getuid()


def _reap() -> int:
    """Collect finished children; whether any is still running (1) or none (0)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 0
        if pid == 0:
            return 1


class Server:
    def __init__(self, path: Path, idle_seconds: float) -> None:
        self.path = path
        self.idle_seconds = idle_seconds
        self.started = time.time()
        self.served = 0
        self.stopping = False

    def status(self) -> dict[str, object]:
        return {"pid": os.getpid(), "key": KEY, "socket": str(self.path), "started": self.started,
                "served": self.served, "idle_seconds": self.idle_seconds}  # fmt: skip

    def handle(self, conn: socket.socket, listener: socket.socket) -> None:
        conn.settimeout(5.0)  # a local client sends its request at once
        try:
            request, fds = read_request(conn)
        except (OSError, ConnectionError, ValueError):
            return
        op = request.get("op", "run")
        if op in ("status", "stop"):
            self.stopping = op == "stop"
            send_message(conn, {**self.status(), "stopping": self.stopping})
            return
        if request.get("key") != KEY or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            send_message(conn, {"stale": True})  # other code: the client runs it itself
            return
        conn.settimeout(None)
        self.served += 1
        if os.fork() == 0:
            listener.close()
            self.lock.close()  # a long command must not keep a new server from starting
            _serve_one(conn, request, fds)
        for fd in fds:
            os.close(fd)

    def run(self) -> None:
        self.lock = lock = open(f"{self.path}.lock", "a")  # noqa: SIM115 - held for the server's life
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another server for this code is starting or running
        warm_up()
        self.path.unlink(missing_ok=True)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(self.path))
        os.chmod(self.path, 0o600)
        listener.listen(64)
        listener.settimeout(min(self.idle_seconds, 5.0))
        inode = self.path.stat().st_ino
        last = time.monotonic()
        while not self.stopping:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                running = _reap()
                gone = not self.path.exists() or self.path.stat().st_ino != inode
                # Edited or upgraded code gets a server of its own: this one is of no more use.
                if gone or code_key() != KEY:
                    break
                if not running and time.monotonic() - last >= self.idle_seconds:
                    break
                continue
            last = time.monotonic()
            with conn:
                if _peer_is_us(conn):
                    self.handle(conn, listener)
            _reap()
        listener.close()
        if self.path.exists() and self.path.stat().st_ino == inode:
            self.path.unlink()
        Path(lock.name).unlink(missing_ok=True)


def main() -> None:
    global KEY
    path, KEY, idle = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    Server(path, idle).run()


if __name__ == "__main__":
    main()
