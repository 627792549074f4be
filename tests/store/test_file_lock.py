"""The SQLite lock files lock on every platform: flock, msvcrt where fcntl is missing, a marker file
where neither is.  The fallbacks run here by making `import fcntl` (and `import msvcrt`) fail."""

from __future__ import annotations

import builtins
import importlib
import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.store import file_lock
from workbench.store.engine import make_engine
from workbench.store.locks import named_lock

REAL_IMPORT = builtins.__import__


def _without(*names: str) -> Any:
    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name in names:
            raise ImportError(f"No module named {name!r}")
        return REAL_IMPORT(name, *args, **kwargs)

    return fake_import


@pytest.fixture
def reloaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Reload `file_lock` with some imports failing; the real one is back after the test."""

    def reload(*missing: str, fake: dict[str, types.ModuleType] | None = None) -> Any:
        monkeypatch.setattr(builtins, "__import__", _without(*missing))
        for name, module in (fake or {}).items():
            monkeypatch.setitem(sys.modules, name, module)
        module = importlib.reload(file_lock)
        monkeypatch.setattr(builtins, "__import__", REAL_IMPORT)
        return module

    yield reload
    monkeypatch.undo()
    importlib.reload(file_lock)
    assert file_lock.MECHANISM == "flock"


def _open(path: Path) -> Any:
    return open(path, "a+b")


def _exclusive(module: Any, path: Path) -> None:
    """Two handles on one lock file (as two processes have): one holder at a time."""
    with _open(path) as first, _open(path) as second:
        assert module.try_lock(first) is True
        assert module.try_lock(second) is False
        module.unlock(first)
        assert module.try_lock(second) is True
        assert module.try_lock(first) is False
        module.unlock(second)
        module.lock(first)  # free again: taken without waiting
        module.unlock(first)


def test_flock_is_used_where_fcntl_exists(tmp_path: Path) -> None:
    assert file_lock.MECHANISM == "flock"
    _exclusive(file_lock, tmp_path / "x.lock")


def test_without_fcntl_or_msvcrt_a_marker_file_is_the_lock(reloaded: Any, tmp_path: Path) -> None:
    module = reloaded("fcntl", "msvcrt")
    assert module.MECHANISM == "marker"
    path = tmp_path / "x.lock"
    _exclusive(module, path)
    assert not Path(f"{path}.held").exists()  # given back: no marker left


def test_a_marker_left_by_a_dead_process_is_taken_over(reloaded: Any, tmp_path: Path) -> None:
    module = reloaded("fcntl", "msvcrt")
    path = tmp_path / "x.lock"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    Path(f"{path}.held").write_text(gone.stdout.strip())
    with _open(path) as fh:
        assert module.try_lock(fh) is True
        assert Path(f"{path}.held").read_text() == str(os.getpid())
        module.unlock(fh)


def test_a_marker_of_a_live_process_is_respected(reloaded: Any, tmp_path: Path) -> None:
    module = reloaded("fcntl", "msvcrt")
    path = tmp_path / "x.lock"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        Path(f"{path}.held").write_text(str(holder.pid))
        with _open(path) as fh:
            assert module.try_lock(fh) is False
    finally:
        holder.kill()
        holder.wait()


def test_named_locks_exclude_each_other_through_the_marker(reloaded: Any, tmp_path: Path) -> None:
    reloaded("fcntl", "msvcrt")
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with named_lock(engine, "scoring", timeout=None) as held:
        assert held is True
        with named_lock(engine, "scoring", timeout=None) as second:
            assert second is False  # another holder has it: the block must not do the work
    with named_lock(engine, "scoring", timeout=None) as again:
        assert again is True
    engine.dispose()


class _FakeMsvcrt(types.ModuleType):
    """`msvcrt.locking` as Windows does it: byte ranges of a file, locked per handle."""

    LK_NBLCK, LK_UNLCK = 2, 0

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.held: dict[tuple[int, int, int], int] = {}  # (device, inode, offset) → fd

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        st = os.fstat(fd)
        key = (st.st_dev, st.st_ino, os.lseek(fd, 0, os.SEEK_CUR))
        assert nbytes == 1 and key[2] == 0  # the first byte, as the module promises
        if mode == self.LK_NBLCK:
            if key in self.held:
                raise PermissionError(13, "Permission denied")
            self.held[key] = fd
        elif mode == self.LK_UNLCK:
            assert self.held.pop(key) == fd


def test_without_fcntl_msvcrt_locks_the_first_byte(reloaded: Any, tmp_path: Path) -> None:
    fake = _FakeMsvcrt()
    module = reloaded("fcntl", fake={"msvcrt": fake})
    assert module.MECHANISM == "msvcrt"
    _exclusive(module, tmp_path / "x.lock")
    assert fake.held == {}
