"""Errors of reading the mailbox a team configured (`escalation ingest`, `escalation run`):
key -> (ja, en).  Setting names, paths and the server's own words stay as they are."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "mail.not_maildir": (
        "Maildir ではありません（{missing} がありません）: {path}",
        "not a Maildir (no {missing}): {path}",
    ),
    "mail.maildir_unreadable": (
        "Maildir {path} を読めません: {error}",
        "cannot read the Maildir {path}: {error}",
    ),
    "mail.mail_unreadable": (
        "メール {file} を読めません: {error}",
        "cannot read the mail {file}: {error}",
    ),
    "mail.mark_failed": (
        "{path} のメールを処理済みにできません: {error}",
        "cannot mark the mail done in {path}: {error}",
    ),
    "mail.bad_security": (
        "mailbox.imap_security は none / starttls / tls のいずれかです（指定: {value}）",
        "mailbox.imap_security must be none, starttls or tls: {value}",
    ),
    "mail.no_connection": (
        "IMAP サーバー {where}（{security}）に接続できません: {error}",
        "cannot connect to the IMAP server {where} ({security}): {error}",
    ),
    "mail.login_refused": (
        "{where} の IMAP ログインが {user} で拒否されました（mailbox.imap_username / "
        "imap_password_env を確認してください）: {reason}",
        "IMAP login refused for {user} at {where}: {reason}",
    ),
    "mail.no_folder": (
        "{where} の IMAP フォルダー {folder} を開けません（mailbox.imap_folder を確認してください）: {reason}",
        "cannot open the IMAP folder {folder} at {where}: {reason}",
    ),
    "mail.search_failed": (
        "{where} での IMAP 検索に失敗しました: {reason}",
        "IMAP SEARCH failed at {where}: {reason}",
    ),
    "mail.lost": (
        "IMAP サーバー {where} との接続が切れました: {error}",
        "lost the IMAP server {where}: {error}",
    ),
    "mail.flag_failed": (
        "{where} のメール {uid} を既読にできません: {reason}",
        "cannot flag mail {uid} \\Seen at {where}: {reason}",
    ),
    "mail.no_username": (
        "mailbox.imap_host が設定されていますが mailbox.imap_username が空です",
        "mailbox.imap_host is set but mailbox.imap_username is empty",
    ),
    "mail.no_password": (
        "IMAP のパスワードがありません（環境変数 {name} を設定してください）",
        "no IMAP password: set the environment variable {name}",
    ),
}
