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
    "control_missing": (
        "対照群（架電しないお客様の無作為群）との比較はまだできません。対照群が設定されていないため、"
        "上記は架電した結果の実数であり、架電しなくても戻ったはずのお客様も含まれます（上乗せ効果ではありません）。",
        "The comparison with a control group (customers held back at random and never called) is "
        "not available yet: no control group is set up, so the figures above are raw results of the "
        "calls and include customers who would have come back anyway (they are not an uplift).",
    ),
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
}


def words(language: str) -> dict[str, str]:
    """Every report word in `language` (English for "en", else Japanese)."""
    index = 1 if language == "en" else 0
    return {key: pair[index] for key, pair in _WORDS.items()}
