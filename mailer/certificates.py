"""Server certificates as an admin needs to see them, and their fingerprints."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import ExtensionOID

_HEX64 = re.compile(r"^[0-9A-F]{64}$")


def fingerprint(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER certificate, as AB:CD:… in upper case."""
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, 64, 2))


def normalize_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint written any common way, as fingerprint() writes it."""
    digits = re.sub(r"[\s:]", "", text).upper()
    if not _HEX64.match(digits):
        raise ValueError("a SHA-256 fingerprint has 64 hexadecimal digits")
    return ":".join(digits[i : i + 2] for i in range(0, 64, 2))


def parse_ca_bundle(pem: str) -> list[x509.Certificate]:
    """The certificates in a PEM bundle; ValueError when there are none or one is broken."""
    certificates = x509.load_pem_x509_certificates(pem.encode())
    if not certificates:
        raise ValueError("no certificate found")
    return certificates


@dataclass(frozen=True)
class CertificateInfo:
    """What the page shows of a server certificate."""

    subject: str
    issuer: str
    not_before: datetime.datetime
    not_after: datetime.datetime
    names: tuple[str, ...]
    sha256: str
    self_signed: bool

    @classmethod
    def from_der(cls, der: bytes) -> CertificateInfo:
        """Read a DER certificate."""
        certificate = x509.load_der_x509_certificate(der)
        try:
            alternative = certificate.extensions.get_extension_for_oid(
                ExtensionOID.SUBJECT_ALTERNATIVE_NAME
            ).value
            names = tuple(str(name.value) for name in alternative)  # type: ignore[attr-defined]
        except x509.ExtensionNotFound:
            names = ()
        return cls(
            subject=certificate.subject.rfc4514_string(),
            issuer=certificate.issuer.rfc4514_string(),
            not_before=certificate.not_valid_before_utc,
            not_after=certificate.not_valid_after_utc,
            names=names,
            sha256=fingerprint(der),
            self_signed=certificate.issuer == certificate.subject,
        )
