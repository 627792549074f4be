"""Text of the supervisor screen (`workbench supervisor`) in Japanese and English.

Kept apart from `i18n.py` (the operator screens' catalogue); `SupervisorText` looks here
first and falls back to it, so shared keys (quit, help) and the code labels stay one copy.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench.domain.code_labels import KINDS, code_label
from workbench.tui.i18n import Catalogue

_TEXT: dict[str, tuple[str, str]] = {
    "sv.title": ("監督者画面", "Supervisor"),
    "sv.period": (
        "{since}〜{until} · 架電 {dials} · 会話 {talks}（{answer}） · 再開 {wins} · 売上 {revenue}",
        "{since} to {until} · dials {dials} · conversations {talks} ({answer}) · "
        "won back {wins} · revenue {revenue}",
    ),
    "sv.loading": ("集計中…", "Counting…"),
    "sv.none": ("この期間の記録はありません", "No records in this period"),
    "sv.tab.scripts": ("スクリプト", "Scripts"),
    "sv.tab.reasons": ("理由", "Reasons"),
    "sv.tab.funnel": ("ファネル", "Funnel"),
    "sv.tab.trends": ("推移", "Trends"),
    # footer labels, one per Binding id
    "key.sv_tabs": ("タブ", "Tabs"),
    "key.sv_sort": ("並べ替え", "Sort"),
    "key.sv_refresh": ("更新", "Refresh"),
    "key.sv_quit": ("終了", "Quit"),
    # the script table
    "sv.col.script": ("スクリプト", "Script"),
    "sv.col.version": ("版", "Ver"),
    "sv.col.attempts": ("架電", "Dials"),
    "sv.col.contacts": ("会話", "Conv"),
    "sv.col.wins": ("再開", "Won"),
    "sv.col.rate": ("再開率", "Rate"),
    "sv.col.interval": ("95%区間", "95% CI"),
    "sv.col.p_best": ("最良確率", "P(best)"),
    "sv.col.revenue": ("売上", "Revenue"),
    "sv.thin": ("データ不足", "not enough data"),
    "sv.sorted": ("並び: {column}{direction}", "sorted by {column}{direction}"),
    "sv.breakdown": ("{script} の理由別", "{script} by reason"),
    "sv.breakdown_row": (
        "{reason}: 会話 {contacts} · 再開 {wins} · {rate}",
        "{reason}: conversations {contacts} · won {wins} · {rate}",
    ),
    "sv.no_reason": ("（理由の記録なし）", "(no reason recorded)"),
    # reasons
    "sv.col.reason": ("理由", "Reason"),
    "sv.col.heard": ("聞き取り", "Heard"),
    "sv.col.customers": ("顧客数", "Customers"),
    "sv.col.trend": ("週ごとの推移", "Weekly trend"),
    "sv.notes": ("「{reason}」のメモ（新しい順）", "Notes for “{reason}” (newest first)"),
    "sv.no_notes": ("メモはありません", "No notes"),
    "sv.top_kind": ("種別ごとの上位理由", "Top reasons by kind"),
    "sv.top_category": ("カテゴリごとの上位理由", "Top reasons by category"),
    # funnel
    "sv.by_operator": ("オペレーター別", "By operator"),
    "sv.by_segment": ("セグメント別（種別・状態）", "By segment (kind, state)"),
    "sv.col.operator": ("担当", "Operator"),
    "sv.col.segment": ("セグメント", "Segment"),
    "sv.col.answer": ("接続率", "Answer"),
    "sv.col.win_rate": ("再開率", "Win rate"),
    "sv.heatmap": ("接続率（曜日×時刻・現地時間）", "Answer rate (weekday × local hour)"),
    "sv.heat_legend": (
        "█ 高い ░ 低い · 架電なし（{dials} 架電）",
        "█ high ░ low · no dials ({dials} dials)",
    ),
    "sv.best_hours": ("接続率の高い時間帯: {cells}", "Best hours to reach people: {cells}"),
    "sv.best_cell": ("{day} {hour}時 {rate}（{n}件）", "{day} {hour}:00 {rate} ({n})"),
    "sv.unknown": ("不明", "unknown"),
    # trends
    "sv.chart.calls": ("週ごとの架電・会話・再開", "Dials, conversations and win-backs per week"),
    "sv.chart.revenue": ("週ごとの売上（円）", "Revenue per week (yen)"),
    "sv.series.dials": ("架電", "dials"),
    "sv.series.talks": ("会話", "conversations"),
    "sv.series.wins": ("再開", "won back"),
    "sv.series.revenue": ("売上", "revenue"),
    # changes made from the screen (reason fixes, pins, retirements)
    "key.sv_fix": ("改善済みにする", "Mark fixed"),
    "key.sv_unfix": ("改善済み解除", "Unmark fixed"),
    "key.sv_pin": ("固定", "Pin"),
    "key.sv_retire": ("引退・復帰", "Retire/return"),
    "key.sv_back": ("戻る", "Back"),
    "key.sv_cancel": ("取消", "Cancel"),
    "key.sv_save": ("保存", "Save"),
    "sv.col.fixed": ("改善", "Fixed"),
    "sv.fixed_mark": ("改善済 {day}", "fixed {day}"),
    "sv.fix.title": ("「{reason}」を改善済みにする", "Mark “{reason}” fixed"),
    "sv.fix.day": ("改善した日（YYYY-MM-DD）", "Fixed on (YYYY-MM-DD)"),
    "sv.fix.kind": ("対象のお客様", "For customers"),
    "sv.fix.kind_any": ("個人・法人とも", "of both kinds"),
    "sv.fix.kind_b2c": ("個人のお客様", "consumers (B2C)"),
    "sv.fix.kind_b2b": ("法人のお客様", "businesses (B2B)"),
    "sv.fix.note": ("メモ（何を改善したか）", "Note (what changed)"),
    "sv.fix.note_hint": ("例: 新しい料金プラン", "e.g. a new price plan"),
    "sv.fix.keys": ("Enter 保存 · Esc 取消", "Enter save · Esc cancel"),
    "sv.fix.bad_day": (
        "日付は YYYY-MM-DD で入力してください（{value}）",
        "Enter the day as YYYY-MM-DD (got {value})",
    ),
    "sv.pin.title": ("{script} をどの理由に固定しますか", "Pin {script} for which reason?"),
    "sv.pin.keys": ("Enter 固定 · Esc 取消", "Enter pin · Esc cancel"),
    "sv.no_actor": (
        "変更には担当者が必要です: `workbench supervisor --by 担当者ID`（または設定の operator）",
        "Changes need an operator: `workbench supervisor --by OPERATOR` (or the operator setting)",
    ),
    "sv.pick_reason": ("理由の行を選んでください", "Choose a reason row first"),
    "sv.pick_script": ("スクリプトの行を選んでください", "Choose a script row first"),
    "sv.done.fixed": (
        "改善済みにしました: {reason}（{kind}）{day} から",
        "Marked fixed: {reason} ({kind}) as of {day}",
    ),
    "sv.done.unfixed": ("改善済みの印を外しました: {reason}", "No longer marked fixed: {reason}"),
    "sv.done.pinned": ("固定しました: {reason} → {script}", "Pinned: {reason} → {script}"),
    "sv.done.retired": (
        "引退にしました: {script}（どの理由でも出しません）",
        "Retired: {script} (offered for no reason)",
    ),
    "sv.done.unretired": ("復帰させました: {script}", "Offered again: {script}"),
    "sv.err.not_fixed": (
        "「{reason}」は改善済みになっていません",
        "“{reason}” is not marked fixed",
    ),
    "sv.err.unknown_script": (
        "スクリプト {value} は talkscripts フォルダーにありません",
        "Script {value} is not in the talkscripts folder",
    ),
    "sv.err.unknown_reason": (
        "理由 {value} は改善済みにできません",
        "{value} cannot be marked fixed",
    ),
    "sv.err.unknown_operator": (
        "担当者 {value} は登録されていないか退任しています（登録済み: {known}）",
        "Unknown or retired operator {value} (registered: {known})",
    ),
    "sv.err.no_actor": ("変更には担当者が必要です", "Changes need an operator"),
    "sv.err.not_serving": (
        "スクリプト {value} はこの理由に使えません",
        "Script {value} does not serve that reason",
    ),
    "sv.err.retired": (
        "スクリプト {value} は引退しています（x で復帰）",
        "Script {value} is retired (x offers it again)",
    ),
    "sv.err.other": ("変更できませんでした: {detail}", "Could not make the change: {detail}"),
    "sv.asc": (" ↑", " ↑"),
    "sv.desc": (" ↓", " ↓"),
}


class SupervisorText(Catalogue):
    """The operator catalogue plus the supervisor screen's own keys."""

    def __init__(self, language: str, categories: Mapping[str, str] | None = None) -> None:
        super().__init__(language, categories)

    def __call__(self, key: str, **values: object) -> str:
        pair = _TEXT.get(key)
        if pair is None:
            return super().__call__(key, **values)
        text = pair[1] if self.language == "en" else pair[0]
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        return key in _TEXT or super().has(key)

    def kind(self, code: str) -> str:
        return code_label(KINDS, code, self.language)

    def segment(self, code: str) -> str:
        """A kind or lifecycle-state code in words; `unknown` for a missing one."""
        if code in KINDS:
            return self.kind(code)
        if code == "unknown":
            return self("sv.unknown")
        return self.state(code)
