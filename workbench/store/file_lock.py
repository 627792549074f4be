"""Exclusive OS locks on the lock files beside a SQLite database, on every platform.

The one module that imports `fcntl`: SQLite's writer turns (`engine.writer_turn`) and the
named locks (`locks.named_lock`) both lock through it.  Where `fcntl` is missing
(Windows) `msvcrt.locking` locks the file's first byte; where neither exists, a marker
file created with O_EXCL beside the lock file stands for the lock.

`flock` and `msvcrt` locks die with their holder's descriptor, so a crashed process never
leaves one behind.  The marker holds its owner's process id, and a marker whose owner is
gone is taken over; two processes taking over the same dead marker at the same instant may
both succeed, which is why the marker is only the last resort.
"""

from __future__ import annotations

import os
import time
from typing import IO, Any

POLL_SECONDS = 0.01  # how often a waiting lock without a blocking call looks again


def _platform() -> tuple[str, Any]:
    """Which locking this platform has: `flock`, `msvcrt` or `marker`, and its module."""
    try:
        import fcntl

        return "flock", fcntl
    except ImportError:  # Windows
        pass
    try:
        import msvcrt

        return "msvcrt", msvcrt
    except ImportError:
        return "marker", None


MECHANISM, _OS = _platform()


def try_lock(fh: IO[bytes]) -> bool:
    """Take the exclusive lock on the open lock file `fh` if it is free; True when taken."""
    if MECHANISM == "flock":
        try:
            _OS.flock(fh.fileno(), _OS.LOCK_EX | _OS.LOCK_NB)
        except BlockingIOError:
            return False
        return True
    if MECHANISM == "msvcrt":
        fh.seek(0)  # msvcrt locks bytes from the current position: always the first one
        try:
            _OS.locking(fh.fileno(), _OS.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    return _take_marker(_marker(fh))


def lock(fh: IO[bytes]) -> None:
    """Wait for the exclusive lock on `fh` and take it."""
    if MECHANISM == "flock":
        _OS.flock(fh.fileno(), _OS.LOCK_EX)  # the kernel queues the waiters
        return
    while not try_lock(fh):
        time.sleep(POLL_SECONDS)


def unlock(fh: IO[bytes]) -> None:
    """Give back the lock on `fh` (taken by `lock` or `try_lock`)."""
    if MECHANISM == "flock":
        _OS.flock(fh.fileno(), _OS.LOCK_UN)
    elif MECHANISM == "msvcrt":
        fh.seek(0)
        _OS.locking(fh.fileno(), _OS.LK_UNLCK, 1)
    else:
        _remove(_marker(fh))


def _marker(fh: IO[bytes]) -> str:
    return f"{fh.name}.held"


def _take_marker(path: str) -> bool:
    for _ in range(2):  # the second time after clearing a dead holder's marker
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            if _holder_alive(path):
                return False
            _remove(path)
            continue
        with os.fdopen(fd, "w") as marker:
            marker.write(str(os.getpid()))
        return True
    return False


def _holder_alive(path: str) -> bool:
    try:
        with open(path) as marker:
            pid = int(marker.read() or 0)
    except FileNotFoundError:
        return False  # given back meanwhile
    except ValueError:
        return True  # being written by its new holder
    if pid <= 0 or os.name == "nt":
        return True  # created, its holder not yet written (and on Windows kill() would kill)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
