"""Errors in the settings (`workbench.toml` and the `WORKBENCH_*` variables): key -> (ja, en).

Each text starts with the place: `{where}` is the file with its line and key
(`workbench.toml:3: キー 'calling.max_per_day'`) or the environment variable.  Setting
names, file paths, variable names and the values people wrote stay as they are.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # Where a value comes from; the start of every message below.
    "config.place_key": ("{place}: キー '{setting}'", "{place}: key '{setting}'"),
    "config.place_env": ("環境変数 {name}", "environment variable {name}"),
    "config.place_entry": ("{where} の項目 '{part}'", "{where}, entry '{part}'"),
    "config.place_defaults": ("既定値", "defaults"),
    # Reading the file.
    "config.not_found": (
        "{path}: 設定ファイルが見つかりません",
        "{path}: configuration file not found",
    ),
    "config.is_directory": (
        "{path}: フォルダーです。設定ファイルではありません（workbench.toml のパスを指定してください）",
        "{path}: is a directory, not a configuration file; give the path of workbench.toml",
    ),
    "config.unreadable": (
        "{path}: 設定ファイルを読めません（読み取りの権限がありません）",
        "{path}: configuration file cannot be read (permission denied)",
    ),
    "config.not_utf8": (
        "{path}: TOML として読めません: UTF-8 のテキストファイルではありません"
        "（UTF-8 で保存し直してください）",
        "{path}: not valid TOML: the file is not UTF-8 text",
    ),
    "config.bad_toml": (
        "{path}: TOML の書き方に誤りがあります: {error}",
        "{path}: not valid TOML: {error}",
    ),
    # Keys and tables.
    "config.unknown_key": (
        "{place}: '{setting}' という設定はありません（使えるキー: {known}）",
        "{place}: unknown key '{setting}' (known: {known})",
    ),
    "config.not_table": (
        "{place}: '{setting}' はテーブル [{setting}] として書いてください",
        "{place}: '{setting}' must be a table [{setting}]",
    ),
    # Types.
    "config.expected_table": (
        "{where}: テーブルを指定してください（指定: {value}）",
        "{where}: expected a table, got {value}",
    ),
    "config.expected_array": (
        "{where}: [0, 14, 45] のような配列を指定してください（指定: {value}）",
        "{where}: expected an array like [0, 14, 45], got {value}",
    ),
    "config.expected_bool": (
        "{where}: true か false を指定してください（指定: {value}）",
        "{where}: expected true or false, got {value}",
    ),
    "config.expected_whole": (
        "{where}: 整数を指定してください（指定: {value}）",
        "{where}: expected a whole number, got {value}",
    ),
    "config.expected_number": (
        "{where}: 数値を指定してください（指定: {value}）",
        "{where}: expected a number, got {value}",
    ),
    "config.expected_string": (
        "{where}: 文字列を指定してください（指定: {value}）",
        "{where}: expected a string, got {value}",
    ),
    "config.unsupported_type": (
        "{where}: この型の設定には対応していません: {type}",
        "{where}: unsupported setting type {type}",
    ),
    "config.bad_inline_table": (
        '{where}: {{ mon = "09:00-20:00" }} のようなインラインテーブルで指定してください',
        '{where}: expected an inline table like {{ mon = "09:00-20:00" }}',
    ),
    "config.bad_inline_array": (
        "{where}: [0, 14, 45] のような配列で指定してください",
        "{where}: expected an array like [0, 14, 45]",
    ),
    # Values.
    "config.one_of": (
        "{where}: {choices} のいずれかを指定してください（指定: {value}）",
        "{where}: must be {choices}, got {value}",
    ),
    "config.unknown_zone": (
        "{where}: タイムゾーン {zone} が見つかりません（例: Asia/Tokyo）",
        "{where}: unknown time zone {zone}",
    ),
    "config.bad_weekday": (
        "{where}: 曜日は {days} のいずれかで書いてください",
        "{where}: weekday must be one of {days}",
    ),
    "config.bad_window": (
        "{where}: 時間帯は 'HH:MM-HH:MM' の形式で書いてください（指定: {text}）",
        "{where}: expected 'HH:MM-HH:MM', got {text}",
    ),
    "config.window_order": (
        "{where}: 時間帯 {text} は開始を終了より前にしてください",
        "{where}: window {text} must start before it ends",
    ),
    "config.negative": (
        "{where}: 0 以上の値にしてください（指定: {value}）",
        "{where}: must not be negative, got {value}",
    ),
    "config.at_least": (
        "{where}: {low} 以上にしてください（指定: {value}）",
        "{where}: must be at least {low}, got {value}",
    ),
    "config.between": (
        "{where}: {low} 以上 {high} 以下にしてください（指定: {value}）",
        "{where}: must be between {low} and {high}, got {value}",
    ),
    "config.share_0_1": (
        "{where}: 0 以上 1 以下の数値にしてください（指定: {value}）",
        "{where}: must be between 0 and 1, got {value}",
    ),
    "config.share_below_1": (
        "{where}: 0 以上 1 未満の数値にしてください（指定: {value}）",
        "{where}: must be at least 0 and below 1, got {value}",
    ),
    "config.positive": (
        "{where}: 0 より大きい数値にしてください（指定: {value}）",
        "{where}: must be greater than 0, got {value}",
    ),
    "config.lead_weeks": (
        "{where}: season_lead_weeks_max（{high}）以下にしてください（指定: {value}）",
        "{where}: must not exceed season_lead_weeks_max ({high}), got {value}",
    ),
    "config.notice_month": (
        "{where}: 1 以上 deadline_reset_months − 1（{high}）以下にしてください（指定: {value}）",
        "{where}: must be between 1 and deadline_reset_months − 1 ({high}), got {value}",
    ),
    "config.handover": (
        "{where}: {grace} 以下にしてください（約束の時刻から {grace} 分たったかけ直しは"
        "どのみち誰でも取れます）（指定: {value}）",
        "{where}: must be at most {grace} (a callback is everyone's {grace} minutes after "
        "its time in any case), got {value}",
    ),
    "config.session_idle": (
        "{where}: 1440（1 日）以下にしてください（指定: {value}）",
        "{where}: must be at most 1440 (a day), got {value}",
    ),
    "config.rising_days": (
        "{where}: 0 以上の日数を小さい順に並べてください（指定: {value}）",
        "{where}: must be days in rising order, got {value}",
    ),
    "config.bad_now": (
        "{where}: {value} は日時として読めません（2026-11-25T10:30+09:00 や 2026-11-25 10:30 "
        "の形で。オフセットなしは {zone} の時刻）",
        "{where}: {value} is not a date and time (such as 2026-11-25T10:30+09:00 or "
        "2026-11-25 10:30; without an offset, {zone} time)",
    ),
    "config.db_directory": (
        "db: {path} はフォルダーです。データベースファイルのパスを指定してください（例: {example}）",
        "db: {path} is a directory, not a database file (give the file's path, e.g. {example})",
    ),
    "config.db_no_folder": (
        "db: フォルダー {folder} がありません（データベースファイル {path} の置き場所です）",
        "db: the folder {folder} does not exist (the database file {path} would go there)",
    ),
    "config.db_not_url": (
        "db: {url} はデータベースの URL ではありません（{examples}）",
        "db: {url} is not a database URL ({examples})",
    ),
    "config.db_sqlite_driver": (
        "db: SQLite のドライバー {driver} には対応していません（{examples}）",
        "db: the SQLite driver {driver} is not supported ({examples})",
    ),
    "config.db_pg_driver": (
        "db: PostgreSQL のドライバー {driver} はインストールされていません。"
        "postgresql+psycopg:// を使ってください",
        "db: the PostgreSQL driver {driver} is not installed; use postgresql+psycopg://",
    ),
    "config.db_backend": (
        "db: {backend} のデータベースには対応していません。SQLite か PostgreSQL です（{examples}）",
        "db: {backend} databases are not supported: SQLite or PostgreSQL ({examples})",
    ),
    "config.no_email": (
        "smtp.sender / escalation.reply_domain / escalation.unsubscribe_mailto / "
        "escalation.unsubscribe_url: この設定ではメールを作れません: {error}",
        "smtp.sender / escalation.reply_domain / escalation.unsubscribe_mailto / "
        "escalation.unsubscribe_url: no email can be written with these settings: {error}",
    ),
}
