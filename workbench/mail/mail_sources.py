"""Where replies and bounces are read from: a Maildir folder or an IMAP mailbox.

Both hand out `(key, raw bytes)` for the mail not yet processed and mark a mail done once its
meaning is stored (Maildir: moved from new/ to cur/ with the S flag; IMAP: \\Seen). Nothing is
ever deleted. A mail fetched but not marked (a crash in between) is fetched again next time, so
the consumer must treat a mail it has already stored as done.
"""

from __future__ import annotations

import base64
import imaplib
import os
import re
import ssl
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType

from workbench.config import MailboxSettings
from workbench.messages import say

_SECURITIES = ("none", "starttls", "tls")
_FETCH_TIMEOUT = 60.0


class MailSourceError(Exception):
    """A mailbox a user configured cannot be read; the message says which and why, on one line."""


class MaildirSource:
    """A Maildir folder (new/, cur/, tmp/), as written by Postfix, procmail or fetchmail."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path).expanduser()
        self._files: dict[str, Path] = {}

    def __enter__(self) -> MaildirSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._files.clear()

    def __repr__(self) -> str:
        return f"MaildirSource({str(self.path)!r})"

    def fetch(self) -> Iterator[tuple[str, bytes]]:
        """Every mail in new/, and in cur/ without the S (seen) flag, oldest name first."""
        missing = [d for d in ("new", "cur", "tmp") if not (self.path / d).is_dir()]
        if missing:
            raise MailSourceError(
                say("mail.not_maildir", path=self.path, missing=", ".join(d + "/" for d in missing))
            )
        for subdir in ("new", "cur"):
            try:
                names = sorted(os.listdir(self.path / subdir))
            except OSError as error:
                raise MailSourceError(
                    say("mail.maildir_unreadable", path=self.path, error=error)
                ) from error
            for name in names:
                if name.startswith("."):
                    continue
                key, _, flags = name.partition(":2,")
                if subdir == "cur" and "S" in flags:
                    continue
                file = self.path / subdir / name
                try:
                    raw = file.read_bytes()
                except FileNotFoundError:
                    continue  # taken by a concurrent run
                except OSError as error:
                    raise MailSourceError(
                        say("mail.mail_unreadable", file=file, error=error)
                    ) from error
                self._files[key] = file
                yield key, raw

    def mark_done(self, key: str) -> None:
        """Move the mail to cur/ with the S flag added (its other flags kept)."""
        file = self._files.pop(key, None)
        if file is None:
            raise KeyError(f"not a mail fetched from {self.path}: {key}")
        _, _, flags = file.name.partition(":2,")
        flags = "".join(sorted(set(flags) | {"S"}))
        target = self.path / "cur" / f"{key}:2,{flags}"
        if file == target:
            return
        try:
            os.rename(file, target)
        except FileNotFoundError:
            return  # a concurrent run marked it first
        except OSError as error:
            raise MailSourceError(say("mail.mark_failed", path=self.path, error=error)) from error


class ImapSource:
    """An IMAP folder: the unseen mail by UID, read with BODY.PEEK[] (so reading marks nothing),
    marked \\Seen once done. Use it as a context manager; it connects on first use."""

    def __init__(
        self,
        settings: MailboxSettings,
        password: str | None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if settings.imap_security not in _SECURITIES:
            raise MailSourceError(say("mail.bad_security", value=repr(settings.imap_security)))
        self._settings = settings
        self._password = password
        self._ssl_context = ssl_context
        self._client: imaplib.IMAP4 | None = None

    def __repr__(self) -> str:
        s = self._settings
        return f"ImapSource({s.imap_username}@{s.imap_host}:{s.imap_port}/{s.imap_folder})"

    def __enter__(self) -> ImapSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the folder and log out (quietly if the server is already gone)."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.close()
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            client.shutdown()

    @property
    def _where(self) -> str:
        s = self._settings
        return f"{s.imap_host}:{s.imap_port}"

    def _connect(self) -> imaplib.IMAP4:
        if self._client is not None:
            return self._client
        s = self._settings
        context = self._ssl_context or ssl.create_default_context()
        try:
            client: imaplib.IMAP4
            if s.imap_security == "tls":
                client = imaplib.IMAP4_SSL(s.imap_host, s.imap_port, ssl_context=context,
                                           timeout=_FETCH_TIMEOUT)  # fmt: skip
            else:
                client = imaplib.IMAP4(s.imap_host, s.imap_port, timeout=_FETCH_TIMEOUT)
                if s.imap_security == "starttls":
                    client.starttls(ssl_context=context)
        except (imaplib.IMAP4.error, OSError) as error:
            raise MailSourceError(say(
                "mail.no_connection", where=self._where, security=s.imap_security,
                error=f"{type(error).__name__}: {error}",
            )) from error  # fmt: skip
        try:
            client.login(s.imap_username, self._password or "")
        except (imaplib.IMAP4.error, OSError) as error:
            client.shutdown()
            raise MailSourceError(say(
                "mail.login_refused", user=s.imap_username, where=self._where, reason=_reason(error)
            )) from error  # fmt: skip
        try:
            status, detail = client.select(_mailbox_name(s.imap_folder))
        except (imaplib.IMAP4.error, OSError) as error:
            status, detail = "NO", [str(error).encode()]
        if status != "OK":
            client.logout()
            raise MailSourceError(say(
                "mail.no_folder", folder=repr(s.imap_folder), where=self._where,
                reason=_reason(detail),
            ))  # fmt: skip
        self._client = client
        return client

    def fetch(self) -> Iterator[tuple[str, bytes]]:
        """Every unseen mail of the folder, by UID ascending; the key is the UID."""
        client = self._connect()
        try:
            status, data = client.uid("SEARCH", "UNSEEN")
            if status != "OK":
                raise MailSourceError(
                    say("mail.search_failed", where=self._where, reason=_reason(data))
                )
            uids = sorted(int(uid) for uid in (data[0] or b"").split())
            for uid in uids:
                status, parts = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) == 2), None)
                if status != "OK" or not isinstance(raw, bytes):
                    continue  # expunged meanwhile
                yield str(uid), raw
        except (imaplib.IMAP4.abort, OSError) as error:
            self._drop()
            raise MailSourceError(say("mail.lost", where=self._where, error=error)) from error

    def mark_done(self, key: str) -> None:
        """Flag the mail \\Seen."""
        if not key.isdigit():
            raise KeyError(f"not an IMAP UID: {key!r}")
        client = self._connect()
        try:
            status, data = client.uid("STORE", key, "+FLAGS.SILENT", "(\\Seen)")
        except (imaplib.IMAP4.error, OSError) as error:
            self._drop()
            raise MailSourceError(say("mail.lost", where=self._where, error=error)) from error
        if status != "OK":
            raise MailSourceError(
                say("mail.flag_failed", uid=key, where=self._where, reason=_reason(data))
            )

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.shutdown()


def _reason(detail: object) -> str:
    if isinstance(detail, imaplib.IMAP4.error):
        detail = detail.args[0] if detail.args else str(detail)
    if isinstance(detail, list):
        detail = b" ".join(d for d in detail if isinstance(d, bytes))
    if isinstance(detail, bytes):
        detail = detail.decode("utf-8", "replace")
    return " ".join(str(detail).split())


def _mailbox_name(folder: str) -> str:
    """A folder name as an IMAP quoted string, non-ASCII in modified UTF-7 (RFC 3501 5.1.3)."""
    encoded: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            data = "".join(run).encode("utf-16-be")
            b64 = base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",")
            encoded.append(f"&{b64}-")
            run.clear()

    for char in folder:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            run.append(char)
    flush()
    name = "".join(encoded)
    return '"' + re.sub(r'(["\\])', r"\\\1", name) + '"'


def open_sources(
    settings: MailboxSettings, env: Mapping[str, str], maildir: Path | None = None
) -> list[MaildirSource | ImapSource]:
    """The sources to read: `maildir` (the --maildir option) or else `mailbox.maildir`, and the
    IMAP folder when `mailbox.imap_host` is set. An empty list when nothing is configured."""
    sources: list[MaildirSource | ImapSource] = []
    folder = (
        maildir if maildir is not None else (Path(settings.maildir) if settings.maildir else None)
    )
    if folder is not None:
        sources.append(MaildirSource(folder))
    if settings.imap_host:
        if not settings.imap_username:
            raise MailSourceError(say("mail.no_username"))
        password = env.get(settings.imap_password_env) if settings.imap_password_env else None
        if not password:
            name = settings.imap_password_env or "(mailbox.imap_password_env)"
            raise MailSourceError(say("mail.no_password", name=name))
        sources.append(ImapSource(settings, password))
    return sources
