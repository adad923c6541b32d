"""One SMTP connection that does exactly what its config says, and nothing more."""

from __future__ import annotations

import contextlib
import functools
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from types import TracebackType

from mailer.config import Security, SmtpConfig
from mailer.diagnose import translate
from mailer.errors import MailError, Stage
from mailer.tls import client_context
from mailer.transcript import HIDDEN, Transcript

_LOW_LEVEL_ERRORS = (smtplib.SMTPException, OSError)
_QUIT_TIMEOUT = 5.0


@functools.cache
def _local_hostname() -> str:
    """The name given in EHLO; looked up once, since getfqdn may be slow."""
    return socket.getfqdn()


@dataclass(frozen=True)
class SendReceipt:
    """What the server said when it accepted a message."""

    message_id: str
    accepted: tuple[str, ...]
    refused: dict[str, tuple[int, str]]
    reply: str
    encryption: str
    elapsed: float


class _Watchdog:
    """Cuts the connection when an attempt runs past its deadline.

    A socket timeout bounds each read, not the attempt: a server trickling a
    byte at a time would otherwise keep the caller waiting indefinitely.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer: threading.Timer | None = None
        self.fired = False

    def watch(self, sock: socket.socket) -> None:
        # A duplicate stays valid after ssl wraps (and detaches) the original.
        with self._lock:
            self._socket = sock.dup()

    def arm(self, seconds: float) -> None:
        self.disarm()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def release(self) -> None:
        self.disarm()
        with self._lock:
            if self._socket is not None:
                self._socket.close()
                self._socket = None

    def _cut(self) -> None:
        with self._lock:
            self.fired = True
            if self._socket is not None:
                with contextlib.suppress(OSError):  # already closed by the peer
                    self._socket.shutdown(socket.SHUT_RDWR)


class _RecordingSMTP(smtplib.SMTP):
    """smtplib.SMTP that keeps a transcript and knows which stage it is in."""

    def __init__(
        self,
        config: SmtpConfig,
        transcript: Transcript,
        watchdog: _Watchdog,
        implicit_tls: ssl.SSLContext | None,
    ) -> None:
        self.stage = Stage.CONNECT
        self._transcript = transcript
        self._watchdog = watchdog
        self._implicit_tls = implicit_tls
        self._hiding_credentials = False
        self._next_send_is_message = False
        super().__init__(timeout=config.timeout, local_hostname=_local_hostname())
        # starttls() verifies the name in self._host, which only a connecting __init__ sets.
        self._host = config.host

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        self.stage = Stage.CONNECT
        self._transcript.add("note", f"connecting to {host} port {port}")
        sock = socket.create_connection((host, port), timeout, self.source_address)
        self._watchdog.watch(sock)
        if self._implicit_tls is not None:
            self.stage = Stage.TLS
            sock = self._implicit_tls.wrap_socket(sock, server_hostname=host)
            self._transcript.add("note", f"TLS established: {describe_tls(sock)}")
        self.stage = Stage.GREETING
        return sock

    def send(self, s: str | bytes) -> None:  # type: ignore[override]
        text = s.decode("utf-8", "replace") if isinstance(s, bytes) else s
        if self._next_send_is_message:
            self._next_send_is_message = False
            self._transcript.add("client", f"[message, {len(s)} bytes]")
        elif self._hiding_credentials:
            self._transcript.add("client", HIDDEN)
        elif text.upper().startswith("AUTH "):
            self._hiding_credentials = True
            self._transcript.add("client", " ".join(text.split()[:2] + [HIDDEN]))
        else:
            self._transcript.add("client", text.rstrip("\r\n"))
        super().send(s)

    def getreply(self) -> tuple[int, bytes]:
        code, message = super().getreply()
        if self._watchdog.fired:
            # A reply cut short by the deadline may parse as a valid one; it is not.
            raise smtplib.SMTPServerDisconnected("connection cut at the deadline")
        for line in message.decode("utf-8", "replace").splitlines() or [""]:
            self._transcript.add("server", f"{code} {line}")
        self._next_send_is_message = code == 354
        self._hiding_credentials = self._hiding_credentials and code == 334
        return code, message


def describe_tls(sock: socket.socket) -> str:
    """The protocol and cipher of a TLS socket, e.g. 'TLSv1.3, TLS_AES_256_GCM_SHA384'."""
    if not isinstance(sock, ssl.SSLSocket):
        return "not encrypted"
    cipher = sock.cipher()
    return f"{sock.version()}, {cipher[0]}" if cipher else str(sock.version())


def envelope_recipients(message: EmailMessage) -> list[str]:
    """The addresses in To and Cc, in order, each once."""
    fields = message.get_all("To", []) + message.get_all("Cc", [])
    addresses = [address for _, address in getaddresses([str(f) for f in fields]) if address]
    return list(dict.fromkeys(addresses))


class SmtpConnection:
    """An open SMTP session that can send several messages, closed tolerantly."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.transcript = Transcript(secrets=(config.password,))
        self._watchdog = _Watchdog()
        context = None if config.security is Security.NONE else client_context(config)
        implicit_tls = context if config.security is Security.SSL else None
        self._starttls = context if config.security is Security.STARTTLS else None
        self._smtp = _RecordingSMTP(config, self.transcript, self._watchdog, implicit_tls)

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
            return "plain SMTP, not encrypted"
        kind = "STARTTLS" if self.config.security is Security.STARTTLS else "SSL"
        unverified = "" if self.config.verify_certificate else ", certificate not verified"
        return f"{kind} ({describe_tls(self._smtp.sock)}{unverified})"

    def open(self) -> None:
        """Connect, greet, encrypt as configured and log in."""
        smtp = self._smtp
        self._watchdog.arm(self.config.timeout)
        try:
            code, reply = smtp.connect(self.config.host, self.config.port)
            if code != 220:
                raise smtplib.SMTPConnectError(code, reply)
            smtp.stage = Stage.EHLO
            smtp.ehlo_or_helo_if_needed()
            if self._starttls is not None:
                smtp.stage = Stage.STARTTLS
                smtp.starttls(context=self._starttls)
                self.transcript.add("note", f"TLS established: {self.encryption}")
                smtp.stage = Stage.EHLO
                smtp.ehlo_or_helo_if_needed()
            if self.config.username:
                smtp.stage = Stage.AUTH
                smtp.login(self.config.username, self.config.password)
        except _LOW_LEVEL_ERRORS as exc:
            error = self._failure(exc)
            self._abort()
            raise error from exc
        finally:
            self._watchdog.disarm()

    def send(self, message: EmailMessage) -> SendReceipt:
        """Send one message to its To and Cc addresses; refusing some is not failing."""
        recipients = envelope_recipients(message)
        if not recipients:
            raise ValueError("the message has no recipients")
        if not self.is_open:
            raise RuntimeError("the connection is closed")
        payload = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        started = time.monotonic()
        smtp = self._smtp
        self._watchdog.arm(self.config.timeout)
        try:
            smtp.stage = Stage.MAIL_FROM
            code, reply = smtp.mail(self.config.sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, self.config.sender)
            smtp.stage = Stage.RCPT_TO
            refused: dict[str, tuple[int, str]] = {}
            for recipient in recipients:
                code, reply = smtp.rcpt(recipient)
                if code not in (250, 251):
                    refused[recipient] = (code, reply.decode("utf-8", "replace"))
            if len(refused) == len(recipients):
                raise smtplib.SMTPRecipientsRefused(refused)  # type: ignore[arg-type]
            smtp.stage = Stage.DATA
            code, reply = smtp.data(payload)
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
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
        )

    def close(self) -> None:
        """Say QUIT and close; a server that is already gone is not an error."""
        if self.is_open:
            self._watchdog.arm(min(self.config.timeout, _QUIT_TIMEOUT))
            self._smtp.stage = Stage.QUIT
            # The messages are already accepted; a failed goodbye changes nothing.
            with contextlib.suppress(*_LOW_LEVEL_ERRORS):
                self._smtp.quit()
        self._abort()

    def _failure(self, exc: smtplib.SMTPException | OSError) -> MailError:
        error = translate(
            exc, stage=self._smtp.stage, config=self.config, timed_out=self._watchdog.fired
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


def send_message(config: SmtpConfig, message: EmailMessage) -> SendReceipt:
    """Open a connection, send one message and close."""
    with SmtpConnection(config) as connection:
        return connection.send(message)
