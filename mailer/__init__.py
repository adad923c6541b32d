"""The SMTP transport: exactly the encryption the admin chose, with errors they can act on."""

from mailer.certificates import CertificateInfo, fingerprint, normalize_fingerprint, parse_ca_bundle
from mailer.config import (
    Security,
    SmtpConfig,
    default_ehlo_name,
    has_control_characters,
    host_refusal,
    port_mismatch,
)
from mailer.errors import (
    AddressNotSupported,
    AuthenticationFailed,
    CertificateRefused,
    ConnectionFailed,
    MailError,
    PasswordsRefused,
    ProtocolError,
    RecipientsRefused,
    SenderRefused,
    TimedOut,
    TlsFailed,
    TokenRejected,
)
from mailer.message import compose
from mailer.probe import USUAL_PORTS, PortReport, best, detect
from mailer.tls import trust_description
from mailer.transcript import Stage, Step, Transcript, TranscriptLine
from mailer.transport import (
    SendReceipt,
    SmtpConnection,
    envelope_recipients,
    send_message,
    server_certificate,
)

__all__ = [
    "host_refusal",
    "USUAL_PORTS",
    "AddressNotSupported",
    "AuthenticationFailed",
    "CertificateInfo",
    "CertificateRefused",
    "ConnectionFailed",
    "MailError",
    "PasswordsRefused",
    "PortReport",
    "ProtocolError",
    "RecipientsRefused",
    "SendReceipt",
    "Security",
    "SenderRefused",
    "SmtpConfig",
    "SmtpConnection",
    "Stage",
    "Step",
    "TimedOut",
    "TlsFailed",
    "TokenRejected",
    "Transcript",
    "TranscriptLine",
    "best",
    "compose",
    "default_ehlo_name",
    "detect",
    "envelope_recipients",
    "fingerprint",
    "has_control_characters",
    "normalize_fingerprint",
    "parse_ca_bundle",
    "port_mismatch",
    "send_message",
    "server_certificate",
    "trust_description",
]
