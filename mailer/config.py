"""The settings one SMTP attempt is made with."""

from __future__ import annotations

import enum
import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from translations import _

_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


class Security(enum.Enum):
    """How the connection is encrypted; the values are what the settings store."""

    NONE = "none"
    SSL = "ssl"
    STARTTLS = "tls"

    @property
    def label(self) -> str:
        """The name the settings page shows."""
        return _("None") if self is Security.NONE else self.value.upper()

    @property
    def conventional_port(self) -> int:
        """The port this kind of connection usually uses."""
        return {"none": 25, "ssl": 465, "tls": 587}[self.value]


def has_control_characters(text: str) -> bool:
    """Whether text holds CR, LF or another control character."""
    return bool(_CONTROL_CHARACTERS.search(text))


@dataclass(frozen=True, kw_only=True)
class SmtpConfig:
    """Where and how to connect, and who the envelope sender is."""

    host: str
    port: int
    security: Security = Security.STARTTLS
    verify_certificate: bool = True
    ca_certificates: str | None = None
    pinned_sha256: str | None = None
    username: str = ""
    password: str = field(default="", repr=False)
    # An OAuth 2.0 access token: when set, Dues logs in as username with XOAUTH2.
    oauth_token: str = field(default="", repr=False)
    timeout: float = 15.0
    sender: str
    sender_name: str = ""
    # The name said in EHLO; many servers refuse one that is not fully qualified.
    ehlo_name: str = "localhost"
    # Says why an IP address may not be connected to, or None; checked on every
    # address the host resolves to, at connect time, so DNS cannot swap it later.
    address_refusal: Callable[[str], str | None] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("host", "username", "sender", "sender_name", "ehlo_name"):
            if has_control_characters(getattr(self, name)):
                raise ValueError(f"{name} must not contain control characters")
        if not self.host:
            raise ValueError("host must not be empty")
        if not 1 <= self.port <= 65535:
            raise ValueError("port must be between 1 and 65535")
        if not self.timeout > 0:
            raise ValueError("timeout must be positive")


def default_ehlo_name(fallback_host: str) -> str:
    """The machine's fully qualified name, else fallback_host (an IP as an address literal)."""
    # gethostname, not getfqdn: the latter may ask DNS, and stall, at every start.
    hostname = socket.gethostname()
    name = hostname if "." in hostname.strip(".") else fallback_host
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return name or "localhost"
    return f"[IPv6:{address}]" if address.version == 6 else f"[{address}]"


def port_mismatch(security: Security, port: int) -> str | None:
    """A warning when the port is one that conventionally uses another encryption."""
    if security is Security.SSL and port in (25, 587, 2525):
        return _(
            "Port %(port)s usually expects TLS (STARTTLS) or no encryption; "
            "SSL usually runs on port 465.",
            port=port,
        )
    if security is not Security.SSL and port == 465:
        return _(
            "Port 465 usually expects SSL (implicit TLS): choose SSL, "
            "or use port %(port)s for %(security)s.",
            port=security.conventional_port,
            security=security.label,
        )
    return None


def host_refusal(host: str, policy: Callable[[str], str | None] | None) -> str | None:
    """Why policy refuses every address host resolves to; None if one is allowed or unknown.

    A name that does not resolve now is let through: the connection checks again.
    """
    if policy is None or not host:
        return None
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError:
        return None
    reasons = [policy(address) for address in addresses]
    return reasons[0] if reasons and all(reasons) else None
