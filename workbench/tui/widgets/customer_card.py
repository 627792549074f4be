"""The customer card of the call view: who, how to reach them, what they bought, when they answer."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

from workbench.tui.adapters.customer import CallData, month_labels
from workbench.tui.i18n import Catalogue
from workbench.tui.session import Session
from workbench.tui.widgets.heatmap import AnswerHeatmap


def yen(amount: float) -> str:
    return f"¥{amount:,.0f}"


CLOCK_SECONDS = 1.0  # how often the card looks at the clock (it redraws once a minute)


class CustomerCard(VerticalScroll):
    """Read-only; built once per claimed customer from a `CallData`.  Only the customer's
    local time changes while the card is shown: it is redrawn when its minute turns."""

    def __init__(self, data: CallData, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = data
        self.session = session
        self.can_focus = True
        self.shown_local = ""

    def on_mount(self) -> None:
        self.set_interval(CLOCK_SECONDS, self.tick)

    def tick(self) -> None:
        if self.session.local(self.session.now(), self.data.zone) != self.shown_local:
            self.query_one("#card-facts", Static).update(self._facts())

    @property
    def tr(self) -> Catalogue:
        return self.session.tr

    def compose(self) -> ComposeResult:
        d, tr = self.data, self.tr
        yield Static(self._identity(), id="card-identity")
        yield Static(self._phone(), id="card-phone")
        yield Static(self._facts(), id="card-facts")
        yield Static(tr("card.purchases"), classes="section-title")
        yield Sparkline(d.monthly, id="card-sparkline")
        first, last = month_labels(self.session.now(), d.zone)
        yield Static(
            Text(f"{first}{' ' * max(1, 24 - len(first) - len(last))}{last}", style="dim"),
            classes="axis",
        )
        yield Static(self._top(), id="card-top")
        yield Static(tr("card.heatmap"), classes="section-title")
        yield AnswerHeatmap(d.heat, tr, id="card-heatmap")
        yield Static(Text(tr("card.heatmap_legend"), style="dim"), classes="legend")
        yield Static(tr("card.reason"), classes="section-title")
        yield Static(self._reason(), id="card-reason")
        if d.email_track is not None:
            yield Static(tr("card.email_track"), classes="section-title")
            yield Static(self._email_track(), id="card-email-track")
        yield Static(tr("card.contacts"), classes="section-title")
        yield Static(self._contacts(), id="card-contacts")

    def _identity(self) -> Text:
        d, tr = self.data, self.tr
        text = Text()
        text.append(d.summary.name, style="bold")
        if d.name_kana:
            text.append(f" ({d.name_kana})", style="dim")
        text.append(f"  {d.summary.external_id} · {d.summary.kind.upper()}", style="dim")
        if d.summary.kind == "b2b":
            bits = []
            if d.company and d.company != d.summary.name:
                bits.append(d.company)
            if d.contact_person:
                bits.append(tr("card.contact", person=d.contact_person))
            if d.previous_rep:
                bits.append(tr("card.previous_rep", rep=d.previous_rep))
            if bits:
                text.append("\n" + " · ".join(bits))
        return text

    def _phone(self) -> Text:
        d = self.data
        text = Text("☎ ")
        text.append(d.national or "-", style="bold")
        text.append(f"  {d.e164}", style="dim")
        if d.do_not_call:
            text.append("\n" + self.tr("card.dnc"), style="bold red")
        return text

    def _facts(self) -> Text:
        d, tr, s = self.data, self.tr, self.data.summary
        local = self.shown_local = self.session.local(self.session.now(), d.zone)
        last = (
            tr("why.never") if d.months_since is None else tr("card.months", months=d.months_since)
        )
        r, f, m = (
            str(x) if x is not None else "-" for x in (s.recency, s.frequency, s.monetary_score)
        )
        lines = [
            tr("card.local", time=f"{local} {d.zone.key}"),
            tr("card.state", state=tr.state(s.state), last=last),
            tr(
                "card.rfm",
                r=r,
                f=f,
                m=m,
                p_alive=f"{d.entry.parts.p_alive:.2f}",
                score=f"{d.entry.score:,.0f}",
            ),
            tr("card.orders", n=s.n_orders, total=yen(s.monetary)),
        ]
        if d.email:
            status = tr(f"email.{d.email_status}")
            lines.append(tr("card.email", email=d.email, status=status))
        else:
            lines.append(tr("card.no_email"))
        text = Text("\n".join(lines))
        if d.reached_today:
            text.append(
                "\n" + tr("call.repeat", outcome=tr.outcome(d.reached_today)), style="bold yellow"
            )
        return text

    def _top(self) -> Text:
        d, tr = self.data, self.tr
        text = Text(tr("card.top") + ": ", style="dim")
        text.append(
            ", ".join(f"{tr.category(c)} {yen(a)} ({n})" for c, a, n in d.top_categories) or "-"
        )
        return text

    def _reason(self) -> Text:
        d, tr = self.data, self.tr
        text = Text()
        text.append(
            tr(
                "why.reason",
                label=tr.reason(d.entry.reason),
                source=tr(f"source.{d.entry.reason_source}"),
            ),
            style="bold",
        )
        text.append("\n" + d.evidence, style="italic")
        return text

    def _email_track(self) -> Text:
        track, tr = self.data.email_track, self.tr
        assert track is not None
        zone = self.data.zone
        text = Text(tr("card.email_sent", date=self._date(track.sent_at), subject=track.subject))
        if track.response is None or track.response_at is None:
            text.append("\n" + tr("card.email_waiting"), style="dim")
            return text
        when = f"{track.response_at.astimezone(zone):%Y-%m-%d %H:%M}"
        text.append("\n")
        text.append(
            tr("card.email_answer", date=when, response=tr(f"email_response.{track.response}")),
            style="bold green",
        )
        if track.said:
            quoted = f"「{track.said}」" if tr.language == "ja" else f'"{track.said}"'
            text.append(f"\n  {quoted}", style="italic")
        return text

    def _contacts(self) -> Text:
        d, tr = self.data, self.tr
        if not d.contacts:
            return Text(tr("card.no_contacts"), style="dim")
        text = Text()
        for i, c in enumerate(d.contacts):
            when = self._date(c.at)
            text.append(f"{when} ", style="dim")
            text.append(f"{tr.channel(c.channel)} ")
            text.append(tr.outcome(c.outcome), style=_outcome_style(c.outcome))
            text.append(f" {c.operator}", style="dim")
            if c.amount:
                text.append(f" {yen(c.amount)}")
            if c.note:
                text.append(
                    f"\n  「{c.note}」" if tr.language == "ja" else f'\n  "{c.note}"',
                    style="italic",
                )
            if i < len(d.contacts) - 1:
                text.append("\n")
        return text

    def _date(self, at: datetime) -> str:
        return f"{at.astimezone(self.data.zone):%Y-%m-%d}"


def _outcome_style(outcome: str) -> str:
    if outcome == "reactivated":
        return "bold green"
    if outcome in ("complaint", "do_not_call", "not_interested"):
        return "bold red"
    if outcome in ("callback", "contact_changed", "no_decision"):
        return "yellow"
    return ""
