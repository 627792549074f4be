"""The supervisor screen's changes: `f`/`u` mark and unmark the highlighted reason fixed (the
reasons tab), `p` pins the highlighted script for one of its reasons and `x` retires or returns
it (the scripts tab).  Each goes through its service (`services.reason_fixes`,
`services.script_admin`: the same checks and audit log as the command line) in a thread worker;
without an operator to record (`--by` or the `operator` setting) the keys say so instead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.screen import Screen
from textual.widgets import DataTable

from workbench.config import Settings
from workbench.domain.reason_fixes import FIXABLE_REASONS, ReasonFix
from workbench.services.reason_fixes import mark_fixed, unmark_fixed
from workbench.services.script_admin import (
    AdminError,
    current_pins,
    pin_script,
    retire_script,
    script_reasons,
    unretire_script,
)
from workbench.services.supervisor import Period
from workbench.tui.screens.supervisor_modals import FixReasonModal, FixRequest, PinReasonModal
from workbench.tui.supervisor_i18n import SupervisorText

CHANGES = "supervisor_changes"  # the workers' group: one change at a time


class SupervisorActions(Screen[None]):
    """The change keys of `SupervisorScreen` (its base class)."""

    engine: Engine
    tr: SupervisorText
    settings: Settings | None
    actor: str | None
    clock: Callable[[], datetime]
    period: Period

    def fixes(self) -> list[ReasonFix]:
        """The stored fixes as last read (the screen's figures)."""
        return []

    def action_refresh(self) -> None:
        """Read the figures again (the screen's own)."""

    def _who(self) -> str | None:
        if not self.actor or self.settings is None:
            self.notify(self.tr("sv.no_actor"), severity="warning", timeout=8)
            return None
        return self.actor

    def _row(self, selector: str) -> str | None:
        table: DataTable[str] = self.query_one(selector, DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else str(key)

    def _done(self, message: str) -> None:
        self.notify(message, timeout=6)
        self.action_refresh()

    def _refused(self, exc: Exception) -> None:
        tr = self.tr
        if isinstance(exc, AdminError) and tr.has(f"sv.err.{exc.code}"):
            values = {k: ", ".join(map(str, v)) if isinstance(v, list) else v
                      for k, v in exc.values.items()}  # fmt: skip
            if "reason" in values:
                values["reason"] = tr.reason(str(values["reason"]))
            message = tr(f"sv.err.{exc.code}", **values)
        else:
            message = tr("sv.err.other", detail=str(exc))
        self.notify(message, severity="error", timeout=10)

    # -- reasons -------------------------------------------------------------------------
    def action_fix_reason(self) -> None:
        reason, by = self._row("#sv-reasons"), self._who()
        if by is None:
            return
        if reason is None:
            self.notify(self.tr("sv.pick_reason"), severity="warning")
            return
        if reason not in FIXABLE_REASONS:  # 理由不明 is no reason a business fixes
            self.notify(
                self.tr("sv.err.unknown_reason", value=self.tr.reason(reason)), severity="warning"
            )
            return
        today = self.clock().astimezone(self.period.zone).date()

        def answered(request: FixRequest | None) -> None:
            if request is not None:
                self.mark_fixed(reason, request, by)

        self.app.push_screen(FixReasonModal(self.tr, reason, today), callback=answered)

    @work(thread=True, exclusive=True, exit_on_error=False, group=CHANGES)
    def mark_fixed(self, reason: str, request: FixRequest, by: str) -> None:
        try:
            mark_fixed(self.engine, reason, request.fixed_on, by=by, at=self.clock(),
                       kind=request.kind, note=request.note)  # fmt: skip
        except (AdminError, SQLAlchemyError) as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        message = self.tr("sv.done.fixed", reason=self.tr.reason(reason),
                          kind=self.tr(f"sv.fix.kind_{request.kind}"), day=request.fixed_on.isoformat())  # fmt: skip
        self.app.call_from_thread(self._done, message)

    def action_unfix_reason(self) -> None:
        reason, by = self._row("#sv-reasons"), self._who()
        if by is None:
            return
        if reason is None:
            self.notify(self.tr("sv.pick_reason"), severity="warning")
            return
        kinds = [f.kind for f in self.fixes() if f.reason == reason]
        if not kinds:
            self.notify(
                self.tr("sv.err.not_fixed", reason=self.tr.reason(reason)), severity="warning"
            )
            return
        self.unmark_fixed(reason, kinds, by)

    @work(thread=True, exclusive=True, exit_on_error=False, group=CHANGES)
    def unmark_fixed(self, reason: str, kinds: list[str], by: str) -> None:
        try:
            for kind in kinds:  # every mark of the reason, one audit row each
                unmark_fixed(self.engine, reason, by=by, at=self.clock(), kind=kind)
        except (AdminError, SQLAlchemyError) as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(
            self._done, self.tr("sv.done.unfixed", reason=self.tr.reason(reason))
        )

    # -- scripts -------------------------------------------------------------------------
    def _script(self) -> str | None:
        row = self._row("#sv-scripts")
        script_id = row.split("\0", 1)[0] if row else ""
        if not script_id:
            self.notify(self.tr("sv.pick_script"), severity="warning")
            return None
        return script_id

    def action_pin_script(self) -> None:
        by = self._who()
        script_id = self._script() if by else None
        if by and script_id:
            self.ask_pin(script_id, by)

    @work(thread=True, exclusive=True, exit_on_error=False, group=CHANGES)
    def ask_pin(self, script_id: str, by: str) -> None:
        """Read the script's reasons off the files, then ask which one."""
        assert self.settings is not None
        try:
            reasons = script_reasons(self.settings, script_id)
        except AdminError as exc:
            self.app.call_from_thread(self._refused, exc)
            return

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.pin(script_id, reason, by)

        self.app.call_from_thread(
            self.app.push_screen, PinReasonModal(self.tr, script_id, reasons), answered
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group=CHANGES)
    def pin(self, script_id: str, reason: str, by: str) -> None:
        assert self.settings is not None
        try:
            pin_script(self.engine, self.settings, reason, script_id, by=by, at=self.clock())
        except (AdminError, SQLAlchemyError) as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        message = self.tr("sv.done.pinned", reason=self.tr.reason(reason), script=script_id)
        self.app.call_from_thread(self._done, message)

    def action_retire_script(self) -> None:
        by = self._who()
        script_id = self._script() if by else None
        if by and script_id:
            self.toggle_retired(script_id, by)

    @work(thread=True, exclusive=True, exit_on_error=False, group=CHANGES)
    def toggle_retired(self, script_id: str, by: str) -> None:
        """Retire the script, or offer it again when it is retired."""
        assert self.settings is not None
        try:
            retired = {sid for sid, _, _ in current_pins(self.engine)[1]}
            if script_id in retired:
                unretire_script(self.engine, script_id, by=by, at=self.clock())
                key = "sv.done.unretired"
            else:
                retire_script(self.engine, self.settings, script_id, by=by, at=self.clock())
                key = "sv.done.retired"
        except (AdminError, SQLAlchemyError) as exc:
            self.app.call_from_thread(self._refused, exc)
            return
        self.app.call_from_thread(self._done, self.tr(key, script=script_id))
