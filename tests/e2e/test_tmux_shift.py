"""The real `workbench` command in a real terminal (tmux): one call from claim to disposition.

The clock is fixed with WORKBENCH_NOW so the queue is the same on every run.  With
UPDATE_SCREEN_CAPTURES=1 the test also writes the text captures in docs/screens/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from workbench.config import load_settings
from workbench.services.demo import load_demo
from workbench.store.database import open_database
from workbench.store.models import ContactAttempt, Lease

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux"),
]

NOW = "2026-11-25T10:30:00+09:00"
EVENING = "2026-11-25T21:30:00+09:00"
WIDTH, HEIGHT = 120, 40
SCREENS = Path(__file__).resolve().parents[2] / "docs" / "screens"
UPDATE = os.environ.get("UPDATE_SCREEN_CAPTURES") == "1"


def workbench_command() -> str:
    script = Path(sys.executable).with_name("workbench")
    if not script.is_file():
        pytest.skip(f"the console script is not installed next to {sys.executable}")
    return str(script)


class Terminal:
    """One tmux server of our own (-L), so its environment is exactly ours."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.socket, *args], env=self.env, capture_output=True,
                              text=True, check=check, timeout=30)  # fmt: skip

    def start(self, command: str, width: int = WIDTH, height: int = HEIGHT) -> None:
        self.tmux("new-session", "-d", "-s", "wb", "-x", str(width), "-y", str(height), command)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "wb", key)
            time.sleep(0.15)

    def screen(self) -> str:
        out = self.tmux("capture-pane", "-p", "-t", "wb", check=False).stdout
        return "\n".join(line.rstrip() for line in out.splitlines()).rstrip() + "\n"

    def wait_for(self, *texts: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(text in screen for text in texts):
                time.sleep(0.3)  # let the frame finish drawing
                return self.screen()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"waited {timeout}s for {texts!r}; the screen shows:\n{screen}"
                )
            time.sleep(0.1)

    def wait_until_gone(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while self.tmux("has-session", "-t", "wb", check=False).returncode == 0:
            if time.monotonic() > deadline:
                raise AssertionError(f"the app did not quit; the screen shows:\n{self.screen()}")
            time.sleep(0.1)

    def kill(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = open_database(url)
    load_demo(engine, load_settings(path=None, env={}), customers=300, seed=7, today=date(2026, 11, 25),
              announce=lambda _m: None)  # fmt: skip
    engine.dispose()
    return url


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "TMUX"))}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8", HOME=str(tmp_path))
    term = Terminal(f"wb-test-{os.getpid()}-{uuid.uuid4().hex[:8]}", env)
    yield term
    term.kill()


def run(
    terminal: Terminal, url: str, now: str, *args: str, size: tuple[int, int] = (WIDTH, HEIGHT)
) -> None:
    # tmux runs the command with /bin/sh; the values here contain no quotes.
    command = f"env WORKBENCH_NOW={now} {workbench_command()} --db '{url}' {' '.join(args)}"
    terminal.start(command, *size)


def capture(name: str, screen: str) -> None:
    if UPDATE:
        SCREENS.mkdir(parents=True, exist_ok=True)
        (SCREENS / f"{name}.txt").write_text(screen, encoding="utf-8")


def test_one_call_from_claim_to_disposition(terminal: Terminal, demo_url: str) -> None:
    run(terminal, demo_url, NOW, "ui", "--operator", "op01")
    capture("queue", terminal.wait_for("本日 架電 0", "桜運輸株式会社", "次のお客様"))

    terminal.keys("?")
    capture("help", terminal.wait_for("キー操作", "通話画面"))
    terminal.keys("Escape")
    terminal.wait_for("本日 架電 0")

    terminal.keys("n")
    capture("call", terminal.wait_for("C0000022", "未発信", "分岐（数字キー）"))
    terminal.keys("c")
    terminal.wait_for("番号をコピーしました")
    terminal.keys("1")
    capture(
        "call-dialled", terminal.wait_for("発信 10:30", "番号をコピーしました", "›")
    )  # dialled, one branch on

    terminal.keys("d")
    capture("disposition", terminal.wait_for("通話結果", "連絡先変更"))
    terminal.keys("1", "Enter")
    next_call = terminal.wait_for("未発信", "分岐（数字キー）")
    assert "C0000022" not in next_call.splitlines()[1]  # the next customer is on screen

    terminal.keys("C-q")
    terminal.wait_until_gone()

    engine = open_database(demo_url)
    attempts = ContactAttempt.__table__
    with engine.connect() as conn:
        rows = conn.execute(select(attempts).where(attempts.c.source == "ui")).mappings().all()
        leases = conn.execute(select(Lease.__table__)).all()
    engine.dispose()
    assert len(rows) == 1
    row = rows[0]
    assert (row["operator"], row["outcome"], row["source"]) == ("op01", "no_answer", "ui")
    assert row["script_id"] and row["started_at"] is not None and row["ended_at"] is not None
    assert leases == []  # quitting mid-call gave the second customer back


def test_login_prompt_lists_the_operators(terminal: Terminal, demo_url: str) -> None:
    run(terminal, demo_url, NOW)
    capture("login", terminal.wait_for("オペレーターを選んでください", "op08"))
    terminal.keys("Down", "Enter")
    terminal.wait_for("op02 鈴木 一郎", "本日 架電 0")
    terminal.keys("q")
    terminal.wait_until_gone()


def test_empty_queue_says_why(terminal: Terminal, demo_url: str) -> None:
    run(terminal, demo_url, EVENING, "ui", "--operator", "op01")
    capture(
        "empty-queue",
        terminal.wait_for("今すぐ架電できるお客様はいません", "次に架電可能になる時刻"),
    )
    terminal.keys("q")
    terminal.wait_until_gone()


def test_footer_labels_are_whole_at_80x24(terminal: Terminal, demo_url: str) -> None:
    run(terminal, demo_url, NOW, "ui", "--operator", "op01", size=(80, 24))
    screens = {"queue": terminal.wait_for("本日 架電 0", "次のお客様")}
    terminal.keys("n")
    screens["call"] = terminal.wait_for("未発信", "分岐（数字キー）")
    terminal.keys("d")
    screens["form"] = terminal.wait_for("通話結果", "連絡先変更")
    labels = {
        "queue": ("n 次のお客様", "r 更新", "w 理由", "q 終了", "? ヘルプ"),
        "call": ("c 発信", "e 終話", "d 結果入力", "x 返却", "1-9 分岐", "? ヘルプ"),
        "form": ("保存して次へ", "^s 保存して休止", "esc 戻る", "0-9 - 結果"),
    }
    for name, screen in screens.items():
        lines = screen.rstrip("\n").splitlines()
        footer = next((line for line in lines if "保存して次へ" in line), lines[-1])
        for label in labels[name]:
            assert label in footer, (name, footer)
        if name != "form":  # the modal form has its own footer inside the dialog
            assert footer.rstrip().endswith("^p コマンド"), (name, footer)
    terminal.keys("Escape", "C-q")
    terminal.wait_until_gone()
