"""Reading a delivered message with the stdlib `email` package and finding the code in it.

Every size is bounded: sources hand over at most `MAX_MESSAGE_BYTES` of a message (a 25 MB
attachment is cut off, the text parts come first in what Cognito and SES send), each text part is
decoded to at most `MAX_PART_CHARS`, and HTML is reduced to its text by a linear parser, so an HTML
bomb costs time and memory in proportion to those limits only.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from app.core.codes.model import DEFAULT_PATTERN

MAX_MESSAGE_BYTES = 2 * 1024 * 1024
MAX_PART_CHARS = 512 * 1024
MAX_PARTS = 50
MAX_LINE_CHARS = 200
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
_KEYWORDS = re.compile(r"code|verification|verify", re.IGNORECASE)
_BLOCK_TAGS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "td"})
_SKIPPED_TAGS = frozenset({"script", "style", "head", "title"})


class PatternError(ValueError):
    """A code pattern that is not a regular expression with exactly one group."""


def compile_pattern(text: str | None) -> re.Pattern[str]:
    """The code pattern: `text` as a regex with one group, or Cognito's default 6 digits."""
    if text is None or text == "":
        return DEFAULT_PATTERN
    try:
        pattern = re.compile(text)
    except re.error as exc:
        raise PatternError(f"{text!r} is not a regular expression: {exc}") from None
    if pattern.groups != 1:
        raise PatternError(
            f"{text!r} has {pattern.groups} groups; it needs exactly one, around the code, "
            r"e.g. 'code: ([0-9]{8})'"
        )
    return pattern


@dataclass(frozen=True)
class ParsedMessage:
    """The parts of a message the code search needs."""

    subject: str | None
    sender: str | None
    date: datetime | None
    recipients: frozenset[str]
    texts: tuple[str, ...]
    """The text parts first, then the HTML parts reduced to text."""

    def is_to(self, destination: str) -> bool:
        return destination.strip().casefold() in self.recipients


@dataclass(frozen=True)
class CodeMatch:
    code: str
    line: str


class _TextOfHtml(HTMLParser):
    """The visible text of an HTML document, one line per block, at most `limit` characters."""

    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self._chunks: list[str] = []
        self._size = 0
        self._limit = limit
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self._add("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(self._skipping - 1, 0)
        elif tag in _BLOCK_TAGS:
            self._add("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._add(data)

    def _add(self, text: str) -> None:
        if self._size < self._limit:
            text = text[: self._limit - self._size]
            self._chunks.append(text)
            self._size += len(text)

    def text(self) -> str:
        return "".join(self._chunks)


def html_to_text(html: str, limit: int = MAX_PART_CHARS) -> str:
    parser = _TextOfHtml(limit)
    parser.feed(html[:limit * 2])
    parser.close()
    return parser.text()


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "us-ascii"
    try:
        codecs.lookup(charset)
    except LookupError:
        charset = "latin-1"  # an unknown charset still yields its ASCII digits
    return payload[: MAX_PART_CHARS * 4].decode(charset, "replace")[:MAX_PART_CHARS]


def _header(message: Message, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:  # a malformed header is as good as none
        return None
    return " ".join(str(value).split()) if value is not None else None


def _addresses(message: Message) -> frozenset[str]:
    values: list[str] = []
    for name in RECIPIENT_HEADERS:
        try:
            values.extend(str(v) for v in message.get_all(name, []))
        except Exception:  # noqa: S112 (a malformed header names no recipient)
            continue
    return frozenset(address.strip().casefold() for _, address in getaddresses(values) if address)


def _date(message: Message) -> datetime | None:
    raw = _header(message, "Date")
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None


def _texts(message: Message) -> tuple[str, ...]:
    plain: list[str] = []
    html: list[str] = []
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            break
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain":
            plain.append(_decode(part))
        elif kind == "text/html":
            html.append(html_to_text(_decode(part)))
    return (*plain, *html)


def parse_message(raw: bytes) -> ParsedMessage:
    """Headers and text of a message (at most MAX_MESSAGE_BYTES of it are read).

    Multiparts nested thousands deep exhaust the email package's recursion: such a message keeps
    its headers and has no text.
    """
    raw = raw[:MAX_MESSAGE_BYTES]
    try:
        message = BytesParser(policy=policy.compat32).parsebytes(raw)
        texts = _texts(message)
    except RecursionError:
        message = BytesParser(policy=policy.compat32).parsebytes(raw, headersonly=True)
        texts = ()
    subject = _header(message, "Subject")
    if subject is not None:
        subject = _decoded_header(subject)
    sender = _header(message, "From")
    return ParsedMessage(
        subject=subject,
        sender=_decoded_header(sender) if sender else None,
        date=_date(message),
        recipients=_addresses(message),
        texts=texts,
    )


def _decoded_header(value: str) -> str:
    from email.header import decode_header, make_header

    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeDecodeError):
        return value


def _distance_to_keyword(text: str, start: int, end: int) -> int:
    window_start = max(start - 200, 0)
    best = 1 << 30
    for keyword in _KEYWORDS.finditer(text, window_start, min(end + 200, len(text))):
        if keyword.end() <= start:
            best = min(best, start - keyword.end())
        elif keyword.start() >= end:
            best = min(best, keyword.start() - end)
        else:
            best = 0
    return best


def _line_at(text: str, start: int, end: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = " ".join(text[line_start: line_end if line_end >= 0 else len(text)].split())
    return line[:MAX_LINE_CHARS]


def find_code(
    texts: tuple[str, ...] | list[str], pattern: re.Pattern[str] = DEFAULT_PATTERN
) -> CodeMatch | None:
    """The code in the first text that has one; of several matches, the nearest "code"/"verification"."""
    for text in texts:
        best: tuple[int, int, re.Match[str]] | None = None
        for order, match in enumerate(pattern.finditer(text)):
            if not match.group(1):
                continue
            rank = (_distance_to_keyword(text, match.start(1), match.end(1)), order, match)
            if best is None or rank[:2] < best[:2]:
                best = rank
        if best is not None:
            match = best[2]
            return CodeMatch(match.group(1), _line_at(text, match.start(1), match.end(1)))
    return None
