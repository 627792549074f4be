"""Inbound mail read from sample files (tests/data/mail, see its SOURCE.md) and from mails
built and sent by the workbench itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from workbench.mail.inbound import InboundMail, decode_japanese, parse_inbound
from workbench.mail.mime import (
    build_message,
    message_bytes,
    message_token,
    new_message_id,
    reply_address,
    unsubscribe_mailto,
)

JST = timezone(timedelta(hours=9))
TOKEN = "3f2a9c0d41b7e8a65c19"
MID = f"<{TOKEN}.8d04e1aa27c3@example.co.jp>"
TOKEN2 = "9b1e7d2c0a4f6e8d3b51"
MID2 = f"<{TOKEN2}.51c0ffee9a1b@example.co.jp>"


def _read(mail_data: Path, name: str, **kwargs: object) -> InboundMail:
    return parse_inbound((mail_data / name).read_bytes(), **kwargs)  # type: ignore[arg-type]


def test_postfix_bounce(mail_data: Path) -> None:
    mail = _read(mail_data, "postfix_bounce_user_unknown.eml")
    assert mail.kind == "bounce"
    assert mail.bounced_recipients == ("hanako@example.ne.jp",)
    assert mail.status == "5.1.1"
    assert mail.referenced_ids == (MID,)
    assert mail.token == TOKEN
    assert mail.from_address == "mailer-daemon@mail.example.co.jp"
    assert mail.at == datetime(2026, 12, 1, 10, 31, 7, tzinfo=JST)
    assert mail.subject == "Undelivered Mail Returned to Sender"
    assert "User unknown" in mail.text
    assert "Message-ID" not in mail.text  # the returned headers are not the text


def test_a_delay_warning_is_not_a_bounce(mail_data: Path) -> None:
    mail = _read(mail_data, "postfix_delayed.eml")
    assert mail.kind == "other"
    assert mail.status == "4.4.1"
    assert mail.bounced_recipients == ()
    assert mail.referenced_ids == (MID2,)


def test_exim_bounce_returning_the_whole_message(mail_data: Path) -> None:
    mail = _read(mail_data, "exim_bounce_full_message.eml")
    assert mail.kind == "bounce"
    assert mail.bounced_recipients == ("kenta.sato@example.org",)
    assert mail.status == "5.2.2"
    # the returned message's own In-Reply-To is not something the bounce refers to
    assert mail.referenced_ids == (MID2,)
    assert mail.token == TOKEN2
    assert "Mailbox full" in mail.text and "お久しぶり" not in mail.text


def test_qmail_bounce_without_a_report(mail_data: Path) -> None:
    mail = _read(mail_data, "qmail_bounce.eml")
    assert mail.kind == "bounce"
    assert mail.bounced_recipients == ("ichiro@example.net",)
    assert mail.status == "5.1.1"
    assert mail.referenced_ids == (MID,)


def test_iso2022jp_reply_with_a_windows_character(mail_data: Path) -> None:
    mail = _read(mail_data, "reply_iso2022jp.eml")
    assert mail.kind == "reply"
    assert mail.referenced_ids == (MID,)
    assert mail.token == TOKEN
    assert mail.from_address == "taro.yamada@example.com"
    assert mail.subject == "Re: 【サンプル商事】山田様、お久しぶりです"
    assert "一度お電話いただけますか。" in mail.text
    assert "①平日の午後なら大丈夫です。" in mail.text
    assert mail.at == datetime(2026, 12, 2, 4, 5, 18, tzinfo=UTC)


def test_shift_jis_reply_matched_by_its_address_only(mail_data: Path) -> None:
    mail = _read(mail_data, "reply_shift_jis.eml")
    assert mail.kind == "reply"
    assert mail.referenced_ids == ()
    assert mail.token == TOKEN2
    assert mail.subject == "Re: 【サンプル商事】ご案内"
    assert "①料金 ～ 月額いくらになりますか？" in mail.text
    assert "鈴木 花子" in mail.text


def test_utf8_alternative_reply_prefers_the_plain_part(mail_data: Path) -> None:
    mail = _read(mail_data, "reply_utf8_alternative.eml")
    assert mail.kind == "reply"
    # In-Reply-To first, then References from the newest back
    assert mail.referenced_ids == (MID, "<older-thread-0@example.co.jp>")
    assert mail.token == TOKEN
    assert mail.text.startswith("ありがとうございます。\n来週、詳しい話を聞かせてください。")
    assert "<div" not in mail.text


@pytest.mark.parametrize(
    ("name", "token"),
    [
        ("unsubscribe_reply_iso2022jp.eml", TOKEN),
        ("unsubscribe_mailto.eml", TOKEN2),
        ("stop_reply_en.eml", TOKEN2),
    ],
)
def test_unsubscribe_requests(mail_data: Path, name: str, token: str) -> None:
    mail = _read(mail_data, name)
    assert mail.kind == "unsubscribe"
    assert mail.token == token


def test_mail_to_the_unsubscribe_address_is_an_unsubscribe(mail_data: Path) -> None:
    raw = (mail_data / "other_newsletter.eml").read_bytes()
    assert parse_inbound(raw).kind == "other"
    assert parse_inbound(raw, unsubscribe_addresses=["Info <INFO@example.co.jp>"]).kind == (
        "unsubscribe"
    )


@pytest.mark.parametrize("name", ["auto_reply_outlook_ja.eml", "auto_reply_x_autoreply.eml"])
def test_auto_replies_are_not_responses(mail_data: Path, name: str) -> None:
    mail = _read(mail_data, name)
    assert mail.kind == "auto_reply"
    assert mail.token is not None  # still tied to the message, for the history


def test_outlook_auto_reply_is_decoded(mail_data: Path) -> None:
    mail = _read(mail_data, "auto_reply_outlook_ja.eml")
    assert mail.subject == "自動応答: 【サンプル商事】ご案内"
    assert mail.referenced_ids == (MID2,)
    assert "不在にしております" in mail.text


def test_unrelated_mail_is_other(mail_data: Path) -> None:
    mail = _read(mail_data, "other_newsletter.eml")
    assert mail.kind == "other"
    assert mail.token is None and mail.referenced_ids == ()
    assert mail.subject == "今月のおすすめ"


def _reply_to(original_id: str, body: str, subject: str = "Re: ご案内") -> bytes:
    """A reply as a customer's client would write it to a message the workbench sent."""
    token = message_token(original_id)
    reply = build_message(
        sender="taro@example.com",
        sender_name="山田 太郎",
        to=reply_address(token, sender="info@example.co.jp"),
        subject=subject,
        text=body,
        html=None,
        message_id="<r1@example.com>",
        reply_to=None,
        date=datetime(2026, 12, 2, 9, 0, tzinfo=JST),
        unsubscribe_mailto=None,
        unsubscribe_url=None,
    )
    reply["In-Reply-To"] = original_id
    reply["References"] = original_id
    return message_bytes(reply)


def test_a_reply_to_a_built_message_round_trips() -> None:
    original = new_message_id("example.co.jp")
    mail = parse_inbound(_reply_to(original, "ぜひ詳しく教えてください。\n\n> 山田様\n"))
    assert mail.kind == "reply"
    assert mail.referenced_ids == (original,)
    assert mail.token == message_token(original)
    assert mail.from_address == "taro@example.com"


@pytest.mark.parametrize(
    ("body", "subject", "kind"),
    [
        ("登録解除をお願いします。\n", "Re: ご案内", "unsubscribe"),
        ("ありがとうございます。\n", "配信停止", "unsubscribe"),
        ("Please unsubscribe me.\n", "Re: hello", "unsubscribe"),
        ("stop\n", "Re: hello", "unsubscribe"),
        # "stop" inside a sentence and 配信停止 only in the quoted original are replies
        ("I can't stop thinking about the trial.\n", "Re: hello", "reply"),
        ("電話ください。\n\n> 配信停止はこちら\n", "Re: ご案内", "reply"),
    ],
)
def test_unsubscribe_wording(body: str, subject: str, kind: str) -> None:
    mail = parse_inbound(_reply_to(new_message_id("example.co.jp"), body, subject))
    assert mail.kind == kind


def test_a_list_unsubscribe_mailto_reply_carries_the_token() -> None:
    token = message_token(new_message_id("example.co.jp"))
    uri = unsubscribe_mailto("unsubscribe@example.co.jp", token)
    raw = (
        "From: someone@example.org\r\nTo: unsubscribe@example.co.jp\r\n"
        f"Subject: unsubscribe {token}\r\nDate: Thu, 3 Dec 2026 07:02:11 +0000\r\n\r\n"
        f"(sent by a client for {uri})\r\n"
    ).encode()
    mail = parse_inbound(raw)
    assert (mail.kind, mail.token) == ("unsubscribe", token)


def test_broken_and_unlabelled_mail_never_raises() -> None:
    mail = parse_inbound(b"garbage without headers\r\n\xff\xfe")
    assert mail.kind == "other"
    assert mail.at is None and mail.from_address is None
    no_date = parse_inbound(b"From: a@example.com\r\nDate: not a date\r\n\r\nhi\r\n")
    assert no_date.at is None


def test_decode_japanese_guesses_and_supersets() -> None:
    text = "①～高橋様"
    assert decode_japanese(text.encode("cp932"), "Shift_JIS") == text
    assert decode_japanese(text.encode("cp932"), None) == text
    assert decode_japanese("お世話になります".encode("euc_jp"), "EUC-JP") == "お世話になります"
    assert decode_japanese("お世話になります".encode("iso2022_jp"), None) == "お世話になります"
    assert decode_japanese("日本語".encode(), "x-unknown") == "日本語"
    # JIS X 0201 half-width katakana (ESC ( I) as some phones still send
    assert decode_japanese(b"\x1b(I6\x1b(B", "iso-2022-jp") == "ｶ"


@pytest.mark.parametrize(
    ("subject", "headers", "kind"),
    [
        ("自動応答: ご案内", "", "auto_reply"),
        ("【自動返信】お問い合わせありがとうございます", "", "auto_reply"),
        ("Out of Office: Welcome back", "", "auto_reply"),
        ("Re: ご案内", "Precedence: bulk\r\n", "auto_reply"),
        ("Re: ご案内", "Auto-Submitted: auto-generated\r\n", "auto_reply"),
        ("Re: ご案内", "Auto-Submitted: no\r\n", "reply"),
        # a person answering a subject that mentions absence or a vacation is a reply
        ("Re: ご不在の間に新しくなりました", "", "reply"),
        ("Re: Vacation packages for returning customers", "", "reply"),
    ],
)
def test_auto_reply_signals(subject: str, headers: str, kind: str) -> None:
    original = new_message_id("example.co.jp")
    raw = _reply_to(original, "よろしくお願いします。\n", subject)
    head, body = raw.split(b"\r\n\r\n", 1)
    mail = parse_inbound(head + b"\r\n" + headers.encode() + b"\r\n" + body)
    assert mail.kind == kind
