"""The errors a channel raises: each written for the person who set the channel up."""

from __future__ import annotations


class ChannelError(Exception):
    """A notification did not go out; summary, hint and the raw detail say why."""

    temporary = True

    def __init__(self, summary: str, *, hint: str, detail: str = "") -> None:
        super().__init__(summary)
        self.summary = summary
        self.hint = hint
        self.detail = detail


class AddressRefused(ChannelError):
    """The channel's server is on a network this account may not reach."""

    temporary = False


class CertificateRefused(ChannelError):
    """The server's certificate is not trusted with the channel's settings."""

    temporary = False


class Refused(ChannelError):
    """The service answered, and said no: a wrong token, topic or address."""

    temporary = False


class Unreachable(ChannelError):
    """The service could not be reached, or it failed on its side; later may work."""


class NotUsable(ChannelError):
    """The channel's settings do not make a URL Apprise can send to."""

    temporary = False
