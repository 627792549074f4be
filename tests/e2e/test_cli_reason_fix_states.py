"""Every face gives a churned complainer one state: `customers`, `customers show` and
`queue --json` all say dormant once the complaint's reason is marked fixed, and churned
without the fix; a refusal keeps the customer churned and out of the queue for good.

Through the console command.  ANGRY and REFUSED bought in September 2025 and January 2026
and complained about the quality in February; REFUSED then refused any further call.
CALM bought as well and was never called (dormant by the calendar, the queue's control).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AT = "2026-11-24T10:00:00+09:00"


def run(url: str, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env["WORKBENCH_SERVER"] = "off"
    done = subprocess.run(
        [sys.executable, "-c", "from workbench.cli import main; main()", "--db", url,
         "--config", str(config), *args],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    config = tmp_path / "workbench.toml"
    # No control group: a random share held back would be a permanent block of its own.
    config.write_text('language = "ja"\n[kpi]\ncontrol_share = 0\n', encoding="utf-8")
    people = ["customer_id,name,kind,phone"]
    orders = ["customer_id,ordered_at,amount,category"]
    for i, cid in enumerate(("ANGRY", "REFUSED", "CALM")):
        people.append(f"{cid},顧客 {i},b2c,090-3200-{i:04d}")
        orders += [f"{cid},2025-09-01T12:00+09:00,8000,beverages",
                   f"{cid},2026-01-15T12:00+09:00,8000,beverages"]  # fmt: skip
    calls = [
        "customer_id,channel,direction,at,outcome,operator,reason",
        "ANGRY,call,outbound,2026-02-10T11:00+09:00,complaint,op9,quality_dissatisfaction",
        "REFUSED,call,outbound,2026-02-10T11:00+09:00,complaint,op9,quality_dissatisfaction",
        "REFUSED,call,outbound,2026-02-12T11:00+09:00,not_interested,op9,",
    ]
    for kind, lines in (("customers", people), ("transactions", orders), ("contacts", calls)):
        path = tmp_path / f"{kind}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        run(url, config, "import", kind, str(path))
    run(url, config, "operators", "add", "lead", "--role", "supervisor")
    return url, config


def _states(url: str, config: Path) -> dict[str, dict[str, str | None]]:
    """Each customer's state in the listing, in `customers show` and in the queue (None: absent)."""
    listed = {
        row["customer_id"]: row["state"]
        for row in map(json.loads, run(url, config, "customers", "--json", "--at", AT).stdout.splitlines())
    }  # fmt: skip
    queued = {
        row["customer_id"]: row["state"]
        for row in map(json.loads, run(url, config, "queue", "--json", "--at", AT, "--limit", "50").stdout.splitlines())
    }  # fmt: skip
    out: dict[str, dict[str, str | None]] = {}
    for cid in ("ANGRY", "REFUSED", "CALM"):
        shown = json.loads(run(url, config, "customers", "show", cid, "--json", "--at", AT).stdout)
        out[cid] = {"list": listed[cid], "show": shown["state"], "queue": queued.get(cid)}
    return out


def test_the_listing_the_card_and_the_queue_agree_on_a_fixed_complaint(
    db: tuple[str, Path],
) -> None:
    url, config = db
    before = _states(url, config)
    assert before["ANGRY"] == {"list": "churned", "show": "churned", "queue": None}
    assert before["REFUSED"] == {"list": "churned", "show": "churned", "queue": None}
    assert before["CALM"] == {"list": "dormant", "show": "dormant", "queue": "dormant"}

    run(url, config, "reasons", "fix", "quality_dissatisfaction", "--on", "2026-11-20",
        "--by", "lead", "--at", "2026-11-18T17:00:00+09:00")  # fmt: skip
    after = _states(url, config)
    assert after["ANGRY"] == {"list": "dormant", "show": "dormant", "queue": "dormant"}
    # 特定商取引法 Art. 17: a refusal stays a refusal, whatever was fixed since.
    assert after["REFUSED"] == {"list": "churned", "show": "churned", "queue": None}
    assert after["CALM"] == before["CALM"]
    dormant = run(url, config, "customers", "--state", "dormant", "--json", "--at", AT).stdout
    assert sorted(json.loads(line)["customer_id"] for line in dormant.splitlines()) == [
        "ANGRY",
        "CALM",
    ]

    # A look at the past does not see the fix: before its day, ANGRY is churned on every face.
    past = "2026-11-19T10:00:00+09:00"
    shown = json.loads(
        run(url, config, "customers", "show", "ANGRY", "--json", "--at", past).stdout
    )
    assert shown["state"] == "churned"
