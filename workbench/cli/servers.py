"""`workbench server status|stop`: the warm command server that makes each command start fast."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from workbench.cli.context import JsonOption, emit_json

app = typer.Typer(
    help="The command server: status and stop (WORKBENCH_SERVER=off runs every command in-process).",
    no_args_is_help=True,
)

TEXT = {
    "ja": {
        "none": "コマンドサーバーは動いていません",
        "row": "pid {pid}  起動 {started}  実行 {served} 件  {current}",
        "current": "（このコード）",
        "old": "（古いコード: 待機 {idle:.0f} 秒で終了）",
        "stopped": "{n} 台のコマンドサーバーを止めました",
    },
    "en": {
        "none": "no command server is running",
        "row": "pid {pid}  started {started}  served {served}  {current}",
        "current": "(this code)",
        "old": "(older code: exits after {idle:.0f}s idle)",
        "stopped": "stopped {n} command server(s)",
    },
}


def _text() -> dict[str, str]:
    from workbench.config import load_settings

    try:
        language = load_settings(None).language
    except Exception:  # noqa: BLE001 - a broken configuration is reported by the commands that use it
        language = "ja"
    return TEXT["en" if language == "en" else "ja"]


@app.command("status")
def status(as_json: JsonOption = False) -> None:
    """動いているコマンドサーバー / the running command servers (pid, started, commands served)."""
    from workbench.cli.served import running_servers

    servers = running_servers()
    if as_json:
        for server in servers:
            emit_json(server)
        return
    t = _text()
    if not servers:
        typer.echo(t["none"])
    for server in servers:
        started = datetime.fromtimestamp(float(server["started"]), UTC).astimezone()  # type: ignore[arg-type]
        note = t["current"] if server["current"] else t["old"].format(idle=server["idle_seconds"])
        typer.echo(t["row"].format(pid=server["pid"], started=started.isoformat(timespec="seconds"),
                                   served=server["served"], current=note))  # fmt: skip


@app.command("stop")
def stop() -> None:
    """コマンドサーバーを止める / stop every command server of this user (commands in progress
    finish; the next command starts a new one)."""
    from workbench.cli.served import ask, running_servers

    stopped = 0
    for server in running_servers():
        if ask(Path(str(server["socket"])), "stop") is not None:
            stopped += 1
    typer.echo(_text()["stopped"].format(n=stopped))
