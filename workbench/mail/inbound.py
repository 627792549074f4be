"""Inbound mail read into what it means for a cadence: a reply, a bounce (RFC 3464 delivery
status), an unsubscribe request, an auto-reply (not a response) or something else.

Japanese mail arrives in ISO-2022-JP, Shift_JIS (in practice Windows-31J, with its extra
characters) and UTF-8; bodies are decoded with the superset codecs so those characters survive.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from email.utils import getaddresses, parseaddr
from typing import Literal

from workbench.mail.mime import message_token, token_from_address, unsubscribe_token_from_subject

Kind = Literal["reply", "bounce", "unsubscribe", "auto_reply", "other"]

_MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailer_daemon")
_REPLY_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|返信|転送)\s*(\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE
)
# Only at the start: a human reply to a subject that says 不在 or vacation is still a reply.
_AUTO_SUBJECT = re.compile(
    r"^\s*[\[【(（]?\s*(自動返信|自動応答|自動送信|自動通知|不在(のお知らせ|通知|連絡|です)|"
    r"out of (the )?office|automatic reply|auto[- ]?reply|autoreply|auto:|away from)",
    re.IGNORECASE,
)
_UNSUBSCRIBE_WORDS = re.compile(
    r"配信停止|配信を停止|配信解除|配信を解除|登録解除|登録を解除|購読解除|送信停止|メール不要|"
    r"送らないで|unsubscribe|opt[- ]?out|remove me|stop (sending|emailing|mailing)",
    re.IGNORECASE,
)
_STOP_LINE = re.compile(r"^\s*(stop|停止|ストップ|解除)\s*[.!。！]*\s*$", re.IGNORECASE)
_QUOTE_START = re.compile(
    r"^(-{2,}\s*(original message|元のメッセージ|転送されたメッセージ)|"
    r"on .+ wrote:$|.+(さんは書きました|wrote)\s*[:：]$|\d{4}[年/-].+[:：]$)",
    re.IGNORECASE,
)
# Labels that Japanese mail uses for superset encodings: decode with the superset.
_CODECS = {
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "windows-31j", "ms932"), "cp932"),
    **dict.fromkeys(("iso-2022-jp", "iso-2022-jp-ms", "csiso2022jp"), "iso2022_jp_ext"),
    **dict.fromkeys(("euc-jp", "x-euc-jp"), "euc_jis_2004"),
}
_FALLBACKS = ("utf-8", "iso2022_jp_2", "cp932", "euc_jis_2004")


@dataclass(frozen=True)
class InboundMail:
    """One received mail. `referenced_ids` are Message-IDs it answers or returns, the returned
    message's own id first; `token` comes from a tagged recipient address (reply+TOKEN@…), an
    unsubscribe subject or one of our referenced ids; `status` is the RFC 3463 status of a
    delivery report; `bounced_recipients` the addresses that failed for good."""

    kind: Kind
    referenced_ids: tuple[str, ...]
    token: str | None
    from_address: str | None
    bounced_recipients: tuple[str, ...]
    status: str | None
    at: datetime | None
    subject: str
    text: str


def parse_inbound(raw: bytes, *, unsubscribe_addresses: Collection[str] = ()) -> InboundMail:
    """Read one raw mail. Mail sent to one of `unsubscribe_addresses` (the List-Unsubscribe
    mailto) is an unsubscribe whatever it says."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    subject = " ".join(_header(message, "Subject").split())
    from_address = _address(_header(message, "From"))
    at = _date(message)
    recipients = _recipients(message)
    report = _delivery_status(message)
    referenced = list(_ids(_header(message, "In-Reply-To")))
    referenced += reversed(list(_ids(_header(message, "References"))))
    if report is not None:
        bounced, failed, status = report
        returned = _returned_ids(message)
        ids = _unique(returned + referenced)
        text = _text(message, skip_returned=True)
        kind: Kind = "bounce" if bounced else "other"
        return InboundMail(kind, ids, _token(recipients, subject, ids), from_address,
                           tuple(failed), status, at, subject, text)  # fmt: skip
    text = _text(message, skip_returned=False)
    if _is_daemon(from_address):
        legacy = _legacy_bounce(text)
        if legacy is not None:
            failed, status = legacy
            ids = _unique(_message_id_lines(text) + referenced)
            return InboundMail("bounce", ids, _token(recipients, subject, ids), from_address,
                               tuple(failed), status, at, subject, text)  # fmt: skip
    ids = _unique(referenced)
    token = _token(recipients, subject, ids)
    if _is_auto_reply(message, subject, answers_us=bool(ids or token)):
        kind = "auto_reply"
    elif _is_unsubscribe(recipients, subject, text, unsubscribe_addresses):
        kind = "unsubscribe"
    elif ids or any(token_from_address(r) for r in recipients):
        kind = "reply"
    else:
        kind = "other"
    return InboundMail(kind, ids, token, from_address, (), None, at, subject, text)


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return "" if value is None else str(value)


def _address(value: str) -> str | None:
    _, addr = parseaddr(value)
    return addr.lower() if "@" in addr else None


def _date(message: Message) -> datetime | None:
    header = message.get("Date")
    try:
        value = getattr(header, "datetime", None)
    except (TypeError, ValueError):
        return None
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _recipients(message: Message) -> list[str]:
    values = [str(v) for name in _RECIPIENT_HEADERS for v in message.get_all(name, [])]
    return [addr.lower() for _, addr in getaddresses(values) if "@" in addr]


def _ids(value: str) -> Iterator[str]:
    return iter(_MESSAGE_ID.findall(value))


def _unique(ids: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))


def _token(recipients: list[str], subject: str, ids: tuple[str, ...]) -> str | None:
    for address in recipients:
        token = token_from_address(address)
        if token:
            return token
    token = unsubscribe_token_from_subject(subject)
    if token:
        return token
    for message_id in ids:
        try:
            return message_token(message_id)
        except ValueError:
            continue
    return None


def _is_daemon(address: str | None) -> bool:
    return address is not None and address.partition("@")[0] in _DAEMONS


def _walk(message: Message, *, skip_returned: bool) -> Iterator[Message]:
    """The parts of a message, not descending into a returned message when asked not to."""
    yield message
    if message.get_content_type() in ("message/rfc822", "text/rfc822-headers") and skip_returned:
        return
    if message.is_multipart() and message.get_content_type() != "message/delivery-status":
        payload = message.get_payload()
        if isinstance(payload, list):
            for part in payload:
                if isinstance(part, Message):
                    yield from _walk(part, skip_returned=skip_returned)


def _delivery_status(message: Message) -> tuple[bool, list[str], str | None] | None:
    """Whether an RFC 3464 report says a delivery failed for good (Action: failed with a
    5.x.x status), the recipients it failed for and the status (a failure's first); None when
    the mail holds no delivery-status part."""
    part = next(
        (p for p in _walk(message, skip_returned=True)
         if p.get_content_type() in ("message/delivery-status", "message/global-delivery-status")),
        None,
    )  # fmt: skip
    if part is None:
        return None
    failed: list[str] = []
    failures: list[str] = []
    others: list[str] = []
    for fields in _status_blocks(part):
        action = str(fields.get("Action", "")).strip().lower()
        match = _STATUS.search(str(fields.get("Status", "")))
        if match is None:
            continue
        recipient = _report_address(str(fields.get("Final-Recipient", "")))
        recipient = recipient or _report_address(str(fields.get("Original-Recipient", "")))
        if action == "failed" and match.group(1) == "5":
            failures.append(match.group(0))
            if recipient and recipient not in failed:
                failed.append(recipient)
        else:
            others.append(match.group(0))
    statuses = failures or others
    return bool(failures), failed, (statuses[0] if statuses else None)


def _status_blocks(part: Message) -> list[Message]:
    """The field blocks of a delivery-status part: per message, then one per recipient (the
    per-message block has no Status, so it needs no special case)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    body = part.get_payload(decode=True)
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(payload)
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [HeaderParser().parsestr(block + "\n") for block in blocks]


def _report_address(value: str) -> str | None:
    """The address of a 'rfc822; user@example.com' report field."""
    _, _, address = value.rpartition(";")
    return _address(address.strip())


def _returned_ids(message: Message) -> list[str]:
    """The Message-ID of the returned message (or returned headers) of a report."""
    ids: list[str] = []
    for part in _walk(message, skip_returned=False):
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message):
                ids += _ids(_header(inner, "Message-ID"))
        elif kind == "text/rfc822-headers":
            headers = HeaderParser().parsestr(_decoded(part))
            ids += _ids(str(headers.get("Message-ID", "")))
    return ids


def _legacy_bounce(text: str) -> tuple[list[str], str] | None:
    """A bounce without RFC 3464 parts (qmail, old MTAs): a 5.x.x status or 5xx reply in the
    text, the failed addresses from qmail-style '<user@example.com>:' lines."""
    match = _STATUS.search(text)
    if match is not None and match.group(1) != "5":
        return None
    if match is None:
        code = re.search(r"\b55[0-4]\b", text)
        if code is None:
            return None
        status = "5.0.0"
    else:
        status = match.group(0)
    failed = [a.lower() for a in re.findall(r"^<([^<>\s]+@[^<>\s]+)>:", text, re.MULTILINE)]
    return list(dict.fromkeys(failed)), status


def _message_id_lines(text: str) -> list[str]:
    """Message-IDs of 'Message-ID: <…>' lines (a returned copy pasted into a bounce's text)."""
    lines = re.findall(r"^message-id:\s*(<[^<>\s]+@[^<>\s]+>)", text, re.IGNORECASE | re.MULTILINE)
    return list(lines)


def _is_auto_reply(message: Message, subject: str, *, answers_us: bool) -> bool:
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if any(message.get(h) is not None for h in ("X-Autoreply", "X-Autorespond", "X-Autoresponse")):
        return True
    precedence = _header(message, "Precedence").strip().lower()
    # vacation(1) and many responders say "bulk"; so do newsletters, which answer nothing of ours
    if precedence == "auto_reply" or (answers_us and precedence in ("bulk", "junk")):
        return True
    return _AUTO_SUBJECT.search(subject) is not None


def _is_unsubscribe(
    recipients: list[str], subject: str, text: str, unsubscribe_addresses: Collection[str]
) -> bool:
    wanted = {_address(a) for a in unsubscribe_addresses} - {None}
    if any(r in wanted or r.partition("@")[0].partition("+")[0] == "unsubscribe"
           for r in recipients):  # fmt: skip
        return True
    if unsubscribe_token_from_subject(subject):
        return True
    bare_subject = _REPLY_PREFIX.sub("", subject)
    if _UNSUBSCRIBE_WORDS.search(bare_subject) or _STOP_LINE.match(bare_subject):
        return True
    first = first_lines(text, 3)
    return any(_UNSUBSCRIBE_WORDS.search(line) or _STOP_LINE.match(line) for line in first)


def first_lines(text: str, count: int) -> list[str]:
    """The first non-empty lines the sender wrote, before any quoted original."""
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(">") or _QUOTE_START.match(stripped):
            break
        lines.append(stripped)
        if len(lines) == count:
            break
    return lines


def _text(message: Message, *, skip_returned: bool) -> str:
    """The first text/plain part that is not an attachment, else the HTML part without tags."""
    html: str | None = None
    for part in _walk(message, skip_returned=skip_returned):
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_type() == "text/rfc822-headers":
            continue
        if isinstance(part, EmailMessage) and part.is_attachment():
            continue
        if part.get_content_subtype() == "plain":
            return _decoded(part)
        if part.get_content_subtype() == "html" and html is None:
            html = _decoded(part)
    return _strip_html(html) if html is not None else ""


def _decoded(part: Message) -> str:
    body = part.get_payload(decode=True)
    if not isinstance(body, bytes):
        return str(part.get_payload())
    return (
        decode_japanese(body, part.get_content_charset()).replace("\r\n", "\n").replace("\r", "\n")
    )


def decode_japanese(body: bytes, charset: str | None) -> str:
    """Text of a body in its declared charset, read with the superset codec Japanese mail
    needs; an undeclared or wrong charset is guessed among UTF-8, ISO-2022-JP, Windows-31J and
    EUC-JP, and nothing raises."""
    label = (charset or "").strip().lower()
    codecs = [_CODECS.get(label, label)] if label else []
    if not label or label in ("us-ascii", "ascii"):
        # 7-bit ISO-2022-JP also decodes as ASCII or UTF-8: its escapes decide first.
        if b"\x1b$B" in body or b"\x1b$@" in body or b"\x1b(I" in body:
            codecs.insert(0, "iso2022_jp_ext")
    for codec in [*codecs, *_FALLBACKS]:
        try:
            return body.decode(codec)
        except (LookupError, UnicodeDecodeError):
            if codec.startswith("iso2022_jp") and b"\x1b" in body:
                converted = _iso2022jp_as_cp932(body)
                if converted is not None:
                    return converted
    return body.decode("utf-8", "replace")


_JIS_MODES = {b"\x1b$@": "jis", b"\x1b$B": "jis", b"\x1b(B": "ascii", b"\x1b(J": "ascii",
              b"\x1b(I": "kana"}  # fmt: skip


def _iso2022jp_as_cp932(body: bytes) -> str | None:
    """ISO-2022-JP as Windows clients write it (CP50220: NEC and IBM characters such as ① in
    the JIS rows that the standard codec refuses), re-encoded as Windows-31J and decoded."""
    out = bytearray()
    mode, i = "ascii", 0
    while i < len(body):
        escape = body[i : i + 3]
        if escape in _JIS_MODES:
            mode, i = _JIS_MODES[escape], i + 3
            continue
        byte = body[i]
        if mode == "jis" and 0x21 <= byte <= 0x7E and i + 1 < len(body):
            j1, j2 = byte, body[i + 1]
            s1 = (j1 + 1) // 2 + 0x70
            s1 = s1 + 0x40 if s1 > 0x9F else s1
            s2 = j2 + (0x1F + (j2 >= 0x60) if j1 % 2 else 0x7E)
            out += bytes((s1, s2))
            i += 2
            continue
        out.append(byte + 0x80 if mode == "kana" and 0x21 <= byte <= 0x5F else byte)
        i += 1
    try:
        return out.decode("cp932")
    except UnicodeDecodeError:
        return None


def _strip_html(html: str) -> str:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", html)
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", html)
    text = re.sub(r"<[^>]+>", "", html)
    for entity, char in (("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return "\n".join(line.strip() for line in text.splitlines()).strip() + "\n"
