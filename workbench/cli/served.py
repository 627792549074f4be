"""The client half of the command server: hand this command to a warm `workbench` process.

Importing SQLAlchemy, sqlmodel, typer and the workbench's own modules costs more than a
second on every run; outside scripts drive `queue`, `claim` and `dispose` hundreds of
times a day.  So the first run starts a server in the background (`workbench.cli.server`)
that has imported everything once, and later runs pass it their arguments, environment,
working directory and standard streams over a Unix socket; it forks a child per command,
which runs exactly what this process would have run, writing to this process's own
terminal or pipes.  The exit status comes back here.

Only the standard library is imported here: this module is what every run pays for.
The server is per user and per installed code (the socket's name is a hash of the
interpreter and every source file's size and modification time), so an upgrade or an
edit is never served by old code.  `WORKBENCH_SERVER=off` runs every command in-process;
`ui` always runs in-process (a full-screen app needs the terminal's resize signals).
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import struct
import sys
from pathlib import Path

ENV_SWITCH = "WORKBENCH_SERVER"
ENV_IDLE = "WORKBENCH_SERVER_IDLE"
DEFAULT_IDLE_SECONDS = 900
ROOT_OPTIONS_WITH_VALUE = ("--db", "--config")
IN_PROCESS_COMMANDS = frozenset({"ui", "server", "supervisor"})
HEADER = struct.Struct("!I")
PACKAGE = Path(__file__).resolve().parent.parent


def enabled(environ: dict[str, str] | os._Environ[str]) -> bool:
    value = environ.get(ENV_SWITCH, "auto").strip().lower()
    return value not in ("off", "0", "no", "false") and hasattr(socket, "send_fds")


def command_of(argv: list[str]) -> str | None:
    """The command word after the root options (`--db URL`, `--config FILE`), or None."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ROOT_OPTIONS_WITH_VALUE:
            i += 2
            continue
        if arg.startswith(tuple(f"{o}=" for o in ROOT_OPTIONS_WITH_VALUE)):
            i += 1
            continue
        return arg
    return None


def served(argv: list[str]) -> bool:
    """Whether this command line goes to the server (a bare `workbench` opens the UI)."""
    command = command_of(argv)
    return command is not None and command not in IN_PROCESS_COMMANDS


def code_key() -> str:
    """A hash of the interpreter, the import path and every workbench source file's stat."""
    digest = hashlib.sha256()
    digest.update(f"{sys.executable}\0{sys.version}\0{os.environ.get('PYTHONPATH', '')}".encode())
    digest.update(f"\0{os.getuid()}\0{PACKAGE}".encode())
    stack = [str(PACKAGE)]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif entry.name.endswith((".py", ".tcss", ".toml")):
                    st = entry.stat()
                    digest.update(f"\0{entry.path}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


def runtime_dir() -> Path:
    """A folder only this user can enter: `$XDG_RUNTIME_DIR/workbench` or a private /tmp one."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    folder = Path(base) / "workbench" if base else Path(f"/tmp/workbench-{os.getuid()}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    st = folder.stat()
    if st.st_uid != os.getuid() or st.st_mode & 0o077:
        raise PermissionError(f"{folder} is not private to this user")
    return folder


def socket_path(key: str) -> Path:
    return runtime_dir() / f"{key}.sock"


def send_message(
    sock: socket.socket, payload: dict[str, object], fds: list[int] | None = None
) -> None:
    body = json.dumps(payload).encode()
    header = HEADER.pack(len(body))
    if fds:
        socket.send_fds(sock, [header], fds)
    else:
        sock.sendall(header)
    sock.sendall(body)


def read_exact(sock: socket.socket, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = sock.recv(size - got)
        if not chunk:
            raise ConnectionError("the other end closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read_message(sock: socket.socket) -> dict[str, object]:
    (size,) = HEADER.unpack(read_exact(sock, HEADER.size))
    return json.loads(read_exact(sock, size))  # type: ignore[no-any-return]


def _stream_format(stream: object) -> dict[str, object]:
    return {
        "encoding": getattr(stream, "encoding", None) or "utf-8",
        "errors": getattr(stream, "errors", None) or "strict",
        "line_buffering": bool(getattr(stream, "line_buffering", False)),
    }


def _forward_signals(pid: int) -> None:
    def forward(signum: int, _frame: object) -> None:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)


def run_on_server(path: Path, key: str, argv: list[str]) -> int | None:
    """The command's exit status from the server, or None when no server took it."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    try:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(str(path))
    except OSError:
        return None
    with sock:
        try:
            send_message(
                sock,
                {
                    "key": key, "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                    "umask": _umask(), "stdin": _stream_format(sys.stdin),
                    "stdout": _stream_format(sys.stdout), "stderr": _stream_format(sys.stderr),
                },
                [0, 1, 2],
            )  # fmt: skip
            started = read_message(sock)
        except (OSError, ConnectionError, ValueError):
            return None  # nothing ran: run it here
        if "pid" not in started:
            return None
        _forward_signals(int(started["pid"]))  # type: ignore[call-overload]
        try:
            done = read_message(sock)
        except (OSError, ConnectionError, ValueError):
            print("error: the workbench server stopped during the command", file=sys.stderr)
            return 1
    return int(done.get("status", 1))  # type: ignore[call-overload]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def start_server(path: Path, key: str) -> None:
    """Start a detached server for the next runs; this run goes on in-process meanwhile."""
    import subprocess

    idle = os.environ.get(ENV_IDLE, str(DEFAULT_IDLE_SECONDS))
    try:
        subprocess.Popen(
            [sys.executable, "-m", "workbench.cli.server", str(path), key, idle],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True, cwd=os.getcwd(),
        )  # fmt: skip
    except OSError:
        pass  # no server: every run stays in-process, as with WORKBENCH_SERVER=off


def try_server(argv: list[str]) -> int | None:
    """Run `argv` on the server if one is up (starting one when none is); None: run it here."""
    if not enabled(os.environ) or not served(argv):
        return None
    try:
        key = code_key()
        path = socket_path(key)
    except OSError:
        return None
    status = run_on_server(path, key, argv)
    if status is None:
        start_server(path, key)
    return status


def ask(path: Path, op: str) -> dict[str, object] | None:
    """A running server's answer to `status` or `stop`; None when nothing listens there."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5.0)
            sock.connect(str(path))
            send_message(sock, {"op": op})
            return read_message(sock)
    except (OSError, ConnectionError, ValueError):
        return None


def running_servers() -> list[dict[str, object]]:
    """Every server of this user that answers, this code's marked `current`."""
    current = socket_path(code_key())
    found = []
    for path in sorted(runtime_dir().glob("*.sock")):
        answer = ask(path, "status")
        if answer is not None:
            found.append({**answer, "current": path == current})
    return found
