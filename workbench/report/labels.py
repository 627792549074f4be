"""The report's words in Japanese (the default) and English."""

from __future__ import annotations

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("休眠顧客掘り起こし レポート", "Win-back report"),
    "period": ("期間", "Period"),
    "period_all": ("全期間", "all recorded calls"),
    "period_from": ("{since} 以降", "from {since}"),
    "period_until": ("{until} まで", "until {until}"),
    "period_range": ("{since} ～ {until}", "{since} to {until}"),
    "generated": ("作成日時", "Generated"),
    "kpis": ("主要指標", "Key figures"),
    "dials": ("架電数", "Dials"),
    "conversations": ("会話数", "Conversations"),
    "reactivations": ("再開数", "Win-backs"),
    "rate": ("再開率（会話あたり）", "Win-back rate (per conversation)"),
    "rate_short": ("再開率", "Rate"),
    "interval": ("95%区間", "95% interval"),
    "revenue": ("売上", "Revenue"),
    "scripts": ("スクリプト別の成果", "Scripts"),
    "scripts_chart": (
        "スクリプト別の再開率（縦線は95%区間）",
        "Win-back rate by script (bars: 95% interval)",
    ),
    "script": ("スクリプト", "Script"),
    "version": ("版", "Version"),
    "reason": ("理由", "Reason"),
    "attempts": ("架電", "Dials"),
    "contacts": ("会話", "Conv."),
    "won": ("再開", "Won"),
    "p_best": ("最良確率", "P(best)"),
    "thin": ("データ不足", "not enough data"),
    "total": ("計", "total"),
    "no_reason": ("（理由なし）", "(no reason)"),
    "trend": ("週別の推移", "Weekly trend"),
    "week": ("週（月曜）", "Week (Monday)"),
    "reasons": ("お客様から聞いた休眠理由", "Reasons customers gave"),
    "mentions": ("件数", "Mentions"),
    "customers": ("顧客数", "Customers"),
    "notes": ("最近のメモ", "Latest notes"),
    "none": ("記録がありません", "no records"),
    "thin_note": (
        "会話が30件未満のスクリプトは順位を付けず「データ不足」と表示します。",
        "Below 30 conversations a script shows “not enough data” instead of a rank.",
    ),
    # messages of `workbench report`
    "need_output": (
        "--html FILE か --csv DIR（または両方）を指定してください",
        "give --html FILE, --csv DIR or both",
    ),
    "cannot_write": ("{path}: 書き込めません: {why}", "{path}: cannot write: {why}"),
    "bad_encoding": (
        "--encoding: {name!r} は指定できません。utf-8（BOM 付き UTF-8）か cp932（Shift_JIS）を指定してください",
        "--encoding: {name!r} is not supported; use utf-8 (UTF-8 with a BOM) or cp932 (Shift_JIS)",
    ),
    "unencodable": (
        "{file}:{line}: {field}: {char!r}（U+{code:04X}）は {encoding} で表せません。--encoding utf-8 を指定してください",
        "{file}:{line}: {field}: {char!r} (U+{code:04X}) has no code in {encoding}; use --encoding utf-8",
    ),
    "bad_period": (
        "--until: 期間の終わり（{until}）が始まり（{since}）より前です",
        "--until: the period ends ({until}) before it starts ({since})",
    ),
    "written": ("{path} を書き出しました", "wrote {path}"),
    # KPIs against the control group (`workbench kpi`, the report's KPI part)
    "kpi_heading": ("対照群との比較（主要指標）", "KPIs against the control group"),
    "kpi": ("指標", "KPI"),
    "group": ("区分", "Group"),
    "campaign_n": ("施策群", "Camp. n"),
    "control_n": ("対照群", "Ctrl n"),
    "campaign": ("施策群の値", "Campaign"),
    "control": ("対照群の値", "Control"),
    "uplift": ("上乗せ", "Uplift"),
    "relative_lift": ("相対", "Relative"),
    "no_control": ("対照群がありません", "no control group"),
    "no_control_note": (
        "対照群がありません（kpi.control_share が 0、または休眠中の対照群のお客様がいません）。"
        "上乗せ効果とその区間は計算できません。",
        "no control group (kpi.control_share is 0, or no control-group customer was lapsed at "
        "the start): the uplift and its interval cannot be computed.",
    ),
    "control_contacted_note": (
        "注意: 対照群のお客様 {n:,}人に期間中の架電またはメールの記録があります（取り込んだ履歴、"
        "または対照群ができる前の連絡）。その分、上乗せ効果は小さく出ます。",
        "Note: {n:,} control-group customers have a call or an email recorded in the period "
        "(imported history, or contact from before the group existed); the uplift reads smaller "
        "by as much.",
    ),
    "kpi_population": (
        "対象: 期間の初めに離脱予備軍か休眠だったお客様（施策群 {campaign:,}人・対照群 {control:,}人）",
        "Population: customers lapsed at the period's start (campaign {campaign:,}, control {control:,})",
    ),
    "kpi_chart": (
        "再開率: 施策群と対照群（縦線は95%区間）",
        "Reactivation rate: campaign and control (bars: 95% interval)",
    ),
    "kpi_censored": (
        "再購入率は、最初の購入から{days}日が期間内に収まったお客様のみで計算します（収まらない {n:,}人は除外）。",
        "The re-purchase rate counts only customers whose {days}-day window ended in the period "
        "({n:,} others censored).",
    ),
    "kpi_roi_cost": (
        "費用 {cost} / 増分売上 {revenue}",
        "cost {cost} / incremental revenue {revenue}",
    ),
    "by_invalid": (
        "--by: {value!r} は指定できません。{allowed} のいずれかを指定してください",
        "--by: {value!r} is not one of {allowed}",
    ),
    "kpi.reactivation_rate": ("再開率", "Reactivation"),
    "kpi.repurchase_rate": ("再購入率", "Re-purchase"),
    "kpi.order_value_recovery": ("注文額の回復", "Order value"),
    "kpi.ltv_change": ("LTVの変化", "LTV change"),
    "kpi.revenue_per_customer": ("1人あたり売上", "Revenue/cust."),
    "kpi.roi": ("ROI", "ROI"),
    "group.all": ("全体", "all"),
    "group.b2c": ("個人", "B2C"),
    "group.b2b": ("法人", "B2B"),
}


def words(language: str) -> dict[str, str]:
    """Every report word in `language` (English for "en", else Japanese)."""
    index = 1 if language == "en" else 0
    return {key: pair[index] for key, pair in _WORDS.items()}


def group_label(by: str, group: str, language: str) -> str:
    """A KPI breakdown's group in words: kinds and lifecycle states and reasons translated,
    script ids as they are."""
    from workbench.domain.code_labels import STATES, code_label
    from workbench.talk.i18n import reason_label

    w = words(language)
    if by in ("all", "kind"):
        return w.get(f"group.{group}", group)
    if by == "segment":
        return code_label(STATES, group, language)
    if by == "reason":
        return reason_label(group, language)
    return group


def shown_unit(kpi: str, unit: str) -> str:
    """The unit a KPI is shown in: the ROI is a ratio people read in percent."""
    return "percent" if kpi == "roi" else unit


def _yen(value: float, signed: bool) -> str:
    sign = "-" if round(value) < 0 else ("+" if signed else "")
    return f"{sign}¥{abs(value):,.0f}"


def kpi_value(unit: str, value: float | None, signed: bool = False) -> str:
    """A KPI figure as people read it: shares in percent (one decimal), the ROI in whole
    percent, ratios to two decimals, yen whole (-¥1,200); `signed` for a difference ("+"
    before a positive one)."""
    if value is None:
        return "-"
    sign = "+" if signed else ""
    if unit == "share":
        return f"{value * 100:{sign}.1f}%" if not signed else f"{value * 100:+.1f}pt"
    if unit == "percent":
        return f"{value * 100:{sign},.0f}%"
    if unit == "yen":
        return _yen(value, signed)
    return f"{value:{sign}.2f}"


def kpi_interval(unit: str, low: float | None, high: float | None) -> str:
    """A 95 % interval of a difference, in the KPI's unit."""
    if low is None or high is None:
        return "-"
    if unit == "share":
        return f"[{low * 100:+.1f}, {high * 100:+.1f}]pt"
    if unit == "percent":
        return f"[{low * 100:+,.0f}, {high * 100:+,.0f}]%"
    if unit == "yen":
        return f"[{_yen(low, True)}, {_yen(high, True)}]"
    return f"[{low:+.2f}, {high:+.2f}]"
