"""Why the database could not be used, in the interface language.

SQLite and psycopg explain a failed connection or a busy file in English ("database is
locked", "Connection refused"); `db_problem` says the common ones in the catalogue's words,
with the host, port or name they concern.  A failure this table does not know keeps the
driver's own words (after "the database said"), since they are what an administrator needs.
"""

from __future__ import annotations

import re

from workbench.messages import say

_SERVER = r'connection to server at "(?P<host>[^"]*)", port (?P<port>\d+) failed'
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), key)
    for pattern, key in (
        (r"database is locked", "db.locked"),
        (r"unable to open database file", "db.cannot_open"),
        (r"disk I/O error", "db.disk_io"),
        (r"database or disk is full|No space left on device", "db.disk_full"),
        (r"file is not a database|database disk image is malformed", "db.not_a_database"),
        (_SERVER + r": Connection refused", "db.refused"),
        (r'database "(?P<name>[^"]*)" does not exist', "db.no_database"),
        (r'role "(?P<name>[^"]*)" does not exist', "db.no_role"),
        (r'password authentication failed for user "(?P<name>[^"]*)"', "db.bad_password"),
        (r"failed to resolve host '(?P<host>[^']*)'", "db.unknown_host"),
        (r'could not translate host name "(?P<host>[^"]*)"', "db.unknown_host"),
        (r"timeout expired|timed out", "db.timeout"),
        (r"too many clients|remaining connection slots are reserved", "db.too_many"),
        (r"the database system is (?:starting up|shutting down|in recovery mode)", "db.starting"),
        (r"server closed the connection unexpectedly|terminating connection", "db.closed"),
    )
)


def known_db_problem(error: BaseException) -> str | None:
    """What went wrong, when `error` (a SQLAlchemy `DBAPIError`, or the driver's own error) is
    one of the failures above; None otherwise (a bug in a statement, say)."""
    text = str(getattr(error, "orig", None) or error)
    for pattern, key in _PATTERNS:
        found = pattern.search(text)
        if found:
            return say(key, **found.groupdict())
    return None


def db_problem(error: BaseException) -> str:
    """What went wrong with the database, in the interface language; the driver's own words
    for a failure not in the table."""
    cause = getattr(error, "orig", None) or error
    return known_db_problem(cause) or say(
        "db.other", detail=str(cause).strip() or type(cause).__name__
    )
