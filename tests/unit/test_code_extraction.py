"""Finding the code in delivered messages: encodings, charsets, HTML, patterns, several numbers, size guards."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from app.core.codes import PatternError, compile_pattern, find_code, parse_message
from app.core.codes.extract import MAX_MESSAGE_BYTES, html_to_text

from support.dovecot import ses_message


@pytest.mark.parametrize("cte", ["quoted-printable", "base64", "8bit"])
@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1", "windows-1252"])
def test_default_code_is_found_in_any_transfer_encoding_and_charset(cte: str, charset: str) -> None:
    message = parse_message(ses_message("qa@example.test", "482913", cte=cte, charset=charset))
    match = find_code(message.texts)
    assert match is not None
    assert match.code == "482913"
    assert match.line == "Vérification: your verification code is 482913."
    assert message.subject == "Your verification code"
    assert message.sender == "no-reply@verificationemail.com"
    assert message.is_to("QA@example.test")

# A parser gone quadratic or recursive on these inputs takes minutes; each takes ~1-3 s on a loaded
# 2-core machine. The bound tells a hang from load, it is not a speed budget.
HANG_S = 60.0


def test_html_only_message_yields_the_code_and_not_the_colours_in_its_styles() -> None:
    raw = ses_message("qa@example.test", "731055", text="", html=None)
    match = find_code(parse_message(raw).texts)
    assert match is not None
    assert (match.code, match.line) == ("731055", "Your verification code is 731055.")


def test_of_several_numbers_the_one_nearest_code_wins() -> None:
    text = "Order 111111 shipped on 20261202.\nAccount 222222.\nYour verification code: 333333\nRef 444444"
    match = find_code([text])
    assert match is not None
    assert match.code == "333333"
    assert match.line == "Your verification code: 333333"


def test_digits_inside_longer_numbers_are_not_codes() -> None:
    assert find_code(["Call 0123456789 or see ticket 1234567"]) is None


def test_custom_pattern_with_one_group_picks_its_group() -> None:
    pattern = compile_pattern(r"PIN ([A-Z0-9]{8})")
    match = find_code(["Hello, your PIN AB12CD34 expires soon"], pattern)
    assert match is not None
    assert match.code == "AB12CD34"


@pytest.mark.parametrize(("text", "says"), [
    ("(", "is not a regular expression"),
    (r"\d{6}", "has 0 groups"),
    (r"(\d)(\d)", "has 2 groups"),
])
def test_bad_patterns_are_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(PatternError, match=says):
        compile_pattern(text)


def test_recipients_come_from_to_delivered_to_and_x_original_to_exactly() -> None:
    raw = ses_message("qa+alice@example.test", "123456", delivered_to="qa@example.test")
    message = parse_message(raw)
    assert message.is_to("qa+alice@example.test")
    assert message.is_to("qa@example.test")
    assert not message.is_to("alice@example.test")
    assert not message.is_to("qa+bob@example.test")


def test_a_message_without_a_code_parses_with_its_subject() -> None:
    message = parse_message(ses_message("qa@example.test", None, subject="Welcome!", text="Hello", html="<p>Hi</p>"))
    assert find_code(message.texts) is None
    assert message.subject == "Welcome!"


def test_encoded_subject_and_unknown_charset_are_read() -> None:
    raw = (b"From: x@example.test\r\nTo: qa@example.test\r\nSubject: =?utf-8?q?C=C3=B3digo?=\r\n"
           b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nCode \xe9: 654321\r\n")
    message = parse_message(raw)
    assert message.subject == "Código"
    match = find_code(message.texts)
    assert match is not None
    assert match.code == "654321"


def test_a_25_mb_attachment_is_cut_off_and_the_code_still_found_in_bounded_memory() -> None:
    raw = ses_message("qa@example.test", "246810", attachment=b"\x00\xff" * (12 * 1024 * 1024 + 512 * 1024))
    assert len(raw) > 25 * 1024 * 1024
    tracemalloc.start()
    started = time.perf_counter()
    message = parse_message(raw[:MAX_MESSAGE_BYTES])
    match = find_code(message.texts)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert match is not None
    assert match.code == "246810"
    assert elapsed < HANG_S
    assert peak < 40 * 1024 * 1024


def test_an_html_bomb_neither_hangs_nor_blows_memory() -> None:
    bomb = "<div>" * 400_000 + "&amp;" * 200_000 + "<p>Your code is 975310</p>" + "</div>" * 400_000
    raw = ses_message("qa@example.test", "975310", text="", html=bomb)
    tracemalloc.start()
    started = time.perf_counter()
    message = parse_message(raw)
    find_code(message.texts)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < HANG_S
    assert peak < 60 * 1024 * 1024
    assert sum(len(text) for text in message.texts) <= 512 * 1024


def test_html_to_text_keeps_blocks_on_lines_and_skips_scripts() -> None:
    text = html_to_text("<script>var c = 111111;</script><p>One</p><p>Code <b>222222</b></p>")
    assert "111111" not in text
    assert [line for line in text.splitlines() if line] == ["One", "Code 222222"]


def test_multiparts_nested_thousands_deep_keep_their_headers_and_yield_no_text() -> None:
    nested = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (n, n) for n in range(5000))
    raw = b"To: qa@example.test\r\nSubject: Deep\r\n" + nested + b"Content-Type: text/plain\r\n\r\ncode 123456\r\n"
    started = time.perf_counter()
    message = parse_message(raw)
    assert time.perf_counter() - started < HANG_S
    assert (message.subject, message.texts) == ("Deep", ())
    assert message.is_to("qa@example.test")
