"""The quick wire policy writes exactly what compat32 writes, header for header."""

from __future__ import annotations

from email.policy import compat32

from hypothesis import given, settings
from hypothesis import strategies as st

from mailer import Security, SmtpConfig, compose
from mailer.message import wire_policy

CONFIG = SmtpConfig(host="127.0.0.1", port=25, security=Security.NONE, sender="dues@example.test")
# Printable text with spaces, tabs and the odd non-ASCII letter; long enough to need folding.
TEXT = st.text(
    alphabet=st.sampled_from("abcXYZ019 -.,;:()<>@\"'=?_\té€中"), min_size=0, max_size=120
)


@settings(max_examples=300, deadline=None)
@given(subject=TEXT, name=TEXT, extra=st.integers(min_value=0, max_value=80))
def test_every_header_is_written_as_compat32_writes_it(subject: str, name: str, extra: int) -> None:
    """Subjects and names around the 78-character line, plain and needing encoded words."""
    config = SmtpConfig(
        host="127.0.0.1",
        port=25,
        security=Security.NONE,
        sender="dues@example.test",
        sender_name=name.replace("\t", " "),
    )
    message = compose(
        config,
        to=["someone@example.test"],
        subject=(subject + "x" * extra).replace("\t", " "),
        text="Body",
        html="<p>Body</p>",
    )
    assert message.as_bytes(policy=wire_policy(message)) == message.as_bytes(
        policy=compat32.clone(linesep="\r\n")
    )


def test_a_header_of_exactly_one_line_and_one_past_it_match_compat32() -> None:
    message = compose(CONFIG, to=["someone@example.test"], subject="s", text="Body")
    for length in (76, 77, 78, 79, 80):
        del message["Subject"]
        message["Subject"] = "y" * (length - len("Subject: "))
        quick = message.as_bytes(policy=wire_policy(message))
        assert quick == message.as_bytes(policy=compat32.clone(linesep="\r\n"))
