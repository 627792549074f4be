"""Mail sources: a Maildir on disk and a real dovecot IMAP server on loopback."""

from __future__ import annotations

import mailbox
import ssl
from dataclasses import replace
from pathlib import Path

import pytest
from servers import ImapTestServer, TlsFiles

from workbench.config import MailboxSettings
from workbench.mail.inbound import parse_inbound
from workbench.mail.mail_sources import ImapSource, MaildirSource, MailSourceError, open_sources

SAMPLES = ["reply_iso2022jp.eml", "postfix_bounce_user_unknown.eml", "unsubscribe_mailto.eml"]


def _maildir(tmp_path: Path, mail_data: Path) -> tuple[Path, list[str]]:
    """A Maildir written by the standard library's Maildir writer: two new mails, one read,
    one in cur/ flagged but unread."""
    path = tmp_path / "Maildir"
    box = mailbox.Maildir(path, factory=None, create=True)
    keys = [box.add((mail_data / name).read_bytes()) for name in SAMPLES[:2]]
    read = mailbox.MaildirMessage((mail_data / "other_newsletter.eml").read_bytes())
    read.set_subdir("cur")
    read.add_flag("S")
    box.add(read)
    flagged = mailbox.MaildirMessage((mail_data / SAMPLES[2]).read_bytes())
    flagged.set_subdir("cur")
    flagged.add_flag("F")
    keys.append(box.add(flagged))
    return path, keys


def test_maildir_fetches_unseen_mail_and_marks_it_done(tmp_path: Path, mail_data: Path) -> None:
    path, keys = _maildir(tmp_path, mail_data)
    source = MaildirSource(path)
    fetched = dict(source.fetch())
    assert sorted(fetched) == sorted(keys)
    kinds = sorted(parse_inbound(raw).kind for raw in fetched.values())
    assert kinds == ["bounce", "reply", "unsubscribe"]
    for key in fetched:
        source.mark_done(key)
    assert list(source.fetch()) == []
    names = sorted(p.name for p in (path / "cur").iterdir())
    assert len(names) == 4 and list((path / "new").iterdir()) == []
    assert f"{keys[2]}:2,FS" in names  # its own flag kept
    assert all(name.endswith("S") for name in names)
    box = mailbox.Maildir(path, factory=None, create=False)
    assert len(box) == 4  # nothing deleted
    assert "S" in box.get_message(keys[0]).get_flags()


def test_maildir_mail_not_marked_comes_again(tmp_path: Path, mail_data: Path) -> None:
    path, keys = _maildir(tmp_path, mail_data)
    source = MaildirSource(path)
    first = [key for key, _ in source.fetch()]
    source.mark_done(first[0])
    again = [key for key, _ in MaildirSource(path).fetch()]
    assert sorted(again) == sorted(first[1:])


def test_maildir_mark_done_twice_and_unknown_keys(tmp_path: Path, mail_data: Path) -> None:
    path, _ = _maildir(tmp_path, mail_data)
    first, second = MaildirSource(path), MaildirSource(path)
    key = next(iter(first.fetch()))[0]
    assert next(iter(second.fetch()))[0] == key
    first.mark_done(key)
    second.mark_done(key)  # a concurrent run already moved it: nothing to do
    assert len(list((path / "cur").iterdir())) == 3
    with pytest.raises(KeyError):
        first.mark_done("never-fetched")


def test_a_folder_that_is_not_a_maildir_in_japanese_by_default(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    with pytest.raises(MailSourceError, match=r"Maildir ではありません（cur/, tmp/ がありません）"):
        list(MaildirSource(tmp_path).fetch())
    with pytest.raises(MailSourceError, match="環境変数 WB_IMAP_PASSWORD を設定"):
        open_sources(MailboxSettings(imap_host="127.0.0.1", imap_username="alice",
                                     imap_password_env="WB_IMAP_PASSWORD"), {})  # fmt: skip


@pytest.mark.usefixtures("english_messages")
def test_a_folder_that_is_not_a_maildir(tmp_path: Path) -> None:
    (tmp_path / "new").mkdir()
    with pytest.raises(MailSourceError, match=r"not a Maildir \(no cur/, tmp/\)"):
        list(MaildirSource(tmp_path).fetch())
    with pytest.raises(MailSourceError, match="not a Maildir"):
        list(MaildirSource(tmp_path / "missing").fetch())


def _imap_settings(server: ImapTestServer, **changes: object) -> MailboxSettings:
    base = MailboxSettings(
        imap_host=server.host,
        imap_port=server.port,
        imap_security="none",
        imap_username=server.user,
        imap_password_env="WB_IMAP_PASSWORD",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_imap_fetches_unseen_by_uid_without_marking(
    imap_server: ImapTestServer, mail_data: Path
) -> None:
    raws = [(mail_data / name).read_bytes() for name in SAMPLES]
    imap_server.deliver((mail_data / "other_newsletter.eml").read_bytes(), seen=True)
    for raw in raws:
        imap_server.deliver(raw)
    with ImapSource(_imap_settings(imap_server), imap_server.password) as source:
        fetched = list(source.fetch())
    assert [key for key, _ in fetched] == ["2", "3", "4"]
    assert [raw for _, raw in fetched] == raws  # the bytes as delivered
    flags = imap_server.flags()
    assert "\\Seen" in flags[1]
    assert all("\\Seen" not in flags[uid] for uid in (2, 3, 4))  # BODY.PEEK marks nothing


def test_imap_mark_done_sets_seen(imap_server: ImapTestServer, mail_data: Path) -> None:
    for name in SAMPLES:
        imap_server.deliver((mail_data / name).read_bytes())
    settings = _imap_settings(imap_server)
    with ImapSource(settings, imap_server.password) as source:
        keys = [key for key, _ in source.fetch()]
        source.mark_done(keys[0])
        source.mark_done(keys[2])
    assert "\\Seen" in imap_server.flags()[int(keys[0])]
    with ImapSource(settings, imap_server.password) as source:
        assert [key for key, _ in source.fetch()] == [keys[1]]
        with pytest.raises(KeyError):
            source.mark_done("1:*")


def test_imap_reads_the_configured_folder(imap_server: ImapTestServer, mail_data: Path) -> None:
    imap_server.deliver((mail_data / SAMPLES[0]).read_bytes())
    imap_server.deliver((mail_data / SAMPLES[1]).read_bytes(), "Replies")
    imap_server.deliver((mail_data / SAMPLES[2]).read_bytes(), "&j9RP4Q-")  # 返信 in IMAP UTF-7
    for folder, sample in (("Replies", SAMPLES[1]), ("返信", SAMPLES[2])):
        settings = _imap_settings(imap_server, imap_folder=folder)
        with ImapSource(settings, imap_server.password) as source:
            assert [raw for _, raw in source.fetch()] == [(mail_data / sample).read_bytes()]


@pytest.mark.usefixtures("english_messages")
def test_imap_errors_a_user_can_hit(imap_server: ImapTestServer) -> None:
    settings = _imap_settings(imap_server)
    with pytest.raises(MailSourceError, match="IMAP login refused for alice") as refused:
        list(ImapSource(settings, "wrong").fetch())
    assert "\n" not in str(refused.value)
    missing = replace(settings, imap_folder="Nowhere")
    with pytest.raises(MailSourceError, match="cannot open the IMAP folder 'Nowhere'"):
        list(ImapSource(missing, imap_server.password).fetch())
    no_tls = replace(settings, imap_security="starttls")  # this server offers no STARTTLS
    with pytest.raises(MailSourceError, match=r"cannot connect .* \(starttls\)"):
        list(ImapSource(no_tls, imap_server.password).fetch())
    imap_server.stop()
    with pytest.raises(MailSourceError, match="cannot connect to the IMAP server 127.0.0.1"):
        list(ImapSource(settings, imap_server.password).fetch())
    with pytest.raises(MailSourceError, match="imap_security"):
        ImapSource(replace(settings, imap_security="ssl"), "x")


@pytest.mark.usefixtures("english_messages")
def test_imap_over_starttls_and_implicit_tls(
    imap_tls_server: ImapTestServer, tls_files: TlsFiles, mail_data: Path
) -> None:
    raw = (mail_data / SAMPLES[0]).read_bytes()
    imap_tls_server.deliver(raw)
    context = tls_files.client_context()
    starttls = _imap_settings(imap_tls_server, imap_security="starttls")
    implicit = _imap_settings(imap_tls_server, imap_security="tls",
                              imap_port=imap_tls_server.tls_port)  # fmt: skip
    for settings in (starttls, implicit):
        with ImapSource(settings, imap_tls_server.password, ssl_context=context) as source:
            assert [r for _, r in source.fetch()] == [raw]
    untrusted = ImapSource(
        implicit, imap_tls_server.password, ssl_context=ssl.create_default_context()
    )
    with pytest.raises(MailSourceError, match="cannot connect"):
        list(untrusted.fetch())


@pytest.mark.usefixtures("english_messages")
def test_open_sources(tmp_path: Path) -> None:
    assert open_sources(MailboxSettings(), {}) == []
    configured = open_sources(MailboxSettings(maildir=str(tmp_path / "box")), {})
    assert [type(s) for s in configured] == [MaildirSource]
    assert configured[0].path == tmp_path / "box"  # type: ignore[union-attr]
    override = open_sources(MailboxSettings(maildir="/elsewhere"), {}, maildir=tmp_path)
    assert override[0].path == tmp_path  # type: ignore[union-attr]
    imap = MailboxSettings(imap_host="127.0.0.1", imap_username="alice",
                           imap_password_env="WB_IMAP_PASSWORD")  # fmt: skip
    with pytest.raises(MailSourceError, match="WB_IMAP_PASSWORD"):
        open_sources(imap, {})
    with pytest.raises(MailSourceError, match="imap_username"):
        open_sources(replace(imap, imap_username=""), {"WB_IMAP_PASSWORD": "pw"})
    both = open_sources(imap, {"WB_IMAP_PASSWORD": "pw"}, maildir=tmp_path)
    assert [type(s) for s in both] == [MaildirSource, ImapSource]


def test_open_sources_reads_a_real_imap_server(
    imap_server: ImapTestServer, mail_data: Path
) -> None:
    imap_server.deliver((mail_data / "reply_shift_jis.eml").read_bytes())
    (source,) = open_sources(_imap_settings(imap_server), {"WB_IMAP_PASSWORD": "wonderland"})
    assert isinstance(source, ImapSource)
    with source:
        ((key, raw),) = list(source.fetch())
        mail = parse_inbound(raw)
        source.mark_done(key)
    assert mail.kind == "reply" and "①料金" in mail.text
    assert "\\Seen" in imap_server.flags()[int(key)]
