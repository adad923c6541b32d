"""Composing messages the way mail clients do: text and HTML, dated, identified."""

from __future__ import annotations

from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from mailer.config import SmtpConfig


def compose(
    config: SmtpConfig,
    *,
    to: Sequence[str],
    cc: Sequence[str] = (),
    subject: str,
    text: str,
    html: str | None = None,
) -> EmailMessage:
    """A message from config's sender with a text part and an optional HTML alternative."""
    message = EmailMessage()
    message["From"] = Address(display_name=config.sender_name, addr_spec=config.sender)
    message["To"] = ", ".join(to)
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    domain = config.sender.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message
