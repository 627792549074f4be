"""The Textual application: small; screens live in `screens/`, styles in `app.tcss`.

`run_app` is what the CLI calls (`workbench`, `workbench ui --operator ID`); tests build
`WorkbenchApp` directly with a fixed `now`.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette
from textual.screen import Screen

from workbench.config import Settings, now_from_env
from workbench.services.talk_choice import ScriptWatch
from workbench.talk.i18n import use_language
from workbench.tui.bindings import translate_bindings
from workbench.tui.commands import ActionsProvider
from workbench.tui.dialer import Dialer
from workbench.tui.i18n import Catalogue
from workbench.tui.keymap import binding_ids, user_keymap
from workbench.tui.screens.call import CallScreen
from workbench.tui.screens.confirm import ConfirmScreen
from workbench.tui.screens.disposition import DispositionScreen
from workbench.tui.screens.help import HelpScreen
from workbench.tui.screens.login import LoginScreen
from workbench.tui.screens.queue import QueueScreen
from workbench.tui.screens.script_picker import ScriptPickerScreen
from workbench.tui.screens.stats import StatsScreen
from workbench.tui.script_news import announce
from workbench.tui.session import Session, make_session
from workbench.tui.widgets.outcome_picker import ReasonPicker

QUIET_COLLECT_DELAY = 0.5  # seconds after a card appears
SCRIPT_CHECK_SECONDS = 5.0  # how often edited talk-script files are looked for
OPERATOR_MODE = "operator"  # App.MODES: the shift's screens, the login in the default mode
RELEASE_ON_QUIT_SECONDS = 5.0  # past this the lease is left to expire


class WorkbenchApp(App[None]):
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {ActionsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Help", id="help"),
        # Textual's own palette binding, with an id, so the footer says it in Japanese.
        Binding(
            "ctrl+p", "command_palette", "Commands", show=False, priority=True, id="command_palette"
        ),
        # Only for supervisors and team leads (check_action hides it from everyone else).
        Binding("f9", "supervisor", "Supervisor", id="supervisor"),
    ]

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        operator: str | None,
        now: datetime | None = None,
        dialer: Dialer | None = None,
        session: Session | None = None,
    ) -> None:
        super().__init__()
        self.session = session or make_session(engine, settings, operator, now, dialer)
        use_language(self.session.settings.language)  # talk-script warnings in the UI's language
        translate_bindings(self, self.session.tr)
        keyed = (QueueScreen, CallScreen, DispositionScreen, ReasonPicker, HelpScreen, LoginScreen,
                 StatsScreen, ScriptPickerScreen, ConfirmScreen)  # fmt: skip
        known = binding_ids([self.BINDINGS, *(node.BINDINGS for node in keyed)])
        keymap, self.keymap_warnings = user_keymap(
            self.session.settings.keys, known, self.session.tr
        )
        self.session.keymap = keymap
        self.set_keymap(keymap)
        self.add_mode(OPERATOR_MODE, lambda: QueueScreen(self.session))
        self.supervises = False  # the operator's role is supervisor or team_lead (read_role)

    def on_mount(self) -> None:
        self.title = self.session.tr("title")
        self.check_scripts()
        self.set_interval(SCRIPT_CHECK_SECONDS, self.check_scripts)
        for warning in self.keymap_warnings:
            self.notify(warning, severity="warning", timeout=20)
        if self.session.operator:
            self.start_shift()
        else:
            self.push_screen(LoginScreen(self.session), callback=self.logged_in)

    def logged_in(self, operator: str | None) -> None:
        if operator:
            self.session.operator = operator
            self.start_shift()

    def start_shift(self) -> None:
        """The operator's own screen stack (queue → call → form), apart from the login."""
        self.sub_title = self.session.operator or ""
        self.read_role()
        self.switch_mode(OPERATOR_MODE)

    def restart_shift(self) -> None:
        """Another operator or language: the queue at the base of the stack starts over."""
        self.sub_title = self.session.operator or ""
        self.read_role()
        queue = self.screen
        if isinstance(queue, QueueScreen):
            queue.start_over()

    # -- the supervisor mode (F9, for supervisors and team leads) ------------------------
    @work(thread=True, exclusive=True, exit_on_error=False, group="role")
    def read_role(self) -> None:
        from workbench.services.operators import SUPERVISING_ROLES, operator_role

        try:
            role = operator_role(self.session.engine, self.session.operator)
        except OperationalError:
            role = None
        self.call_from_thread(self.role_known, role in SUPERVISING_ROLES)

    def role_known(self, supervises: bool) -> None:
        self.supervises = supervises
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "supervisor":
            return self.supervises
        return True

    def action_supervisor(self) -> None:
        """The supervisor screen over the shift's screens; Esc comes back."""
        from workbench.tui.screens.supervisor import SupervisorScreen
        from workbench.tui.supervisor_app import supervisor_period
        from workbench.tui.supervisor_i18n import SupervisorText

        if not self.supervises or isinstance(self.screen, SupervisorScreen):
            return
        s = self.session
        tr = SupervisorText(s.settings.language, s.settings.category_labels())
        period = supervisor_period(s.now(), s.zone)
        self.push_screen(SupervisorScreen(s.engine, tr, period, s.settings, s.operator, s.now,
                                          embedded=True))  # fmt: skip

    # -- the palette's product commands (commands.py lists them) ----------------------
    def product_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        tr = self.session.tr
        return [
            (tr("palette.stats"), tr("palette.stats_doc"), self.action_script_stats),
            (tr("palette.operator"), tr("palette.operator_doc"), self.action_switch_operator),
            (tr("palette.language"), tr("palette.language_doc"), self.action_switch_language),
        ]

    def action_script_stats(self) -> None:
        self.push_screen(StatsScreen(self.session))

    def between_calls(self) -> bool:
        """Only the queue is open (no call, no form): a shift may change hands or language."""
        if isinstance(self.screen, QueueScreen) and not self.screen.busy:
            return True
        self.notify(self.session.tr("palette.in_call"), severity="warning")
        return False

    def action_switch_operator(self) -> None:
        if self.between_calls():
            self.push_screen(LoginScreen(self.session), callback=self.switched_operator)

    def switched_operator(self, operator: str | None) -> None:
        if operator and operator != self.session.operator:
            self.session.operator, self.session.operator_name = operator, ""
            self.restart_shift()

    def action_switch_language(self) -> None:
        if not self.between_calls():
            return
        s = self.session
        s.settings = replace(s.settings, language="ja" if s.settings.language == "en" else "en")
        s.tr = Catalogue(s.settings.language, s.settings.category_labels())
        use_language(s.settings.language)
        s.scripts = ScriptWatch(s.settings)  # the other language's scripts
        translate_bindings(self, s.tr)
        self.title = s.tr("title")
        self.restart_shift()

    @work(thread=True, exclusive=True, exit_on_error=False, group="scripts")
    def check_scripts(self) -> None:
        """Reload edited scripts (file reads, off the event loop) and say what came of it."""
        news = self.session.scripts.check()
        if news.warnings or news.updated:
            self.call_from_thread(announce, self, self.session.tr, news)

    @on(QueueScreen.Ready)
    def startup_over(self) -> None:
        self.call_after_refresh(freeze_startup_objects)

    @on(CallScreen.Opened)
    def quiet_moment(self) -> None:
        """Collect the last call's screens while the operator reads the next card, so the
        collector seldom has to run in the middle of a screen change."""
        self.set_timer(QUIET_COLLECT_DELAY, gc.collect)

    def on_unmount(self) -> None:
        gc.unfreeze()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette's own entries in the interface language (Textual's are English only)."""
        tr = self.session.tr
        yield SystemCommand(tr("palette.help"), tr("palette.help_doc"), self.action_help)
        yield SystemCommand(tr("palette.quit"), tr("palette.quit_doc"), self.action_quit)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]  # Textual wants App[object], but App's type parameter is invariant
            self.push_screen(
                CommandPalette(
                    placeholder=self.session.tr("palette.placeholder"), id="--command-palette"
                )
            )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.session, type(self.screen), self.supervises))

    async def action_quit(self) -> None:
        """Quitting mid-call gives the customer back to the queue instead of holding the lease."""
        for screen in self.screen_stack:
            if isinstance(screen, CallScreen):
                try:
                    # The write runs off the event loop: a busy database must not freeze the screen.
                    await asyncio.wait_for(
                        asyncio.to_thread(screen.release_now), RELEASE_ON_QUIT_SECONDS
                    )
                    screen.done = True
                except (OperationalError, TimeoutError):
                    pass  # the lease simply expires
        self.exit()


def freeze_startup_objects() -> None:
    """Keep what start-up built (modules, widgets, the script library) out of the collector.

    A full collection walks every tracked object: some 400,000 here, 150-350 ms with the
    screen frozen, several times a minute while screens come and go.  After the freeze it
    walks only what the shift created since.  Collect first, so no garbage is kept forever.
    """
    gc.collect()
    gc.freeze()


def run_app(engine: Engine, settings: Settings, operator: str | None) -> None:
    """Open the operator UI; WORKBENCH_NOW fixes the clock (demos, end-to-end tests)."""
    WorkbenchApp(engine, settings, operator, now=now_from_env(settings)).run()
