"""Outgoing MIME: Message-IDs carrying a reply token, reply and unsubscribe addresses, and the
message itself (UTF-8, RFC 2047 headers for Japanese, a plain part and an optional HTML part,
List-Unsubscribe per RFC 2369 and one-click per RFC 8058)."""

from __future__ import annotations

import re
import secrets
import urllib.parse
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from typing import Any

_TOKEN_BYTES = 10
_TOKEN = r"[0-9a-f]{20}"
_MESSAGE_ID = re.compile(rf"^<?({_TOKEN})\.[0-9a-z]+@[^>\s]+>?$", re.IGNORECASE)
_TAGGED_LOCAL = re.compile(rf"^[^+@\s]+\+({_TOKEN})$", re.IGNORECASE)
_UNSUBSCRIBE_SUBJECT = "unsubscribe"
# RFC 5322 allows 998 characters a line; base64 and quoted-printable bodies stay far below it,
# and a 7bit part is only chosen when every line is well under it.
_SAFE_7BIT_LINE = 900

_LINK_HEADERS = frozenset({"list-unsubscribe"})


class _MailPolicy(EmailPolicy):
    """SMTP's policy (CRLF, RFC 2047 for non-ASCII headers), except that List-Unsubscribe is
    folded between its links and never turned into encoded words, which would hide the URIs
    from mail clients when a URL is longer than a line."""

    def fold(self, name: str, value: Any) -> str:
        if name.lower() in _LINK_HEADERS:
            return self._fold_links(name, str(value))
        return super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() in _LINK_HEADERS:
            return self._fold_links(name, str(value)).encode("ascii")
        return super().fold_binary(name, value)

    def _fold_links(self, name: str, value: str) -> str:
        links = [link.strip() for link in " ".join(value.split()).split(",") if link.strip()]
        return f"{name}: " + f",{self.linesep} ".join(links) + self.linesep


MAIL_POLICY = _MailPolicy(linesep="\r\n")


def message_bytes(message: EmailMessage) -> bytes:
    """The bytes of a message as they go over SMTP (CRLF lines, headers folded by MAIL_POLICY)."""
    return message.as_bytes(policy=MAIL_POLICY)


def new_message_id(domain: str) -> str:
    """A fresh, unique Message-ID `<TOKEN.RANDOM@domain>`; TOKEN (20 hex digits) is what the
    reply and unsubscribe addresses carry, RANDOM keeps the whole id unguessable from it."""
    domain = domain.strip().lstrip("@")
    if not domain or any(c in domain for c in "<>@ "):
        raise ValueError(f"not a mail domain for a Message-ID: {domain!r}")
    token = secrets.token_hex(_TOKEN_BYTES)
    return f"<{token}.{secrets.token_hex(6)}@{domain.lower()}>"


def message_token(message_id: str) -> str:
    """The token inside a Message-ID made by `new_message_id` (ValueError for any other id)."""
    match = _MESSAGE_ID.match(message_id.strip())
    if match is None:
        raise ValueError(f"not a Message-ID made by the workbench: {message_id!r}")
    return match.group(1).lower()


def address_domain(address: str) -> str:
    """The domain of an email address ('' when it has none)."""
    _, addr = parseaddr(address)
    return addr.rpartition("@")[2].lower() if "@" in addr else ""


def reply_address(token: str, *, sender: str, reply_domain: str = "") -> str:
    """`reply+TOKEN@domain`, the domain being `reply_domain` or else the sender's."""
    domain = reply_domain.strip().lstrip("@") or address_domain(sender)
    if not domain:
        raise ValueError(f"no domain for the reply address: sender {sender!r}, reply_domain ''")
    if re.fullmatch(_TOKEN, token, re.IGNORECASE) is None:
        raise ValueError(f"not a message token: {token!r}")
    return f"reply+{token.lower()}@{domain.lower()}"


def token_from_address(address: str) -> str | None:
    """The token of a tagged address (`reply+TOKEN@…`, any `name+TOKEN@…`), else None. Accepts
    a bare address or a header value with a display name."""
    _, addr = parseaddr(address)
    local, at, _ = addr.rpartition("@")
    if not at:
        return None
    match = _TAGGED_LOCAL.match(local)
    return match.group(1).lower() if match else None


def unsubscribe_mailto(address: str, token: str) -> str:
    """The `mailto:` URI of List-Unsubscribe: the unsubscribe address with a subject carrying
    the message token, so the refusal is matched even when it comes from another address."""
    _, addr = parseaddr(address.removeprefix("mailto:"))
    if "@" not in addr:
        raise ValueError(f"not an email address for unsubscribing: {address!r}")
    subject = urllib.parse.quote(f"{_UNSUBSCRIBE_SUBJECT} {token}")
    return f"mailto:{addr}?subject={subject}"


def unsubscribe_token_from_subject(subject: str) -> str | None:
    """The token of a subject written by `unsubscribe_mailto` ('unsubscribe TOKEN'), else None."""
    match = re.search(rf"\b{_UNSUBSCRIBE_SUBJECT}\s+({_TOKEN})\b", subject, re.IGNORECASE)
    return match.group(1).lower() if match else None


def _transfer_encoding(body: str) -> str:
    if body.isascii():
        if all(len(line) <= _SAFE_7BIT_LINE for line in body.splitlines()):
            return "7bit"
        return "quoted-printable"
    return "base64"


def _normalized(body: str) -> str:
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return body if body.endswith("\n") else body + "\n"


def build_message(
    *,
    sender: str,
    sender_name: str,
    to: str,
    subject: str,
    text: str,
    html: str | None,
    message_id: str,
    reply_to: str | None,
    date: datetime,
    unsubscribe_mailto: str | None,
    unsubscribe_url: str | None,
) -> EmailMessage:
    """One outgoing email, ready for `SmtpTransport.send` (its bytes: `message_bytes(message)`;
    every line is CRLF-terminated and under 998 characters).

    `unsubscribe_mailto` is an address or a `mailto:` URI (see `unsubscribe_mailto()`);
    `unsubscribe_url` adds the HTTPS link and `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    `date` must carry its time zone."""
    if date.tzinfo is None or date.utcoffset() is None:
        raise ValueError("the Date of an email needs a time zone")
    if not text.strip():
        raise ValueError("an email needs a text/plain body")
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = Address(display_name=sender_name, addr_spec=_bare(sender))
    to_name, _ = parseaddr(to)
    message["To"] = Address(display_name=to_name, addr_spec=_bare(to))
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    if reply_to:
        message["Reply-To"] = _bare(reply_to)
    links: list[str] = []
    if unsubscribe_mailto:
        mailto = unsubscribe_mailto
        if not mailto.startswith("mailto:"):
            mailto = f"mailto:{_bare(mailto)}"
        links.append(f"<{mailto}>")
    if unsubscribe_url:
        if not unsubscribe_url.startswith("https://"):
            raise ValueError(f"a one-click unsubscribe URL must be https: {unsubscribe_url!r}")
        if len(unsubscribe_url) > _SAFE_7BIT_LINE or any(c in unsubscribe_url for c in "<>, "):
            raise ValueError(f"the unsubscribe URL is too long or not escaped: {unsubscribe_url!r}")
        links.append(f"<{unsubscribe_url}>")
    if links:
        message["List-Unsubscribe"] = ", ".join(links)
    if unsubscribe_url:
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = _normalized(text)
    message.set_content(text, charset="utf-8", cte=_transfer_encoding(text))
    if html is not None and html.strip():
        html = _normalized(html)
        message.add_alternative(html, subtype="html", charset="utf-8", cte=_transfer_encoding(html))
    return message


def _bare(address: str) -> str:
    """The addr-spec of an address (display names are set separately)."""
    _, addr = parseaddr(address)
    if "@" not in addr:
        raise ValueError(f"not an email address: {address!r}")
    return addr
