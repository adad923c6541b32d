"""TLS contexts for the client side: verified unless the admin chose otherwise."""

from __future__ import annotations

import ssl

from mailer.config import SmtpConfig


def client_context(config: SmtpConfig) -> ssl.SSLContext:
    """The context for this config; smtplib's own default would not verify at all."""
    context = ssl.create_default_context(cadata=config.ca_certificates or None)
    if not config.verify_certificate:
        # check_hostname must be off before verify_mode may be CERT_NONE.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
