"""The errors the mailer raises: each safe to show to the person who set it up."""

from __future__ import annotations

from collections.abc import Mapping

from mailer.transcript import Stage, Transcript


class MailError(Exception):
    """An SMTP attempt failed; the text is written for the admin, not a programmer."""

    default_temporary = True
    # Whether OAuth 2.0 is the way on (the server takes no passwords any more).
    suggests_oauth = False

    def __init__(
        self,
        summary: str,
        *,
        hint: str,
        stage: Stage,
        detail: str,
        smtp_code: int | None = None,
        transcript: Transcript | None = None,
    ) -> None:
        super().__init__(summary)
        self.summary = summary
        self.hint = hint
        self.stage = stage
        self.detail = detail
        self.smtp_code = smtp_code
        self.transcript = transcript if transcript is not None else Transcript()

    @property
    def temporary(self) -> bool:
        """Whether trying again later may succeed (4xx replies, network trouble)."""
        if self.smtp_code is not None:
            return 400 <= self.smtp_code < 500
        return self.default_temporary


class ConnectionFailed(MailError):
    """The server could not be reached, or it closed the connection."""


class TimedOut(MailError):
    """The server did not answer within the configured time."""


class TlsFailed(MailError):
    """Encryption could not be set up: no STARTTLS, no TLS, or a certificate refused."""


class AuthenticationFailed(MailError):
    """The server refused the log-in, or offers none."""

    default_temporary = False


class TokenRejected(AuthenticationFailed):
    """The server refused the OAuth access token: refresh it once, or reconnect."""


class PasswordsRefused(AuthenticationFailed):
    """The server takes no passwords at all any more: OAuth 2.0 is the way on."""

    suggests_oauth = True


class SenderRefused(MailError):
    """The server refused the envelope sender."""

    default_temporary = False


class AddressNotSupported(MailError):
    """An address cannot travel through this server at all."""

    default_temporary = False


class RecipientsRefused(MailError):
    """The server refused every recipient."""

    default_temporary = False

    def __init__(
        self,
        summary: str,
        *,
        refused: Mapping[str, tuple[int, str]],
        hint: str,
        stage: Stage,
        detail: str,
        smtp_code: int | None = None,
    ) -> None:
        super().__init__(summary, hint=hint, stage=stage, detail=detail, smtp_code=smtp_code)
        self.refused = dict(refused)


class ProtocolError(MailError):
    """The server answered something the mailer cannot go on from."""


class CertificateRefused(TlsFailed):
    """The server's certificate was not trusted; trusting it may be the way on."""

    def __init__(
        self,
        summary: str,
        *,
        hint: str,
        stage: Stage,
        detail: str,
        reason: str,
        expected_fingerprint: str | None = None,
        actual_fingerprint: str | None = None,
    ) -> None:
        super().__init__(summary, hint=hint, stage=stage, detail=detail)
        self.reason = reason
        self.expected_fingerprint = expected_fingerprint
        self.actual_fingerprint = actual_fingerprint
