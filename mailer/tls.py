"""TLS for the client side: what to trust, in one order of precedence.

Ignore verification (trust anything), else the pinned fingerprint (exactly one
certificate), else the admin's CA bundle, else the system's CAs.
"""

from __future__ import annotations

import ssl

from mailer.certificates import fingerprint
from mailer.config import SmtpConfig
from translations import _


class PinnedCertificateMismatch(ssl.SSLError):
    """The server presented another certificate than the one the admin trusted."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"certificate {actual} is not the trusted {expected}")
        self.expected = expected
        self.actual = actual


def client_context(config: SmtpConfig) -> ssl.SSLContext:
    """The context for this config; smtplib's own default would not verify at all."""
    context = ssl.create_default_context(cadata=config.ca_certificates or None)
    if not config.verify_certificate or config.pinned_sha256:
        # check_hostname must be off before verify_mode may be CERT_NONE. A pinned
        # certificate is checked by its fingerprint once the handshake is done.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def trust_description(config: SmtpConfig) -> str:
    """How the server's certificate is checked, in words."""
    if not config.verify_certificate:
        return _("not verified")
    if config.pinned_sha256:
        return _("matches the trusted fingerprint")
    if config.ca_certificates:
        return _("verified by your CA")
    return _("verified by the system's CAs")


def check_pin(sock: ssl.SSLSocket, config: SmtpConfig) -> None:
    """Refuse a certificate other than the pinned one."""
    if not config.verify_certificate or not config.pinned_sha256:
        return
    der = sock.getpeercert(binary_form=True)
    actual = fingerprint(der) if der else "none"
    if actual != config.pinned_sha256:
        raise PinnedCertificateMismatch(config.pinned_sha256, actual)
