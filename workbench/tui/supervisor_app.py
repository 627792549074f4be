"""`workbench supervisor`: the supervisor's Textual app (one screen of tabs; the screen
brings its styles, `supervisor.tcss`).  `run_supervisor` is what the CLI calls; tests build the app with a
fixed `now`, so the period and every figure are the same on each run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from textual.app import App

from workbench.config import Settings, now_from_env
from workbench.services.supervisor import Period
from workbench.tui.screens.supervisor import SupervisorScreen
from workbench.tui.supervisor_i18n import SupervisorText

DEFAULT_WEEKS = 26  # the period without --since: half a year up to today


def supervisor_period(
    now: datetime, zone: ZoneInfo, since: date | None = None, weeks: int = DEFAULT_WEEKS
) -> Period:
    """From `since` (else `weeks` weeks before today) to the end of today, in `zone`."""
    today = now.astimezone(zone).date()
    start = since if since is not None else today - timedelta(weeks=weeks)
    return Period.of(start, today + timedelta(days=1), zone)


class SupervisorApp(App[None]):
    ENABLE_COMMAND_PALETTE = False  # its entries are English only; every action has a key

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        now: datetime | None = None,
        since: date | None = None,
        actor: str | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.tr = SupervisorText(settings.language, settings.category_labels())
        zone = ZoneInfo(settings.timezone)
        self.now = now
        self.period = supervisor_period(now or datetime.now(UTC), zone, since)
        self.actor = actor or settings.operator or None  # who the changes are recorded for

    def clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    def on_mount(self) -> None:
        self.title = self.tr("sv.title")
        self.push_screen(SupervisorScreen(self.engine, self.tr, self.period, self.settings,
                                          self.actor, self.clock))  # fmt: skip


def run_supervisor(
    engine: Engine, settings: Settings, since: date | None = None, actor: str | None = None
) -> None:
    """Open the supervisor screen; WORKBENCH_NOW fixes the clock (demos, end-to-end tests)."""
    SupervisorApp(engine, settings, now=now_from_env(settings), since=since, actor=actor).run()
