"""One SMTP connection that does exactly what its config says, and nothing more."""

from __future__ import annotations

import contextlib
import dataclasses
import smtplib
import ssl
import time
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.utils import getaddresses
from types import TracebackType

from mailer.certificates import CertificateInfo
from mailer.config import Security, SmtpConfig
from mailer.diagnose import translate
from mailer.errors import MailError
from mailer.message import wire_policy
from mailer.session import RecordingSMTP, describe_tls
from mailer.tls import client_context
from mailer.transcript import Stage, Transcript
from mailer.watchdog import Watchdog
from mailer.wire import (
    InternationalAddressRefused,
    OversizedReply,
    needs_smtputf8,
    wire_address,
)
from translations import _

_LOW_LEVEL_ERRORS = (smtplib.SMTPException, OSError, OversizedReply)
_QUIT_TIMEOUT = 5.0


@dataclass(frozen=True)
class SendReceipt:
    """What the server said when it accepted a message."""

    message_id: str
    accepted: tuple[str, ...]
    refused: dict[str, tuple[int, str]]
    reply: str
    encryption: str
    elapsed: float
    transcript: Transcript = dataclasses.field(compare=False, repr=False)


def envelope_recipients(message: Message) -> list[str]:
    """The addresses in To and Cc, in order, each once."""
    fields = message.get_all("To", []) + message.get_all("Cc", [])
    addresses = [address for _, address in getaddresses([str(f) for f in fields]) if address]
    return list(dict.fromkeys(addresses))


class SmtpConnection:
    """An open SMTP session that can send several messages, closed tolerantly."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.transcript = Transcript(secrets=(config.password, config.oauth_token))
        self._watchdog = Watchdog()
        context = None if config.security is Security.NONE else client_context(config)
        implicit_tls = context if config.security is Security.SSL else None
        self._starttls = context if config.security is Security.STARTTLS else None
        self._deadline = 0.0
        self._smtp = RecordingSMTP(config, self.transcript, self._watchdog, implicit_tls)

    def _arm(self, deadline: float | None) -> None:
        """Start the attempt's clock: until deadline, or the config's timeout from now."""
        remaining = self.config.timeout if deadline is None else deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the attempt's time was used up")
        self._deadline = time.monotonic() + remaining
        self._smtp.budget.reset()
        self._smtp.timeout = min(self.config.timeout, remaining)
        self._watchdog.arm(remaining)

    def __enter__(self) -> SmtpConnection:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def is_open(self) -> bool:
        """Whether the session can still send."""
        return self._smtp.sock is not None

    @property
    def encryption(self) -> str:
        """How the session is protected, in words."""
        if self._smtp.sock is None or self.config.security is Security.NONE:
            return _("plain SMTP, not encrypted")
        kind = "STARTTLS" if self.config.security is Security.STARTTLS else "SSL"
        tls = describe_tls(self._smtp.sock)
        if not self.config.verify_certificate:
            tls = _("%(tls)s, certificate not verified", tls=tls)
        return f"{kind} ({tls})"

    @property
    def greeting(self) -> str:
        """The server's first reply, e.g. '220 mail.example.com ESMTP'."""
        return self._smtp.greeting

    @property
    def extensions(self) -> dict[str, str]:
        """What the server's last EHLO offered, e.g. {'starttls': '', 'auth': 'PLAIN LOGIN'}."""
        return dict(self._smtp.esmtp_features)

    @property
    def peer_certificate(self) -> bytes | None:
        """The server's certificate (DER), when the session is encrypted."""
        sock = self._smtp.sock
        return sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None

    def open(self, deadline: float | None = None) -> None:
        """Connect, greet, encrypt as configured and log in, by deadline (time.monotonic)."""
        smtp = self._smtp
        try:
            self._arm(deadline)
            code, reply = smtp.connect(self.config.host, self.config.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, reply)
            self.transcript.begin(Stage.EHLO)
            smtp.ehlo_or_helo_if_needed()
            if self._starttls is not None:
                self.transcript.begin(Stage.STARTTLS)
                smtp.starttls(context=self._starttls)
                assert isinstance(smtp.sock, ssl.SSLSocket)
                smtp.tls_established(smtp.sock)
                self.transcript.begin(Stage.EHLO)
                smtp.ehlo_or_helo_if_needed()
            if self.config.oauth_token:
                self.transcript.begin(Stage.AUTH)
                smtp.login_xoauth2(self.config.username, self.config.oauth_token)
            elif self.config.username:
                self.transcript.begin(Stage.AUTH)
                smtp.login(self.config.username, self.config.password)
            self.transcript.end(ok=True)
        except _LOW_LEVEL_ERRORS as exc:
            error = self._failure(exc)
            self._abort()
            raise error from exc
        finally:
            self._watchdog.disarm()

    def send(self, message: Message, deadline: float | None = None) -> SendReceipt:
        """Send one message (an EmailMessage or any Message) to its To and Cc addresses.

        Some recipients refused is not a failure; all refused is. By deadline
        (time.monotonic) when given, else within the config's timeout.
        """
        recipients = envelope_recipients(message)
        if not recipients:
            raise ValueError("the message has no recipients")
        if not self.is_open:
            raise RuntimeError("the connection is closed")
        sender = wire_address(self.config.sender)
        started = time.monotonic()
        smtp = self._smtp
        try:
            self._arm(deadline)
            self.transcript.begin(Stage.MAIL_FROM)
            options = self._smtputf8_options([sender, *recipients])
            serialize = policy.SMTPUTF8 if options else wire_policy(message)
            payload = message.as_bytes(policy=serialize)
            code, reply = smtp.mail(sender, options)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, self.config.sender)
            self.transcript.begin(Stage.RCPT_TO)
            refused: dict[str, tuple[int, str]] = {}
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    refused[recipient] = (code, reply.decode("utf-8", "replace"))
            if len(refused) == len(recipients):
                raise smtplib.SMTPRecipientsRefused(refused)  # type: ignore[arg-type]
            self.transcript.begin(Stage.DATA)
            code, reply = smtp.data(payload)
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
            self.transcript.end(ok=True)
        except _LOW_LEVEL_ERRORS as exc:
            error = self._failure(exc)
            if isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
                self._reset()
            else:
                self._abort()
            raise error from exc
        finally:
            self._watchdog.disarm()
        return SendReceipt(
            message_id=str(message.get("Message-ID", "")),
            accepted=tuple(r for r in recipients if r not in refused),
            refused=refused,
            reply=f"{code} {reply.decode('utf-8', 'replace')}",
            encryption=self.encryption,
            elapsed=time.monotonic() - started,
            transcript=self.transcript,
        )

    def _smtputf8_options(self, addresses: list[str]) -> list[str]:
        """["SMTPUTF8"] when an address needs it and the server offers it; [] when none does."""
        international = [address for address in addresses if needs_smtputf8(address)]
        if not international:
            self._smtp.command_encoding = "ascii"
            return []
        if not self._smtp.has_extn("smtputf8"):
            raise InternationalAddressRefused(international[0])
        self._smtp.command_encoding = "utf-8"
        return ["SMTPUTF8"]

    def close(self) -> None:
        """Say QUIT and close; a server that is already gone is not an error."""
        remaining = self._deadline - time.monotonic()
        if self.is_open and remaining > 0:
            # Goodbye within what is left of the attempt, so a slow QUIT cannot stretch it.
            self._watchdog.arm(min(remaining, _QUIT_TIMEOUT))
            self.transcript.begin(Stage.QUIT)
            # The messages are already accepted; a failed goodbye changes nothing.
            with contextlib.suppress(*_LOW_LEVEL_ERRORS):
                self._smtp.quit()
            self.transcript.end(ok=True)
        self._abort()

    def _failure(self, exc: smtplib.SMTPException | OSError | OversizedReply) -> MailError:
        self.transcript.end(ok=False)
        error = translate(
            exc, stage=self.transcript.stage, config=self.config, timed_out=self._watchdog.fired
        )
        error.transcript = self.transcript
        self.transcript.add("note", f"failed at {error.stage.value}: {error.detail}")
        return error

    def _reset(self) -> None:
        """Clear a refused transaction so the session can send the next message."""
        try:
            self._smtp.rset()
        except _LOW_LEVEL_ERRORS:
            self._abort()

    def _abort(self) -> None:
        self._smtp.close()
        self._watchdog.release()


def send_message(
    config: SmtpConfig, message: Message, deadline: float | None = None
) -> SendReceipt:
    """Open a connection, send one message and close, all by one deadline."""
    if deadline is None:
        deadline = time.monotonic() + config.timeout
    with contextlib.closing(SmtpConnection(config)) as connection:
        connection.open(deadline)
        return connection.send(message, deadline)


def server_certificate(config: SmtpConfig, deadline: float | None = None) -> CertificateInfo | None:
    """The certificate the server presents, fetched without verifying or logging in."""
    probe = dataclasses.replace(
        config, verify_certificate=False, pinned_sha256=None, username="", password=""
    )
    with contextlib.closing(SmtpConnection(probe)) as connection:
        connection.open(deadline)
        der = connection.peer_certificate
    return CertificateInfo.from_der(der) if der else None
