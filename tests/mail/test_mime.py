"""Outgoing MIME: built, serialised to the bytes SMTP carries, parsed back."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta, timezone
from email.header import decode_header, make_header
from email.message import EmailMessage

import pytest

from workbench.mail.mime import (
    build_message,
    message_bytes,
    message_token,
    new_message_id,
    reply_address,
    token_from_address,
    unsubscribe_mailto,
    unsubscribe_token_from_subject,
)

JST = timezone(timedelta(hours=9))
SUBJECT = "【サンプル商事】山田様、お久しぶりです。新しくなったサービスのご案内と無料体験のお知らせ"


def _build(**overrides: object) -> EmailMessage:
    message_id = new_message_id("example.co.jp")
    token = message_token(message_id)
    fields: dict[str, object] = {
        "sender": "info@example.co.jp",
        "sender_name": "サンプル商事株式会社 営業部 佐藤",
        "to": "山田 太郎 <taro@example.com>",
        "subject": SUBJECT,
        "text": "山田太郎様\n\nご無沙汰しております。サンプル商事の佐藤です。\n配信停止: 返信で「配信停止」\n",
        "html": "<p>山田太郎様</p><p>ご無沙汰しております。</p>",
        "message_id": message_id,
        "reply_to": reply_address(token, sender="info@example.co.jp"),
        "date": datetime(2026, 12, 1, 10, 30, tzinfo=JST),
        "unsubscribe_mailto": unsubscribe_mailto("unsubscribe@example.co.jp", token),
        "unsubscribe_url": f"https://example.co.jp/mail/unsubscribe?token={token}&list=winback",
    }
    fields.update(overrides)
    return build_message(**fields)  # type: ignore[arg-type]


def _parse(raw: bytes) -> EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _raw_header(raw: bytes, name: str) -> str:
    """A header's value as sent, unfolded."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").replace("\r\n ", " ")
    prefix = f"{name.lower()}: "
    return next(
        line[len(prefix) :] for line in head.split("\r\n") if line.lower().startswith(prefix)
    )


def test_message_ids_are_unique_and_carry_their_token() -> None:
    ids = {new_message_id("Example.co.jp") for _ in range(500)}
    assert len(ids) == 500
    for message_id in ids:
        assert message_id.startswith("<") and message_id.endswith("@example.co.jp>")
        token = message_token(message_id)
        assert len(token) == 20 and message_id[1:21] == token
    assert len({message_token(i) for i in ids}) == 500


def test_message_token_refuses_foreign_ids() -> None:
    with pytest.raises(ValueError, match="not a Message-ID made by the workbench"):
        message_token("<CAF=abc123@mail.gmail.com>")
    with pytest.raises(ValueError):
        new_message_id("")


def test_reply_address_round_trips_its_token() -> None:
    token = message_token(new_message_id("example.co.jp"))
    address = reply_address(token, sender="Sales <info@example.co.jp>")
    assert address == f"reply+{token}@example.co.jp"
    assert reply_address(token, sender="info@example.co.jp", reply_domain="r.example.jp") == (
        f"reply+{token}@r.example.jp"
    )
    assert token_from_address(address) == token
    assert token_from_address(f'"顧客" <REPLY+{token.upper()}@example.co.jp>') == token
    assert token_from_address("taro@example.com") is None
    assert token_from_address("taro+news@example.com") is None
    assert token_from_address("not an address") is None


def test_unsubscribe_mailto_carries_the_token_in_its_subject() -> None:
    token = message_token(new_message_id("example.co.jp"))
    uri = unsubscribe_mailto("配信停止 <stop@example.co.jp>", token)
    assert uri == f"mailto:stop@example.co.jp?subject=unsubscribe%20{token}"
    assert unsubscribe_token_from_subject(f"Re: unsubscribe {token}") == token
    assert unsubscribe_token_from_subject("unsubscribe please") is None


def test_round_trip_decodes_japanese_headers_and_both_parts() -> None:
    message = _build()
    raw = message_bytes(message)
    raw.decode("ascii")  # nothing 8-bit goes over the wire
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998
    assert b"\n" not in raw.replace(b"\r\n", b"")
    parsed = _parse(raw)
    assert parsed["Subject"] == SUBJECT
    assert b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0]
    # RFC 2047 decoding of the raw header: the standard library's address parser puts a space
    # between two adjacent encoded words of a display name, which the RFC says to drop.
    assert str(make_header(decode_header(_raw_header(raw, "From")))) == (
        "サンプル商事株式会社 営業部 佐藤 <info@example.co.jp>"
    )
    assert parsed["From"].addresses[0].addr_spec == "info@example.co.jp"
    assert parsed["To"].addresses[0].display_name == "山田 太郎"
    assert parsed["Message-ID"] == message["Message-ID"]
    assert parsed["Date"].datetime == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    assert parsed["Reply-To"].startswith("reply+")
    assert parsed.get_content_type() == "multipart/alternative"
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == "utf-8"
    assert "ご無沙汰しております。サンプル商事の佐藤です。" in plain.get_content()
    assert "<p>山田太郎様</p>" in html.get_content()


def test_list_unsubscribe_keeps_both_links_readable() -> None:
    message = _build()
    raw = message_bytes(message)
    header_block = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert "List-Unsubscribe: <mailto:unsubscribe@example.co.jp?subject=unsubscribe%20" in (
        header_block
    )
    parsed = _parse(raw)
    links = [link.strip() for link in parsed["List-Unsubscribe"].split(",")]
    token = message_token(message["Message-ID"])
    assert links == [
        f"<mailto:unsubscribe@example.co.jp?subject=unsubscribe%20{token}>",
        f"<https://example.co.jp/mail/unsubscribe?token={token}&list=winback>",
    ]
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_mailto_only_has_no_one_click_header_and_text_only_is_single_part() -> None:
    message = _build(html=None, unsubscribe_url=None, unsubscribe_mailto="stop@example.co.jp")
    parsed = _parse(message_bytes(message))
    assert parsed["List-Unsubscribe"] == "<mailto:stop@example.co.jp>"
    assert parsed["List-Unsubscribe-Post"] is None
    assert parsed.get_content_type() == "text/plain"
    assert parsed["Content-Transfer-Encoding"] == "base64"
    # base64 carries the canonical CRLF line ends of MIME text
    assert parsed.get_content().startswith("山田太郎様\r\n\r\nご無沙汰しております。")


def test_long_ascii_lines_stay_under_the_smtp_limit() -> None:
    text = "Dear customer,\n" + "x" * 2500 + "\nBye\n"
    message = _build(text=text, html=None, subject="Welcome back")
    raw = message_bytes(message)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert _parse(raw).get_content().replace("\r\n", "\n") == text


def test_inputs_a_user_can_get_wrong_are_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        _build(date=datetime(2026, 12, 1, 10, 30))
    with pytest.raises(ValueError, match="https"):
        _build(unsubscribe_url="http://example.co.jp/u")
    with pytest.raises(ValueError, match="not an email address"):
        _build(to="山田様")
    with pytest.raises(ValueError, match="text/plain"):
        _build(text="  \n")
