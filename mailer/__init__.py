"""The SMTP transport: exactly the encryption the admin chose, with errors they can act on."""

from mailer.config import Security, SmtpConfig, has_control_characters, port_mismatch
from mailer.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    MailError,
    ProtocolError,
    RecipientsRefused,
    SenderRefused,
    Stage,
    TimedOut,
    TlsFailed,
)
from mailer.message import compose
from mailer.transcript import Transcript, TranscriptLine
from mailer.transport import SendReceipt, SmtpConnection, envelope_recipients, send_message

__all__ = [
    "AuthenticationFailed",
    "ConnectionFailed",
    "MailError",
    "ProtocolError",
    "RecipientsRefused",
    "SenderRefused",
    "SendReceipt",
    "Security",
    "SmtpConfig",
    "SmtpConnection",
    "Stage",
    "TimedOut",
    "TlsFailed",
    "Transcript",
    "TranscriptLine",
    "compose",
    "envelope_recipients",
    "has_control_characters",
    "port_mismatch",
    "send_message",
]
