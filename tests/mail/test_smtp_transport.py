"""Sending to a real SMTP server (aiosmtpd on loopback): accepted, refused, gone."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import pytest
from servers import SmtpTestServer, TlsFiles

from workbench.config import SmtpSettings
from workbench.mail.mime import (
    build_message,
    message_bytes,
    message_token,
    new_message_id,
    reply_address,
)
from workbench.mail.smtp_transport import RateLimiter, SmtpTransport, smtp_password

JST = timezone(timedelta(hours=9))
SUBJECT = "【サンプル商事】お久しぶりです"


def _settings(server: SmtpTestServer, **changes: object) -> SmtpSettings:
    base = SmtpSettings(host=server.host, port=server.port, sender="info@example.co.jp")
    return replace(base, timeout_seconds=10.0, **changes)  # type: ignore[arg-type]


def _message(to: str = "taro@example.com", subject: str = SUBJECT) -> EmailMessage:
    message_id = new_message_id("example.co.jp")
    return build_message(
        sender="info@example.co.jp",
        sender_name="サンプル商事",
        to=to,
        subject=subject,
        text="山田様\nお久しぶりです。\n",
        html="<p>山田様</p>",
        message_id=message_id,
        reply_to=reply_address(message_token(message_id), sender="info@example.co.jp"),
        date=datetime(2026, 12, 1, 10, 0, tzinfo=JST),
        unsubscribe_mailto="stop@example.co.jp",
        unsubscribe_url=None,
    )


def test_a_batch_goes_over_one_connection(smtp_server: SmtpTestServer) -> None:
    messages = [_message(f"c{i}@example.com", f"{SUBJECT} {i}") for i in range(3)]
    with SmtpTransport(_settings(smtp_server)) as transport:
        results = [transport.send(m) for m in messages]
    assert [r.status for r in results] == ["sent"] * 3
    assert all(r.code == 250 for r in results)
    received = smtp_server.messages
    assert [m.rcpt_tos for m in received] == [(f"c{i}@example.com",) for i in range(3)]
    assert {m.mail_from for m in received} == {"info@example.co.jp"}
    assert [m.message["Subject"] for m in received] == [f"{SUBJECT} {i}" for i in range(3)]
    assert [m.message["Message-ID"] for m in received] == [m["Message-ID"] for m in messages]
    assert received[0].message["List-Unsubscribe"] == "<mailto:stop@example.co.jp>"
    assert received[0].message.get_body(("plain",)) is not None
    assert not received[0].tls
    assert [m.raw for m in received] == [message_bytes(m) for m in messages]  # byte for byte


def test_a_message_parsed_back_from_stored_bytes_sends_the_same(
    smtp_server: SmtpTestServer,
) -> None:
    message = _message()
    message.replace_header("List-Unsubscribe", "<mailto:stop@example.co.jp?subject=unsubscribe%20"
                           + "0" * 20 + ">, <https://example.co.jp/u/" + "x" * 120 + ">")  # fmt: skip
    stored = message_bytes(message)
    parsed = email.message_from_bytes(stored, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    with SmtpTransport(_settings(smtp_server)) as transport:
        assert transport.send(parsed).status == "sent"
    (received,) = smtp_server.messages
    assert received.raw == stored
    assert received.message["List-Unsubscribe"].endswith("x" * 120 + ">")


def test_bcc_is_delivered_but_not_shown(smtp_server: SmtpTestServer) -> None:
    message = _message()
    message["Bcc"] = "audit@example.co.jp"
    with SmtpTransport(_settings(smtp_server)) as transport:
        assert transport.send(message).status == "sent"
    (received,) = smtp_server.messages
    assert received.rcpt_tos == ("taro@example.com", "audit@example.co.jp")
    assert received.message["Bcc"] is None


def test_4xx_is_temporary_and_the_connection_goes_on(smtp_server: SmtpTestServer) -> None:
    smtp_server.reply_with("451 4.3.0 try later", count=1)
    with SmtpTransport(_settings(smtp_server)) as transport:
        first = transport.send(_message("a@example.com"))
        second = transport.send(_message("b@example.com"))
    assert (first.status, first.code) == ("temporary", 451)
    assert "try later" in first.detail
    assert second.status == "sent"
    assert [m.rcpt_tos for m in smtp_server.messages] == [("b@example.com",)]


def test_4xx_at_rcpt_is_temporary(smtp_server: SmtpTestServer) -> None:
    smtp_server.reply_with("450 4.2.1 mailbox busy", stage="rcpt")
    with SmtpTransport(_settings(smtp_server)) as transport:
        result = transport.send(_message())
    assert (result.status, result.code) == ("temporary", 450)
    assert smtp_server.messages == []


def test_5xx_at_rcpt_is_permanent_and_names_the_recipient(smtp_server: SmtpTestServer) -> None:
    smtp_server.reply_with("550 5.1.1 no such user", stage="rcpt")
    with SmtpTransport(_settings(smtp_server)) as transport:
        refused = transport.send(_message("nobody@example.com"))
        after = transport.send(_message("taro@example.com"))
    assert (refused.status, refused.code) == ("permanent", 550)
    assert "nobody@example.com" in refused.detail and "5.1.1" in refused.detail
    assert after.status == "sent"


def test_5xx_at_data_is_permanent(smtp_server: SmtpTestServer) -> None:
    smtp_server.reply_with("554 5.7.1 message rejected as spam")
    with SmtpTransport(_settings(smtp_server)) as transport:
        result = transport.send(_message("taro@example.com"))
    assert (result.status, result.code) == ("permanent", 554)
    assert "taro@example.com" in result.detail


def test_a_server_that_is_gone_is_temporary(smtp_server: SmtpTestServer) -> None:
    smtp_server.stop()
    with SmtpTransport(_settings(smtp_server)) as transport:
        result = transport.send(_message())
    assert result.status == "temporary" and result.code is None
    assert f"{smtp_server.host}:{smtp_server.port}" in result.detail


def test_a_dropped_connection_is_reopened_once(smtp_server: SmtpTestServer) -> None:
    with SmtpTransport(_settings(smtp_server)) as transport:
        assert transport.send(_message("a@example.com")).status == "sent"
        smtp_server.stop()  # drops the open connection
        smtp_server.start()
        assert transport.send(_message("b@example.com")).status == "sent"
        smtp_server.stop()
        gone = transport.send(_message("c@example.com"))
    assert gone.status == "temporary"
    assert [m.rcpt_tos for m in smtp_server.messages] == [("a@example.com",), ("b@example.com",)]


def test_a_server_that_never_answers_times_out_as_temporary() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts connections in the kernel, never says a word
        host, port = silent.getsockname()
        settings = SmtpSettings(host=host, port=port, timeout_seconds=0.5)
        with SmtpTransport(settings) as transport:
            result = transport.send(_message())
    assert result.status == "temporary" and result.code is None
    assert "timed out" in result.detail


def test_421_closing_is_temporary(smtp_server: SmtpTestServer) -> None:
    smtp_server.reply_with("421 4.3.2 shutting down")
    with SmtpTransport(_settings(smtp_server)) as transport:
        result = transport.send(_message())
        again = transport.send(_message())
    assert (result.status, result.code) == ("temporary", 421)
    assert again.status == "sent"


def test_starttls_with_login(smtp_starttls_server: SmtpTestServer, tls_files: TlsFiles) -> None:
    settings = _settings(smtp_starttls_server, security="starttls", username="mailer")
    with SmtpTransport(settings, "s3cret", ssl_context=tls_files.client_context()) as transport:
        result = transport.send(_message())
    assert result.status == "sent"
    (received,) = smtp_starttls_server.messages
    assert received.tls and received.login == "mailer"
    assert received.message["Subject"] == SUBJECT


def test_implicit_tls_with_login(smtp_tls_server: SmtpTestServer, tls_files: TlsFiles) -> None:
    settings = _settings(smtp_tls_server, security="tls", username="mailer")
    with SmtpTransport(settings, "s3cret", ssl_context=tls_files.client_context()) as transport:
        assert transport.send(_message()).status == "sent"
    assert smtp_tls_server.messages[0].tls


def test_untrusted_certificate_is_temporary(smtp_tls_server: SmtpTestServer) -> None:
    settings = _settings(smtp_tls_server, security="tls", username="mailer")
    with SmtpTransport(settings, "s3cret", ssl_context=ssl.create_default_context()) as transport:
        result = transport.send(_message())
    assert result.status == "temporary"
    assert "SSL" in result.detail or "certificate" in result.detail
    assert smtp_tls_server.messages == []


def test_refused_login_never_marks_the_address(
    smtp_starttls_server: SmtpTestServer, tls_files: TlsFiles
) -> None:
    settings = _settings(smtp_starttls_server, security="starttls", username="mailer")
    context = tls_files.client_context()
    with SmtpTransport(settings, "wrong", ssl_context=context) as transport:
        wrong = transport.send(_message())
    with SmtpTransport(settings, None, ssl_context=context) as transport:
        missing = transport.send(_message())
    assert (wrong.status, wrong.code) == ("temporary", 535)
    assert "smtp.password_env" in wrong.detail
    assert missing.status == "temporary" and "smtp.password_env" in missing.detail
    assert set(smtp_starttls_server.failed_logins) == {"mailer"}  # one try per mechanism
    assert smtp_starttls_server.messages == []


def test_plain_client_against_a_starttls_server_is_temporary(
    smtp_starttls_server: SmtpTestServer,
) -> None:
    with SmtpTransport(_settings(smtp_starttls_server)) as transport:
        result = transport.send(_message())
    assert (result.status, result.code) == ("temporary", 530)
    assert "smtp.security" in result.detail
    assert smtp_starttls_server.messages == []


def test_unknown_security_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match="smtp.security"):
        SmtpTransport(SmtpSettings(security="ssl"))


def test_smtp_password_reads_the_named_variable() -> None:
    settings = SmtpSettings(password_env="WB_SMTP_PASSWORD")
    assert smtp_password(settings, {"WB_SMTP_PASSWORD": "pw"}) == "pw"
    assert smtp_password(settings, {}) is None
    assert smtp_password(SmtpSettings(), {"WB_SMTP_PASSWORD": "pw"}) is None


class _FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_rate_limiter_spaces_sends_evenly() -> None:
    clock = _FakeClock()
    limiter = RateLimiter(30, clock=clock, sleep=clock.sleep)
    limiter.wait()
    limiter.wait()
    clock.now += 0.5
    limiter.wait()
    clock.now += 10.0
    limiter.wait()
    assert clock.slept == [2.0, 1.5]
    times = []
    for _ in range(61):
        limiter.wait()
        times.append(clock.now)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) == pytest.approx(2.0)
    assert times[30] - times[0] == pytest.approx(60.0)  # 30 sends in any minute, no burst


def test_rate_limiter_zero_never_waits() -> None:
    clock = _FakeClock()
    limiter = RateLimiter(0, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        limiter.wait()
    assert clock.slept == []
    with pytest.raises(ValueError):
        RateLimiter(-1)
