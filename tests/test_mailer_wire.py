"""The quick wire policy writes exactly what compat32 writes, header for header."""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message
from email.policy import compat32, default

from hypothesis import given, settings
from hypothesis import strategies as st

from mailer import Security, SmtpConfig, compose
from mailer.message import wire_policy

CONFIG = SmtpConfig(host="127.0.0.1", port=25, security=Security.NONE, sender="dues@example.test")
# Printable text with spaces and tabs, long enough to need folding; and beyond ASCII.
ASCII_TEXT = st.text(
    alphabet=st.sampled_from("abcXYZ019 -.,;:()<>@\"'=?_\t"), min_size=0, max_size=120
)
TEXT = st.text(
    alphabet=st.sampled_from("abcXYZ019 -.,;:()<>@\"'=?_\té€中—"), min_size=0, max_size=120
)


def _message(subject: str, name: str = "Dues") -> Message:
    config = SmtpConfig(
        host="127.0.0.1",
        port=25,
        security=Security.NONE,
        sender="dues@example.test",
        sender_name=name.replace("\t", " "),
    )
    return compose(
        config,
        to=["someone@example.test"],
        subject=subject.replace("\t", " "),
        text="Body",
        html="<p>Body</p>",
    )


@settings(max_examples=300, deadline=None)
@given(subject=ASCII_TEXT, name=TEXT, extra=st.integers(min_value=0, max_value=80))
def test_every_header_is_written_as_compat32_writes_it(subject: str, name: str, extra: int) -> None:
    """Subjects and names around the 78-character line, plain and needing encoded words."""
    message = _message(subject + "x" * extra, name)
    assert message.as_bytes(policy=wire_policy(message)) == message.as_bytes(
        policy=compat32.clone(linesep="\r\n")
    )


@settings(max_examples=300, deadline=None)
@given(subject=TEXT.filter(lambda text: not text.isascii()))
def test_a_subject_beyond_ascii_reads_back_exactly_from_short_ascii_lines(subject: str) -> None:
    message = _message(subject)
    raw = message.as_bytes(policy=wire_policy(message))
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    assert all(len(line) <= 76 for line in head.split(b"\r\n"))
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["Subject"] == subject.replace("\t", " ")


def test_a_header_of_exactly_one_line_and_one_past_it_match_compat32() -> None:
    message = compose(CONFIG, to=["someone@example.test"], subject="s", text="Body")
    for length in (76, 77, 78, 79, 80):
        del message["Subject"]
        message["Subject"] = "y" * (length - len("Subject: "))
        quick = message.as_bytes(policy=wire_policy(message))
        assert quick == message.as_bytes(policy=compat32.clone(linesep="\r\n"))
