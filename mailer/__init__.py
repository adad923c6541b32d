"""The SMTP transport: exactly the encryption the admin chose, with errors they can act on."""

from mailer.certificates import CertificateInfo, fingerprint, normalize_fingerprint, parse_ca_bundle
from mailer.config import Security, SmtpConfig, has_control_characters, port_mismatch
from mailer.errors import (
    AuthenticationFailed,
    CertificateRefused,
    ConnectionFailed,
    MailError,
    ProtocolError,
    RecipientsRefused,
    SenderRefused,
    TimedOut,
    TlsFailed,
)
from mailer.message import compose
from mailer.probe import USUAL_PORTS, PortReport, best, detect
from mailer.transcript import Stage, Step, Transcript, TranscriptLine
from mailer.transport import (
    SendReceipt,
    SmtpConnection,
    envelope_recipients,
    send_message,
    server_certificate,
)

__all__ = [
    "USUAL_PORTS",
    "AuthenticationFailed",
    "CertificateInfo",
    "CertificateRefused",
    "ConnectionFailed",
    "MailError",
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
    "Transcript",
    "TranscriptLine",
    "best",
    "compose",
    "detect",
    "envelope_recipients",
    "fingerprint",
    "has_control_characters",
    "normalize_fingerprint",
    "parse_ca_bundle",
    "port_mismatch",
    "send_message",
    "server_certificate",
]
