"""Composing messages the way mail clients do: text and HTML, dated, identified.

The parts are built with the email package's compat32 MIME classes, as Django's
mail backend does: an order of magnitude cheaper than EmailMessage's header
objects, which matters when a reminder run sends thousands. Header values are
checked here for line breaks, since compat32 does not refuse them itself.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from email import policy
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import formataddr, formatdate, make_msgid

from mailer.config import SmtpConfig, has_control_characters
from mailer.wire import wire_address


class EncodedWords(str):
    """A header value beyond ASCII, as RFC 2047 base64 words, each on a line of its own.

    What compat32's Header writes, without its search for the shortest encoding
    of each line, which cost more than composing the rest of a reminder.
    """

    # UTF-8 bytes per word: 48 base64 characters, a 60-character word, whose line
    # stays within 76 characters even after "Subject: ".
    BYTES_PER_WORD = 36

    def words(self) -> list[str]:
        """The value cut between characters into encoded words."""
        chunks: list[str] = []
        chunk, size = "", 0
        for character in self:
            width = len(character.encode())
            if size + width > self.BYTES_PER_WORD:
                chunks.append(chunk)
                chunk, size = "", 0
            chunk += character
            size += width
        chunks.append(chunk)
        return [f"=?utf-8?b?{base64.b64encode(text.encode()).decode('ascii')}?=" for text in chunks]

    def folded(self, linesep: str) -> str:
        """The words joined by folding whitespace, which a reader drops between words."""
        return (linesep + " ").join(self.words())


class _WireCompat32(Compat32):
    """compat32 with CRLF, writing a header that fits on one ASCII line as it is.

    compat32 passes every header through email.header.Header, whose folding
    machinery leaves such a line unchanged at a tenth of a millisecond each, a
    dozen times a message.
    """

    def fold_binary(self, name: str, value: str) -> bytes:
        """The header's line on the wire; only values that need folding are folded."""
        if isinstance(value, EncodedWords):
            return f"{name}: {value.folded(self.linesep)}{self.linesep}".encode("ascii")
        if (
            isinstance(value, str)
            and value.isascii()
            and len(name) + 2 + len(value) <= (self.max_line_length or 78)
            and not has_control_characters(value)
        ):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


WIRE_COMPAT32 = _WireCompat32(linesep="\r\n")


def wire_policy(message: Message) -> policy.Policy:
    """How message is written on the wire: with CRLF, and quickly when it is compat32."""
    if type(message.policy) is Compat32:
        return WIRE_COMPAT32
    return message.policy.clone(linesep="\r\n")


def _header(value: str) -> str:
    """value as a header: plain when ASCII, else UTF-8 encoded words, folded on the wire."""
    if has_control_characters(value):
        raise ValueError("header values must not contain line breaks or control characters")
    return value if value.isascii() else EncodedWords(value)


def _addresses(addresses: Sequence[str]) -> str:
    for address in addresses:
        if has_control_characters(address) or "," in address:
            raise ValueError(f"not a single address: {address!r}")
    return ", ".join(wire_address(address) for address in addresses)


def _from_header(name: str, address: str) -> str:
    """Name and address; formataddr refuses a non-ASCII local part, which SMTPUTF8 carries."""
    placeholder = "sender@placeholder.invalid"
    return formataddr((name, placeholder), charset="utf-8").replace(placeholder, address)


def compose(
    config: SmtpConfig,
    *,
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str,
    text: str,
    html: str | None = None,
) -> Message:
    """A message from config's sender with a text part and an optional HTML alternative."""
    body = MIMEText(text, "plain", "utf-8")
    if html is None:
        message: Message = body
    else:
        # Chosen here, or the generator would compile a regular expression for each
        # message to check that its own choice appears in no part; base64 parts
        # never hold the "--" a boundary line starts with.
        message = MIMEMultipart("alternative", boundary=f"=_{secrets.token_hex(12)}")
        message.attach(body)
        message.attach(MIMEText(html, "html", "utf-8"))
    message["From"] = _from_header(config.sender_name, wire_address(config.sender))
    message["To"] = _addresses(to)
    if cc:
        message["Cc"] = _addresses(cc)
    message["Subject"] = _header(subject)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(
        domain=wire_address(config.sender).rpartition("@")[2] or None
    )
    return message
