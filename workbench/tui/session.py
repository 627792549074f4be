"""What every screen needs, handed down from the App: database, settings, operator, clock.

Screens receive one `Session` (attributes down) instead of reaching into the App, so a
screen can be built in a test with a fixed clock and a seeded random source.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from workbench.config import Settings
from workbench.services.talk_choice import ScriptWatch
from workbench.tui.dialer import Dialer, dialer_from_env
from workbench.tui.i18n import Catalogue

# Seconds to wait before each retry of a disposition while the database is unreachable;
# the last value repeats until the save succeeds or the operator stops it.
RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)


@dataclass
class Session:
    engine: Engine
    settings: Settings
    operator: str | None
    clock: Callable[[], datetime]
    rng: random.Random
    dialer: Dialer
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    operator_name: str = ""
    scored: bool = False
    fixed_time: bool = False  # a fixed clock (tests, demos): no periodic refresh
    keymap: dict[str, str] = field(default_factory=dict)  # the operator's keys, by binding id
    tr: Catalogue = field(init=False)
    scripts: ScriptWatch = field(init=False)  # this UI's place in the script library's news

    def __post_init__(self) -> None:
        self.tr = Catalogue(self.settings.language, self.settings.category_labels())
        self.scripts = ScriptWatch(self.settings)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def now(self) -> datetime:
        return self.clock()

    def local(self, at: datetime, zone: ZoneInfo | None = None) -> str:
        """'11/25(水) 10:30' in `zone` (default: the configured zone)."""
        local = at.astimezone(zone or self.zone)
        return f"{local:%m/%d}({self.tr.weekday(local.weekday())}) {local:%H:%M}"

    def hhmm(self, at: datetime, zone: ZoneInfo | None = None) -> str:
        return f"{at.astimezone(zone or self.zone):%H:%M}"


def fixed_clock(now: datetime | None) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(UTC)
    return lambda: now


def make_session(
    engine: Engine,
    settings: Settings,
    operator: str | None,
    now: datetime | None = None,
    dialer: Dialer | None = None,
    seed: int | None = None,
) -> Session:
    """A fixed `now` also fixes the random source, so the same screen renders the same."""
    if seed is None and now is not None:
        seed = 0
    return Session(
        engine=engine,
        settings=settings,
        operator=operator,
        clock=fixed_clock(now),
        rng=random.Random(seed),
        dialer=dialer or dialer_from_env(),
        fixed_time=now is not None,
    )
