"""Why the database could not be used, key -> (ja, en): the texts `db_errors.db_problem` says."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "db.locked": (
        "ほかの処理がデータベースに書き込み中です。しばらくしてからもう一度お試しください",
        "another process is writing to the database; try again in a moment",
    ),
    "db.cannot_open": (
        "データベースのファイルを開けません（フォルダーがあるか、書き込めるかを確かめてください）",
        "cannot open the database file (check that its folder exists and can be written)",
    ),
    "db.disk_io": ("ディスクの読み書きに失敗しました", "the disk could not be read or written"),
    "db.disk_full": ("ディスクの空きがありません", "the disk is full"),
    "db.not_a_database": (
        "指定のファイルはデータベースではないか、壊れています",
        "the file is not a database, or it is damaged",
    ),
    "db.refused": (
        "サーバー {host}（ポート {port}）が接続を受け付けません。起動しているか、ホストとポートが正しいかを確かめてください",
        "the server {host} (port {port}) refused the connection; check that it is running and the host and port are right",
    ),
    "db.no_database": (
        "データベース {name} がサーバーにありません",
        "the server has no database {name}",
    ),
    "db.no_role": ("ユーザー {name} がサーバーにありません", "the server has no user {name}"),
    "db.bad_password": (
        "ユーザー {name} のパスワード認証に失敗しました",
        "password authentication failed for user {name}",
    ),
    "db.unknown_host": (
        "ホスト名 {host} が見つかりません",
        "the host name {host} cannot be resolved",
    ),
    "db.timeout": (
        "データベースへの接続が時間切れになりました",
        "the connection to the database timed out",
    ),
    "db.too_many": (
        "データベースへの接続数が上限に達しています",
        "the database has no connection slots left",
    ),
    "db.starting": (
        "データベースは起動中または停止中です。しばらくしてからもう一度お試しください",
        "the database is starting up or shutting down; try again in a moment",
    ),
    "db.closed": (
        "データベースのサーバーが接続を切りました",
        "the database server closed the connection",
    ),
    "db.other": (
        "データベースの応答: {detail}",
        "the database said: {detail}",
    ),
}
