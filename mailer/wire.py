"""What crosses the wire: replies read within bounds, addresses in the form servers take."""

from __future__ import annotations

import smtplib
from typing import BinaryIO

import idna

from translations import _

# A real server's longest reply, EHLO, has a few dozen short lines.
MAX_REPLY_LINES = 100
MAX_REPLY_BYTES = 64 * 1024
MAX_ATTEMPT_BYTES = 1024 * 1024


class OversizedReply(Exception):
    """The server sent more than any real reply holds.

    Not an OSError on purpose: smtplib turns those into "connection closed",
    which would hide what happened.
    """


class InternationalAddressRefused(smtplib.SMTPNotSupportedError):
    """An address needs SMTPUTF8, which the server does not offer."""

    def __init__(self, address: str) -> None:
        super().__init__(f"{address} needs SMTPUTF8, which the server does not offer")
        self.address = address


class AttemptBudget:
    """The bytes of replies one attempt may still read, across STARTTLS."""

    def __init__(self) -> None:
        self.used = 0

    def reset(self) -> None:
        """A new attempt begins."""
        self.used = 0


class BoundedReader:
    """A reply stream that refuses endless replies instead of buffering them."""

    def __init__(self, stream: BinaryIO, budget: AttemptBudget) -> None:
        self._stream = stream
        self._budget = budget
        self._reply_lines = 0
        self._reply_bytes = 0

    def start_reply(self) -> None:
        """Count the lines and bytes of a new reply from zero."""
        self._reply_lines = self._reply_bytes = 0

    def readline(self, limit: int = -1) -> bytes:
        """One line, counted against the reply's and the attempt's bounds."""
        line = self._stream.readline(limit)
        self._reply_lines += 1
        self._reply_bytes += len(line)
        self._budget.used += len(line)
        if self._reply_lines > MAX_REPLY_LINES:
            raise OversizedReply(_("a reply of more than %(lines)d lines", lines=MAX_REPLY_LINES))
        if self._reply_bytes > MAX_REPLY_BYTES:
            raise OversizedReply(_("a reply of more than %(kib)d KiB", kib=MAX_REPLY_BYTES // 1024))
        if self._budget.used > MAX_ATTEMPT_BYTES:
            raise OversizedReply(
                _("more than %(kib)d KiB in one attempt", kib=MAX_ATTEMPT_BYTES // 1024)
            )
        return line

    def close(self) -> None:
        """Close the underlying stream."""
        self._stream.close()


def wire_address(address: str) -> str:
    """The address with its domain in ASCII (IDNA), as envelopes and headers need it."""
    local, at, domain = address.rpartition("@")
    if not at or domain.startswith("[") or domain.isascii():
        return address
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise ValueError(
            _("%(address)s: the domain is not a valid international name", address=address)
        ) from exc
    return f"{local}@{ascii_domain}"


def needs_smtputf8(address: str) -> bool:
    """Whether the address (domain already in ASCII) can only travel with SMTPUTF8."""
    return not address.isascii()
