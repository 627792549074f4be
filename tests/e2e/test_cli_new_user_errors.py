"""What a new user hit on the command line (issue #11): each reproduced through the entry point.

Every input error is one `error: …` line naming the option, file, line or key, exit 2, no
traceback and no boxed typer message; nothing the user gave is lost or misread.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE = [sys.executable, "-c", "from workbench.cli import main; main()"]
ROOT = Path(__file__).resolve().parents[2]
AT = "2026-12-01T11:00+09:00"  # a Tuesday morning, inside the default calling window


def workbench(*args: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["WORKBENCH_TALKSCRIPTS_DIR"] = str(ROOT / "talkscripts")
    return subprocess.run(
        [*BASE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )  # type: ignore[call-overload]


def one_line_error(out: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The single `error:` line of a refused command, checked for every needle."""
    assert out.returncode == 2, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and "╭" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert lines[0].startswith("error: "), out.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    path = folder / "demo.db"
    out = workbench("--db", f"sqlite:///{path}", "demo", "--customers", "80", cwd=folder)
    assert out.returncode == 0, out.stderr
    return path


@pytest.fixture
def db(demo_db: Path, tmp_path: Path) -> str:
    """A fresh copy of the demo database for one test, as a --db URL."""
    copy = tmp_path / "work.db"
    shutil.copy(demo_db, copy)
    return f"sqlite:///{copy}"


def callable_customer(db: str, cwd: Path) -> str:
    out = workbench("--db", db, "queue", "--at", AT, "--limit", "1", "--json", cwd=cwd)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[0])["customer_id"]


def purchases(db: str, customer: str, cwd: Path) -> list[dict[str, object]]:
    out = workbench("--db", db, "customers", "show", customer, "--json", cwd=cwd)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["purchases"]


# --------------------------------------------------------------------------- --amount


@pytest.mark.parametrize("amount", ["¥3,500", "￥３，５００", "3500円", "3,500"])
def test_dispose_amount_takes_the_yen_formats_of_an_import(
    amount: str, db: str, tmp_path: Path
) -> None:
    customer = callable_customer(db, tmp_path)
    before = purchases(db, customer, tmp_path)
    out = workbench(
        "--db", db, "dispose", customer, "--outcome", "reactivated", "--amount", amount,
        "--at", AT, "--operator", "op01", cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    new = [p for p in purchases(db, customer, tmp_path) if p not in before]
    assert [(p["amount"], p["source"]) for p in new] == [(3500, "call")]


@pytest.mark.parametrize("amount", ["3.5", "abc", "¥"])
def test_a_bad_amount_is_one_line_naming_the_option(amount: str, db: str, tmp_path: Path) -> None:
    customer = callable_customer(db, tmp_path)
    out = workbench(
        "--db", db, "dispose", customer, "--outcome", "reactivated", "--amount", amount,
        "--at", AT, cwd=tmp_path,
    )  # fmt: skip
    one_line_error(out, "--amount", repr(amount), "12800")


# --------------------------------------------------------------------------- --callback-at


def test_a_bad_callback_time_names_callback_at_and_the_formats(db: str, tmp_path: Path) -> None:
    customer = callable_customer(db, tmp_path)
    out = workbench(
        "--db", db, "dispose", customer, "--outcome", "callback", "--callback-at", "tomorrow 3pm",
        "--at", AT, cwd=tmp_path,
    )  # fmt: skip
    line = one_line_error(out, "'tomorrow 3pm'", "ISO 8601", "2025/01/05 15:00", "Asia/Tokyo")
    assert line.startswith("error: --callback-at: ")


def test_a_callback_before_the_call_names_callback_at(db: str, tmp_path: Path) -> None:
    customer = callable_customer(db, tmp_path)
    out = workbench(
        "--db", db, "dispose", customer, "--outcome", "callback",
        "--callback-at", "2026-12-01T10:00+09:00", "--at", AT, cwd=tmp_path,
    )  # fmt: skip
    line = one_line_error(out, "かけ直しの日時は通話より後にしてください")
    assert line.startswith("error: --callback-at: ")


def test_a_bad_at_still_names_at(db: str, tmp_path: Path) -> None:
    out = workbench("--db", db, "queue", "--at", "yesterday", cwd=tmp_path)
    assert one_line_error(out, "'yesterday'", "ISO 8601").startswith("error: --at: ")


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize(
    "toml, says",
    [
        (
            'company_name = "X"\n[lifecycle]\ndormant_dayz = 3\n',
            ["bad.toml:3:", "'lifecycle.dormant_dayz' という設定はありません", "dormant_days_b2c"],
        ),
        (
            '[lifecycle]\n# the default is 180\ndormant_days_b2c = "abc"\n',
            ["bad.toml:3:", "'lifecycle.dormant_days_b2c'", "整数を指定してください"],
        ),
        (
            '[calling]\nwindows = { mon = "9-20" }\n',
            ["bad.toml:2:", "'calling.windows.mon'", "HH:MM-HH:MM"],
        ),
    ],
)
def test_a_bad_configuration_key_names_file_line_and_key(
    toml: str, says: list[str], db: str, tmp_path: Path
) -> None:
    (tmp_path / "bad.toml").write_text(toml, encoding="utf-8")
    out = workbench("--db", db, "--config", "bad.toml", "customers", "--limit", "1", cwd=tmp_path)
    line = one_line_error(out, *says)
    assert "--state" not in line


def test_a_configuration_folder_is_called_a_directory(db: str, tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    out = workbench("--db", db, "--config", "conf", "customers", cwd=tmp_path)
    one_line_error(out, "conf", "フォルダーです")


# --------------------------------------------------------------------------- --limit


@pytest.mark.parametrize("command", [["customers"], ["queue", "--at", AT]])
def test_a_negative_limit_is_refused(command: list[str], db: str, tmp_path: Path) -> None:
    out = workbench("--db", db, *command, "--limit", "-1", "--json", cwd=tmp_path)
    one_line_error(out, "--limit", "-1")
    assert out.stdout == ""


def test_customers_limit_zero_means_all_as_the_help_says(db: str, tmp_path: Path) -> None:
    help_text = workbench("customers", "--help", cwd=tmp_path).stdout
    assert "0 or not given: all" in " ".join(help_text.split())
    every = workbench("--db", db, "customers", "--json", cwd=tmp_path)
    zero = workbench("--db", db, "customers", "--limit", "0", "--json", cwd=tmp_path)
    two = workbench("--db", db, "customers", "--limit", "2", "--json", cwd=tmp_path)
    assert len(every.stdout.splitlines()) > 2
    assert zero.stdout == every.stdout
    assert two.stdout.splitlines() == every.stdout.splitlines()[:2]


# --------------------------------------------------------------------------- directories


@pytest.mark.parametrize(
    "args, says",
    [
        (["import", "customers", "DIR"], "CSV ファイルではありません"),
        (["import", "transactions", "DIR"], "CSV ファイルではありません"),
        (["dispose", "--file", "DIR"], "CSV ファイルではありません"),
        (
            ["import", "customers", "c.csv", "--mapping", "DIR"],
            "列対応の TOML ファイルではありません",
        ),
        (["import", "customers", "c.csv", "--rejects", "DIR"], "--rejects"),
    ],
)
def test_a_directory_for_a_file_says_directory(
    args: list[str], says: str, db: str, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (tmp_path / "c.csv").write_text(
        "customer_id,name,kind,phone\nN1,新規,b2c,x\n", encoding="utf-8"
    )
    out = workbench("--db", db, *[str(folder) if a == "DIR" else a for a in args], cwd=tmp_path)
    line = one_line_error(out, str(folder), "フォルダーです", says)
    assert "見つかりません" not in line


# --------------------------------------------------------------------------- dispose --file

HEADER = "customer_id,at,channel,direction,outcome,operator,script,reason,amount,callback_at,note\n"


def test_batch_problems_are_one_per_line_with_file_line_and_field(db: str, tmp_path: Path) -> None:
    customer = callable_customer(db, tmp_path)
    batch = tmp_path / "batch.csv"
    batch.write_text(
        HEADER
        + f"{customer},{AT},call,outbound,no_answer,op01,,,,,\n"
        + f"{customer},2026-13-01,call,outbound,no_answer,op01,,,,,\n"
        + f"{customer},{AT},call,outbound,nonsense,op01,,,,,\n"
        + f"{customer},{AT},call,outbound,reactivated,op01,,,1.5,,\n",
        encoding="utf-8",
    )
    out = workbench("--db", db, "dispose", "--file", str(batch), cwd=tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {batch} からは何も記録していません")
    assert lines[1:] == [
        f"{batch}:3: at: 日時は 2024-01-05T10:00+09:00 のように指定してください（値: '2026-13-01'）",
        lines[2],
        lines[3],
    ]
    assert lines[2].startswith(
        f"{batch}:4: outcome: 'nonsense' は outbound の call の結果コードではありません"
    )
    assert lines[3].startswith(f"{batch}:5: amount: ")

    # Rows the rules refuse (after reading) are listed the same way, and nothing is recorded.
    batch.write_text(
        HEADER
        + "NOPE,2026-12-01T11:00+09:00,call,outbound,no_answer,op01,,,,,\n"
        + f"{customer},{AT},call,outbound,callback,op01,,,,,\n",
        encoding="utf-8",
    )
    out = workbench("--db", db, "dispose", "--file", str(batch), cwd=tmp_path)
    assert out.stderr.strip().splitlines()[1:] == [
        f"{batch}:2: customer_id: 顧客 ID 'NOPE' が見つかりません",
        f"{batch}:3: callback_at: かけ直し（callback）には、お約束した日時が必要です",
    ]
    assert callable_customer(db, tmp_path) == customer  # no attempt was recorded


# --------------------------------------------------------------------------- scripts


def test_scripts_render_demo_speaks_the_configured_company(tmp_path: Path) -> None:
    (tmp_path / "workbench.toml").write_text('company_name = "テスト物産株式会社"\n', "utf-8")
    for language in ("ja", "en"):
        out = workbench(
            "scripts", "render", "price_return_offer", "--demo", "b2b", "--language", language,
            cwd=tmp_path,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "テスト物産株式会社" in out.stdout
        assert "みどり食品" not in out.stdout and "Green Table Foods" not in out.stdout


# --------------------------------------------------------------------------- read-only database

NOBODY = 65534


def reader(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`workbench` as a user who may not write what is read-only (root ignores file modes,
    so a root test process runs the command as nobody)."""
    if os.geteuid() != 0:
        return workbench(*args, cwd=cwd)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return subprocess.run(
        [*drop, *BASE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def shared_dir() -> Path:
    """A folder a dropped-privilege child can reach (pytest's tmp_path is root's alone)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="wb-readonly-", dir="/tmp"))
    folder.chmod(0o777)
    yield folder  # type: ignore[misc]
    for path in folder.rglob("*"):
        path.chmod(0o777 if path.is_dir() else 0o666)
    folder.chmod(0o777)
    shutil.rmtree(folder)


def _writes(customer: str, csv: Path, batch: Path) -> list[list[str]]:
    return [
        ["import", "customers", str(csv)],
        ["dispose", customer, "--outcome", "no_answer", "--at", AT, "--operator", "op01"],
        ["dispose", "--file", str(batch)],
        ["claim", "--operator", "op01", "--at", AT],
        ["rescore", "--at", AT],
    ]


@pytest.mark.parametrize("read_only", ["file", "folder"])
def test_every_write_to_a_read_only_database_is_one_line_and_writes_nothing(
    read_only: str, demo_db: Path, shared_dir: Path
) -> None:
    folder = shared_dir / "db"
    folder.mkdir()
    path = folder / "ro.db"
    shutil.copy(demo_db, path)
    url = f"sqlite:///{path}"
    customer = callable_customer(url, shared_dir)
    csv = shared_dir / "new.csv"
    csv.write_text("customer_id,name,kind,phone\nN1,新規,b2c,03-1234-5678\n", encoding="utf-8")
    batch = shared_dir / "batch.csv"
    batch.write_text(HEADER + f"{customer},{AT},call,outbound,no_answer,op01,,,,,\n", "utf-8")
    for extra in folder.iterdir():  # the WAL files the first reads left behind
        if extra != path:
            extra.unlink()
    before = path.read_bytes()
    if read_only == "file":
        path.chmod(0o444)
        folder.chmod(0o777)
    else:
        path.chmod(0o666)
        folder.chmod(0o555)
    try:
        for args in _writes(customer, csv, batch):
            out = reader("--db", url, *args, cwd=shared_dir)
            line = one_line_error(out, str(path), "read-only", "nothing was written")
            if read_only == "folder":
                assert f"its folder {folder} is read-only" in line
    finally:
        folder.chmod(0o777)
        path.chmod(0o666)
    assert path.read_bytes() == before
    assert not (shared_dir / "new.rejects.csv").exists()
    # Once writable again, the same write succeeds: the error was the file's mode, nothing else.
    out = workbench("--db", url, *_writes(customer, csv, batch)[1], cwd=shared_dir)
    assert out.returncode == 0, out.stderr


def test_scripts_history_is_per_language_file(db: str, tmp_path: Path) -> None:
    script = "price_return_offer"
    customer = callable_customer(db, tmp_path)
    (tmp_path / "en.toml").write_text('language = "en"\n', encoding="utf-8")
    out = workbench(
        "--db", db, "--config", "en.toml", "dispose", customer, "--outcome", "not_interested",
        "--script", script, "--at", AT, "--operator", "op01", cwd=tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr

    def history(*extra: str) -> list[dict[str, object]]:
        out = workbench("--db", db, "scripts", "history", script, "--json", *extra, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        return [json.loads(line) for line in out.stdout.splitlines()]

    ja, en = history(), history("--language", "en")
    assert [(r["language"], r["attempts"], r["current"]) for r in ja] == [("ja", 0, True)]
    assert [(r["language"], r["attempts"], r["current"]) for r in en] == [("en", 1, True)]
    assert ja[0]["version"] != en[0]["version"]
    table = workbench("--db", db, "scripts", "history", script, "--language", "en", cwd=tmp_path)
    assert f"{script} (en)" in table.stdout and "言語" in table.stdout


def test_a_database_url_naming_a_directory_says_directory(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()
    for args in (["customers"], ["db", "upgrade"]):
        out = workbench("--db", f"sqlite:///{tmp_path / 'db'}", *args, cwd=tmp_path)
        one_line_error(out, f"{tmp_path / 'db'} はフォルダーです", "workbench.db")


def test_scripts_check_of_a_missing_file_is_all_japanese(tmp_path: Path) -> None:
    out = workbench("scripts", "check", "nothere.md", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stdout.strip() == "nothere.md:0: io: ファイルを読めません: ファイルがありません"
