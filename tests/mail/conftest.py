"""Mail fixtures: a real SMTP server (aiosmtpd) and a real IMAP server (dovecot) on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import DOVECOT, ImapTestServer, SmtpTestServer, TlsFiles, make_tls_files


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1, shared by the session's TLS servers."""
    return make_tls_files(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def smtp_server() -> Iterator[SmtpTestServer]:
    """A plain SMTP server on 127.0.0.1:`port` recording every message in `.messages`."""
    with SmtpTestServer() as server:
        yield server


@pytest.fixture
def smtp_starttls_server(tls_files: TlsFiles) -> Iterator[SmtpTestServer]:
    """An SMTP server requiring STARTTLS and AUTH (user 'mailer', password 's3cret')."""
    with SmtpTestServer(
        security="starttls", tls_files=tls_files, credentials=("mailer", "s3cret")
    ) as server:
        yield server


@pytest.fixture
def smtp_tls_server(tls_files: TlsFiles) -> Iterator[SmtpTestServer]:
    """An SMTP server with implicit TLS (SMTPS) and AUTH (user 'mailer', password 's3cret')."""
    with SmtpTestServer(
        security="tls", tls_files=tls_files, credentials=("mailer", "s3cret")
    ) as server:
        yield server


@pytest.fixture
def mail_data() -> Path:
    """The folder of sample mails (tests/data/mail)."""
    return Path(__file__).resolve().parent.parent / "data" / "mail"


@pytest.fixture
def imap_server(tmp_path: Path) -> Iterator[ImapTestServer]:
    """A real dovecot IMAP server on 127.0.0.1:`port` (plain), user `user`/`password`;
    put mail in with `deliver(raw, folder)`. Fails, never skips, when dovecot is missing."""
    yield from _imap(tmp_path / "dovecot", None)


@pytest.fixture
def imap_tls_server(tmp_path: Path, tls_files: TlsFiles) -> Iterator[ImapTestServer]:
    """The same with STARTTLS on `port` and implicit TLS on `tls_port`."""
    yield from _imap(tmp_path / "dovecot", tls_files)


def _imap(folder: Path, tls: TlsFiles | None) -> Iterator[ImapTestServer]:
    if not Path(DOVECOT).exists():
        pytest.fail(
            f"dovecot is needed for the IMAP tests ({DOVECOT}): apt-get install dovecot-imapd"
        )
    server = ImapTestServer(folder, tls_files=tls)
    try:
        server.start()
    except RuntimeError as error:
        server.remove()
        pytest.fail(f"dovecot did not start: {error}")
    try:
        yield server
    finally:
        server.remove()
