"""Errors of the command line's own options and lookups (`--at`, `--since`, `--limit`,
`--state`, the escalation's mailbox, unknown ids): key -> (ja, en).  Option names and codes
stay as they are inside the text."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "cmd.bad_instant": (
        "{option}: {value} は日時として読めません。ISO 8601 の 2025-01-05T15:00、2025-01-05 15:00、"
        "2025-01-05T15:00+09:00、または 2025/01/05 15:00 の形で指定してください"
        "（オフセットなしは {zone} の時刻）",
        "{option}: {value} is not a date and time; accepted: ISO 8601 such as 2025-01-05T15:00, "
        "2025-01-05 15:00 or 2025-01-05T15:00+09:00, or 2025/01/05 15:00 "
        "(without an offset, {zone} time)",
    ),
    "cmd.bad_date": (
        "{option}: {value} は日付として読めません（2026-11-25 の形で指定してください）",
        "{option}: expected a date like 2026-11-25, got {value}",
    ),
    "cmd.limit_negative": (
        "--limit: 0（すべて）以上の数を指定してください（指定: {value}）",
        "--limit: must be 0 (all) or more, got {value}",
    ),
    "cmd.bad_state": (
        "--state: {value} は使えません（使えるもの: {allowed}）",
        "--state: {value} is not one of {allowed}",
    ),
    "cmd.no_maildir": (
        "--maildir: {path} はフォルダーではありません（new/ と cur/ を持つ Maildir を指定してください）",
        "--maildir: {path} is not a folder (a Maildir with new/ and cur/)",
    ),
    "cmd.no_mailbox": (
        "mailbox: 受信メールボックスが設定されていません。workbench.toml に mailbox.maildir か "
        "mailbox.imap_host を設定するか、--maildir DIR を指定してください",
        "mailbox: no mailbox is configured; set mailbox.maildir or mailbox.imap_host in "
        "workbench.toml, or give --maildir DIR",
    ),
    "cmd.mailbox_error": (
        "mailbox: 受信メールボックスを読めません（{detail}）",
        "mailbox: {detail}",
    ),
    "cmd.unknown_customer": (
        "顧客 ID {customer} が見つかりません",
        "unknown customer {customer}",
    ),
    "cmd.demo_refused": (
        "データベースにはすでに {held:,} 件の顧客があります。デモ顧客を加えると区別も削除もできなくなります"
        "（それでも加えるときは --force）",
        "the database already holds {held:,} customers: demo customers would be mixed in with them "
        "and cannot be told apart or removed afterwards (use --force to add them anyway)",
    ),
    "cmd.no_cadence": (
        "顧客 {customer} のエスカレーションはまだありません（区分が決まっていません）",
        "customer {customer}: no escalation cadence (not tiered yet)",
    ),
    "cmd.unknown_script": (
        "トークスクリプト {script} は {folder} にありません",
        "unknown script {script} in {folder}",
    ),
    "cmd.db_unavailable": (
        "データベースに接続できません: {detail}",
        "database unavailable: {detail}",
    ),
    "cmd.aborted": ("中止しました", "aborted"),
}
