"""Errors of reading a CSV file and its rows (`workbench import`, `dispose --file`): key ->
(ja, en).  File, line and column stay in the text in both languages, as `<file>:<line>:` (the
shape editors and `dispose --file`'s row problems use); column names and codes stay as they are."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # the file as a whole (`ImportFileError`)
    "import.not_found": ("{path}: ファイルが見つかりません", "{path}: file not found"),
    "import.is_directory": (
        "{path}: フォルダーです（{what}ではありません）。ファイルのパスを指定してください",
        "{path}: is a directory, not {what}; give the file's path",
    ),
    "import.what_csv": ("CSV ファイル", "a CSV file"),
    "import.what_mapping": ("列対応の TOML ファイル", "a column-mapping TOML file"),
    "import.looks_utf8": (
        "{path}:{line}: UTF-8 のようですが、UTF-8 として読めないバイトがあります。"
        "ファイルを直すか --encoding を指定してください",
        "{path}:{line}: looks like UTF-8 but has bytes that are not; fix the file or pass "
        "--encoding",
    ),
    "import.no_encoding": (
        "{path}: UTF-8 でも Shift_JIS（CP932）でもありません。--encoding を指定してください",
        "{path}: neither UTF-8 nor Shift_JIS (CP932); pass --encoding",
    ),
    "import.unknown_encoding": (
        "{path}: 文字コード {encoding} は使えません（utf-8、utf-8-sig、cp932 などを指定してください）",
        "{path}: unknown encoding {encoding} (try utf-8, utf-8-sig or cp932)",
    ),
    "import.bad_bytes": (
        "{path}:{line}: {encoding} として読めないバイトがあります（{detail}）。"
        "ファイルの文字コードを確かめるか --encoding を指定してください",
        "{path}:{line}: bytes not valid {encoding} ({detail}); check the file's encoding or "
        "pass --encoding",
    ),
    "import.header_bytes": (
        "{path}:1: 見出し行が {encoding} として読めません。--encoding を指定してください",
        "{path}:1: header not valid {encoding}; pass --encoding",
    ),
    "import.malformed": (
        "{path}:{line}: CSV の形式が正しくありません: {detail}",
        "{path}:{line}: malformed CSV: {detail}",
    ),
    "import.header_malformed": (
        "{path}:1: 見出し行の CSV の形式が正しくありません: {detail}",
        "{path}:1: malformed CSV header: {detail}",
    ),
    "import.empty_file": (
        "{path}:1: ファイルが空です（見出し行が必要です）",
        "{path}:1: empty file, expected a header line",
    ),
    "import.missing_columns": (
        "{path}:1: 列 {missing} がありません（見出し行: {header}）",
        "{path}:1: missing column(s) {missing}; header is {header}",
    ),
    "import.unknown_columns": (
        "{path}:1: 不明な列 {unknown} があります。列対応ファイル（--mapping）を使ってください",
        "{path}:1: unknown column(s) {unknown}; use a mapping file (--mapping)",
    ),
    "import.duplicated_columns": (
        "{path}:1: 列 {duplicated} が重複しています",
        "{path}:1: duplicated column(s) {duplicated}",
    ),
    "import.mapping_not_utf8": ("UTF-8 で保存してください", "save it as UTF-8"),
    "import.mapping_no_access": ("読み取りの権限がありません", "no permission to read it"),
    "import.mapping_unreadable": (
        "{path}: 列対応ファイルを読めません: {detail}",
        "{path}: cannot read column mapping: {detail}",
    ),
    "import.mapping_columns": (
        '{path}: [columns] 表には canonical = "見出し" の形で文字列を書いてください',
        '{path}: expected a [columns] table of canonical = "header" strings',
    ),
    "import.mapping_values": (
        '{path}: [values.<列>] 表には "元の値" = "変換後の値" の形で文字列を書いてください',
        '{path}: expected [values.<column>] tables of "their value" = "canonical value" strings',
    ),
    "import.mapping_empty": (
        "{path}: [columns] 表も [values.<列>] 表もありません",
        "{path}: no [columns] or [values.<column>] table",
    ),
    "import.mapping_not_column": (
        "{path}: [values.{column}]: {kind} の列ではありません（使える列: {known}）",
        "{path}: [values.{column}]: not a {kind} column (known: {known})",
    ),
    "import.unknown_kind": (
        "取り込みの種類 {kind} は使えません（customers、transactions、contacts のいずれか）",
        "unknown import kind {kind}: customers, transactions or contacts",
    ),
    "import.rejects_directory": (
        "--rejects: {path} はフォルダーです。書き出すファイルのパスを指定してください",
        "--rejects: {path} is a directory; give the path of a file to write",
    ),
    # one row (`RowError`, the rejects file's reason column); the column is said before it
    "row.field_count": (
        "列の数が {count} 個です（見出し行は {width} 個）",
        "row has {count} fields, the header has {width}",
    ),
    "row.oversized": (
        "{length} 文字あり、1 つの欄に入る {limit} 文字を超えています",
        "{length} characters, more than the {limit} a field may hold",
    ),
    "row.empty": ("必須の値が空です", "required value is empty"),
    "row.too_long": ("{max} 文字を超えています", "longer than {max} characters"),
    "row.kind": (
        "b2c か b2b のどちらかを指定してください（値: {value}）",
        "must be b2c or b2b, got {value}",
    ),
    "row.email": ("メールアドレスではありません: {value}", "not an email address: {value}"),
    "row.channel": (
        "{allowed} のいずれかを指定してください（値: {value}）",
        "must be one of {allowed}, got {value}",
    ),
    "row.direction": (
        "outbound か inbound のどちらかを指定してください（値: {value}）",
        "must be outbound or inbound, got {value}",
    ),
    "row.outcome": (
        "{outcome} は {direction} の {channel} の結果コードではありません（使えるもの: {allowed}）",
        "{outcome} is not an {direction} {channel} outcome ({allowed})",
    ),
    "row.reason": (
        "休眠理由 {reason} は分類にありません（使えるもの: {known}）",
        "unknown dormancy reason {reason} (known: {known})",
    ),
    "row.unknown_customer": (
        "顧客 ID {customer} が見つかりません。先に顧客（customers）を取り込んでください",
        "unknown customer {customer}: import customers first",
    ),
    "row.duplicate_customer": (
        "顧客 ID {customer} が重複しています（最初は {first} 行目）",
        "duplicate customer_id {customer} (first at line {first})",
    ),
    # values people write (also `workbench dispose --amount`)
    "value.bool": (
        "1/0、true/false、yes/no のいずれかで指定してください（値: {value}）",
        "expected 1/0, true/false or yes/no, got {value}",
    ),
    "value.yen": (
        "金額は 12800 のように円単位の整数で指定してください（値: {value}）",
        "expected a whole-yen amount like 12800, got {value}",
    ),
    "value.datetime": (
        "日時は 2024-01-05T10:00+09:00 のように指定してください（値: {value}）",
        "expected a date/time like 2024-01-05T10:00+09:00, got {value}",
    ),
    "value.datetime_empty": ("日時が空です", "empty date/time"),
    "value.phone_empty": ("電話番号が空です", "empty phone number"),
    "value.phone_characters": (
        "電話番号に使えない文字があります: {value}",
        "invalid characters in phone number {value}",
    ),
    "value.phone_invalid": (
        "その地域の有効な電話番号ではありません: {value}",
        "not a valid number for its region: {value}",
    ),
    "value.phone_other": ("電話番号として使えません（{detail}）", "{detail}"),
}
