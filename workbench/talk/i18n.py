"""Interface text for the talk-script tools: Japanese first, English as a setting.

The talk package reads no setting itself: the face that made the `Settings` (the CLI's
context, the terminal UI) calls `use_language(settings.language)` once, and every message
of the linter, the parser, the renderer and the library follows it (``ja`` until then).
One process-wide value rather than a parameter through parse → lint → library → render:
the messages are composed deep inside those (18 call sites), and a process speaks one
interface language at a time.  The value itself lives in `workbench.messages`, so the
services' error texts speak the same language.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbench import messages
from workbench.messages import UI_LANGUAGES as UI_LANGUAGES  # re-exported

_MESSAGES: dict[str, tuple[str, str]] = {
    # front matter
    "fm.missing": (
        "先頭に --- で囲んだフロントマターがありません",
        "no front matter block between --- lines at the top",
    ),
    "fm.unclosed": (
        "フロントマターが --- で閉じられていません",
        "front matter is not closed by a --- line",
    ),
    "fm.bad_line": (
        "「key: value」の形式ではありません: {text}",
        "not a 'key: value' line: {text}",
    ),
    "fm.dup_key": ("キー {key} が重複しています", "key {key} appears twice"),
    "fm.unknown_key": ("不明なキー {key} は無視されます", "unknown key {key} is ignored"),
    "fm.required": ("必須のキー {key} がありません", "required key {key} is missing"),
    "fm.empty": ("キー {key} が空です", "key {key} is empty"),
    "fm.bad_id": (
        "id {value} は英小文字・数字・_・- のみ使えます",
        "id {value} may only use a-z, 0-9, _ and -",
    ),
    "fm.bad_kind": (
        "kind は b2c / b2b / any のいずれかです（{value}）",
        "kind must be b2c, b2b or any (got {value})",
    ),
    "fm.bad_language": (
        "language は ja / en のいずれかです（{value}）",
        "language must be ja or en (got {value})",
    ),
    "fm.bad_bool": (
        "{key} は true / false で指定してください（{value}）",
        "{key} must be true or false (got {value})",
    ),
    "fm.bad_months": (
        "dormant_months は 10-11 のような範囲です（{value}）",
        "dormant_months must be a range like 10-11 (got {value})",
    ),
    "fm.id_filename": (
        "id {value} がファイル名と一致しません",
        "id {value} does not match the file name",
    ),
    "fm.language_dir": (
        "language {value} が置き場所のフォルダー {folder} と一致しません",
        "language {value} does not match folder {folder}",
    ),
    "reason.unknown": (
        "休眠理由コード {value} は分類にありません",
        "reason {value} is not in the reason taxonomy",
    ),
    # sections and branches
    "sec.no_id": (
        "見出しにセクションID（英小文字）がありません: {text}",
        "section heading has no id (lowercase letters): {text}",
    ),
    "sec.dup": ("セクション {section} が重複しています", "section {section} appears twice"),
    "sec.missing": (
        "必須セクション {section} がありません",
        "required section {section} is missing",
    ),
    "sec.empty": ("セクション {section} が空です", "section {section} is empty"),
    "sec.opening_first": (
        "opening は最初のセクションにしてください（特定商取引法16条: 冒頭で名乗る）",
        "opening must be the first section (Art. 16: identify yourself first)",
    ),
    "branch.bad": (
        "分岐は「-> セクションID: ラベル」の形式です: {text}",
        "a branch is written '-> section_id: label': {text}",
    ),
    "branch.target": (
        "分岐先のセクション {section} がありません",
        "branch target section {section} does not exist",
    ),
    # templates
    "tpl.syntax": ("テンプレートの構文エラー: {detail}", "template syntax error: {detail}"),
    "tpl.unknown_var": (
        "未定義の変数 {name} です（使える変数は README を参照）",
        "unknown variable {name} (see README for the variables)",
    ),
    "tpl.unknown_filter": ("未定義のフィルター: {detail}", "unknown filter: {detail}"),
    "tpl.render": (
        "試し描画（{demo}）で失敗しました: {detail}",
        "trial render ({demo}) failed: {detail}",
    ),
    "art16.company": (
        "opening で会社名 {{{{ company }}}} を名乗っていません（特定商取引法16条）",
        "opening does not state the company name {{{{ company }}}} (Art. 16)",
    ),
    "art16.operator": (
        "opening で担当者名 {{{{ operator }}}} を名乗っていません（特定商取引法16条）",
        "opening does not state the caller's name {{{{ operator }}}} (Art. 16)",
    ),
    "art16.purpose": (
        "opening で目的 {{{{ purpose }}}} を告げていません（特定商取引法16条）",
        "opening does not state the purpose {{{{ purpose }}}} (Art. 16)",
    ),
    "dup.id": (
        "id {value} は {other} でも使われています（同じ言語内で一意にしてください）",
        "id {value} is also used by {other} (ids are unique per language)",
    ),
    "pin.conflict": (
        "理由 {value} に固定（pinned）されたスクリプトが複数あります: {other}",
        "several scripts are pinned for reason {value}: {other}",
    ),
    "io.read": ("ファイルを読めません: {detail}", "cannot read the file: {detail}"),
    "io.not_found": ("ファイルがありません", "no such file"),
    "io.directory": ("フォルダーです（ファイルを指定してください）", "is a directory, not a file"),
    "io.permission": ("読み取りの権限がありません", "permission denied"),
    "io.encoding": ("UTF-8 として読めません", "not valid UTF-8"),
    # email templates (talkscripts/email/)
    "mail.bad_purpose": (
        "purpose は first / reminder / followup のいずれかです（{value}）",
        "purpose must be first, reminder or followup (got {value})",
    ),
    "mail.sec_unknown": (
        "メールのセクションは text と html だけです（{section}）",
        "an email template has only the sections text and html (got {section})",
    ),
    "mail.no_text": ("必須セクション text がありません", "required section text is missing"),
    "mail.sender": (
        "本文（text）に送信者の名称 {{{{ company_name }}}} と連絡先 {{{{ sender_address }}}} が"
        "表示されていません（特定電子メール法）",
        "the text part does not show the sender {{{{ company_name }}}} and their address "
        "{{{{ sender_address }}}} (Japanese Act on Specified Electronic Mail)",
    ),
    "mail.unsubscribe": (
        "本文（text）に配信停止の方法 {{{{ unsubscribe_mailto }}}} または {{{{ unsubscribe_url }}}}"
        " が表示されていません（特定電子メール法）",
        "the text part does not show how to unsubscribe, {{{{ unsubscribe_mailto }}}} or "
        "{{{{ unsubscribe_url }}}} (Japanese Act on Specified Electronic Mail)",
    ),
    "mail.html_law": (
        "html に送信者または配信停止の方法がありません（テキスト版にはあります）",
        "the html part lacks the sender or the unsubscribe method (the text part has them)",
    ),
    "mail.subject_lines": (
        "件名が 1 行になりません（試し描画: {demo}）",
        "the subject does not render to one line (trial render: {demo})",
    ),
    "mail.subject_one_line": (
        "件名が 1 行になりません",
        "the subject does not render to one line",
    ),
    "mail.render": ("{part} を描画できません: {detail}", "cannot render the {part}: {detail}"),
    # rendering errors shown on the operator screen
    "render.undefined": (
        "未設定・未定義の値があります: {detail}",
        "a value is missing or undefined: {detail}",
    ),
    "render.security": (
        "安全でない操作のため表示を拒否しました: {detail}",
        "refused an unsafe operation: {detail}",
    ),
    "render.syntax": ("テンプレートの構文エラー: {detail}", "template syntax error: {detail}"),
    "render.other": ("表示できませんでした: {detail}", "could not render: {detail}"),
    "render.no_section": ("セクション {section} がありません", "there is no section {section}"),
    "render.at_line": ("（{path} {line}行目）", " ({path} line {line})"),
    # library
    "lib.kept": (
        "{path}:{line}: {detail} — 前回の正常な版を使い続けます",
        "{path}:{line}: {detail} — still serving the last good version",
    ),
    "lib.skipped": (
        "{path}:{line}: {detail} — このスクリプトは読み込みません",
        "{path}:{line}: {detail} — this script is not loaded",
    ),
    "lib.dup": (
        "{path}: id {value} は {other} と重複しているため読み込みません",
        "{path}: id {value} duplicates {other}; not loaded",
    ),
    # cli
    "cli.ok": (
        "OK: {files} 本のスクリプトを確認しました（エラー 0 件、警告 {warnings} 件）",
        "OK: checked {files} scripts (0 errors, {warnings} warnings)",
    ),
    "cli.failed": (
        "エラー {errors} 件、警告 {warnings} 件（{files} 本を確認）",
        "{errors} errors, {warnings} warnings ({files} scripts checked)",
    ),
    "cli.ok_mail": (
        "OK: {files} 本のスクリプトと {templates} 本のメールテンプレートを確認しました"
        "（エラー 0 件、警告 {warnings} 件）",
        "OK: checked {files} scripts and {templates} email templates (0 errors, {warnings} warnings)",
    ),
    "cli.failed_mail": (
        "エラー {errors} 件、警告 {warnings} 件（スクリプト {files} 本、メールテンプレート {templates} 本を確認）",
        "{errors} errors, {warnings} warnings ({files} scripts, {templates} email templates checked)",
    ),
    "cli.warning": ("警告", "warning"),
    "cli.not_found": (
        "スクリプト {value} が見つかりません（言語 {lang}）",
        "script {value} not found (language {lang})",
    ),
    "cli.branches": ("分岐", "branches"),
    "cli.error": ("エラー", "error"),
}

_SECTION_TITLES: dict[str, tuple[str, str]] = {
    "opening": ("冒頭のご挨拶", "Opening"),
    "hearing": ("ヒアリング", "Hearing"),
    "closing": ("クロージング", "Closing"),
    "objection": ("切り返し", "Objections"),
    "callback": ("かけ直しのお約束", "Callback"),
    "declined": ("お断りへの対応", "Declined"),
}

REASON_LABELS: dict[str, tuple[str, str]] = {
    "usage_decreased": ("利用頻度の低下", "usage decreased"),
    "quality_dissatisfaction": ("品質へのご不満", "quality dissatisfaction"),
    "competitor": ("他社への切り替え", "trying a competitor"),
    "price": ("価格", "price"),
    "long_consideration": ("検討の長期化", "long consideration"),
    "needs_changed": ("ニーズの変化", "needs changed"),
    "life_stage_change": ("ライフステージの変化", "life-stage change"),
    "contact_person_changed": ("担当者の交代", "contact person changed"),
    "moved": ("転居・移転", "moved"),
    "unknown": ("理由不明", "unknown"),
}


def use_language(language: str) -> str:
    """Speak `language` (``ja`` or ``en``; anything else is ``ja``) in every talk message from
    now on, and return the language spoken until now (so a caller can put it back)."""
    return messages.use_language(language)


def ui_language(language: str | None = None) -> str:
    """`language` when given, else the one `use_language` set."""
    return messages.ui_language(language)


def translate(text_id: str, language: str | None, values: Mapping[str, object]) -> str:
    ja, en = _MESSAGES[text_id]
    text = en if ui_language(language) == "en" else ja
    return text.format(**values)


def msg(text_id: str, **values: object) -> str:
    """A message in the interface language (`use_language`)."""
    return translate(text_id, None, values)


def section_title(section_id: str, language: str) -> str:
    pair = _SECTION_TITLES.get(section_id)
    if pair is None:
        return section_id
    return pair[1] if language == "en" else pair[0]


def reason_label(reason: str, language: str) -> str:
    pair = REASON_LABELS.get(reason)
    if pair is None:
        return reason
    return pair[1] if language == "en" else pair[0]
