"""smtplib.SMTP that records its steps and conversation and checks pinned certificates."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from typing import Any

from mailer.certificates import CertificateInfo
from mailer.config import SmtpConfig
from mailer.tls import check_pin, trust_description
from mailer.transcript import HIDDEN, Stage, Transcript
from mailer.watchdog import Watchdog
from mailer.wire import AttemptBudget, BoundedReader

# Tried in this order, and only the first one the server offers: after a definite
# refusal, another mechanism would count as a second failed log-in on the server.
_MECHANISMS = ("PLAIN", "LOGIN")


class _Utf8Response(str):
    """An AUTH response smtplib sends as UTF-8 (RFC 4616, 4954) where it would insist on ASCII."""

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return str.encode(self, "utf-8", errors)


def describe_tls(sock: socket.socket) -> str:
    """The protocol and cipher of a TLS socket, e.g. 'TLSv1.3, TLS_AES_256_GCM_SHA384'."""
    if not isinstance(sock, ssl.SSLSocket):
        return "not encrypted"
    cipher = sock.cipher()
    return f"{sock.version()}, {cipher[0]}" if cipher else str(sock.version())


def _connect_first(
    addresses: Sequence[tuple[socket.AddressFamily, socket.SocketKind, int, str, Any]],
    timeout: float,
) -> socket.socket:
    """A socket connected to the first address that answers, as create_connection does."""
    error: OSError | None = None
    for family, kind, protocol, _, address in addresses:
        sock = socket.socket(family, kind, protocol)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            error = exc
        else:
            return sock
    raise error or OSError("the host name has no address")


class AddressNotAllowed(OSError):
    """Every address of the host is one the config's policy refuses."""


class TokenRefused(smtplib.SMTPAuthenticationError):
    """The server refused an OAuth token; challenges holds any error it explained first."""

    def __init__(self, code: int, reply: bytes | str, challenges: list[bytes]) -> None:
        super().__init__(code, reply)
        self.challenges = challenges


class RecordingSMTP(smtplib.SMTP):
    """smtplib.SMTP that keeps a transcript of steps and lines."""

    def __init__(
        self,
        config: SmtpConfig,
        transcript: Transcript,
        watchdog: Watchdog,
        implicit_tls: ssl.SSLContext | None,
    ) -> None:
        self._config = config
        self._transcript = transcript
        self._watchdog = watchdog
        self._implicit_tls = implicit_tls
        self._hiding_credentials = False
        self._next_send_is_message = False
        self.greeting = ""
        self.file: BoundedReader | None = None
        self.budget = AttemptBudget()
        super().__init__(timeout=config.timeout, local_hostname=config.ehlo_name)
        # starttls() verifies the name in self._host, which only a connecting __init__ sets.
        self._host = config.host

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        self._transcript.begin(Stage.RESOLVE)
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        self._transcript.describe(", ".join(str(address[4][0]) for address in addresses))
        addresses = self._permitted(addresses)
        self._transcript.begin(Stage.CONNECT)
        self._transcript.add("note", f"connecting to {host} port {port}")
        sock = _connect_first(addresses, timeout)
        self._watchdog.watch(sock)
        if self._implicit_tls is not None:
            self._transcript.begin(Stage.TLS)
            sock = self._implicit_tls.wrap_socket(sock, server_hostname=host)
            try:
                self.tls_established(sock)
            except ssl.SSLError:
                sock.close()
                raise
        self._transcript.begin(Stage.GREETING)
        return sock

    def _permitted(self, addresses: list[Any]) -> list[Any]:
        """The addresses the config's policy allows; AddressNotAllowed if none is."""
        refusal = self._config.address_refusal
        if refusal is None:
            return addresses
        reasons = [refusal(str(address[4][0])) for address in addresses]
        permitted = [
            address for address, reason in zip(addresses, reasons, strict=True) if not reason
        ]
        if not permitted:
            raise AddressNotAllowed(next(reason for reason in reasons if reason))
        return permitted

    def tls_established(self, sock: ssl.SSLSocket) -> None:
        """Check a pinned certificate and note what the handshake gave."""
        check_pin(sock, self._config)
        der = sock.getpeercert(binary_form=True)
        certificate = f"; certificate {CertificateInfo.from_der(der).subject}" if der else ""
        self._transcript.describe(
            f"{describe_tls(sock)}{certificate}, {trust_description(self._config)}"
        )

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

    def login(
        self, user: str, password: str, *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        """Log in with one mechanism the server offers, sending the credentials as UTF-8."""
        self.ehlo_or_helo_if_needed()
        if not self.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
        offered = self.esmtp_features["auth"].upper().split()
        mechanism = next((name for name in _MECHANISMS if name in offered), None)
        if mechanism is None:
            raise smtplib.SMTPException("No suitable authentication method found.")
        self.user, self.password = user, password
        respond: Callable[..., str] = getattr(self, "auth_" + mechanism.lower())

        def utf8_response(challenge: bytes | None = None) -> str:
            return _Utf8Response(respond(challenge))

        return self.auth(mechanism, utf8_response, initial_response_ok=initial_response_ok)

    def login_xoauth2(self, user: str, token: str) -> tuple[int, bytes]:
        """Log in with an OAuth 2.0 bearer token (XOAUTH2, as Microsoft and Google take it)."""
        self.ehlo_or_helo_if_needed()
        if not self.has_extn("auth"):
            raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
        challenges: list[bytes] = []

        def respond(challenge: bytes | None = None) -> str:
            if challenge is None:
                return f"user={user}\x01auth=Bearer {token}\x01\x01"
            # A challenge after the token is the server's error (Google: base64 JSON);
            # the protocol answers it with an empty line, and the server then refuses.
            challenges.append(challenge)
            return ""

        try:
            return self.auth("XOAUTH2", respond)
        except smtplib.SMTPAuthenticationError as exc:
            raise TokenRefused(exc.smtp_code, exc.smtp_error, challenges) from exc

    def getreply(self) -> tuple[int, bytes]:
        if self.file is None and self.sock is not None:
            self.file = BoundedReader(self.sock.makefile("rb"), self.budget)
        if self.file is not None:
            self.file.start_reply()
        code, message = super().getreply()
        if self._watchdog.fired:
            # A reply cut short by the deadline may parse as a valid one; it is not.
            raise smtplib.SMTPServerDisconnected("connection cut at the deadline")
        text = message.decode("utf-8", "replace")
        for line in text.splitlines() or [""]:
            self._transcript.add("server", f"{code} {line}")
        if self._transcript.stage is Stage.GREETING and not self.greeting:
            self.greeting = f"{code} {text}"
        self._next_send_is_message = code == 354
        self._hiding_credentials = self._hiding_credentials and code == 334
        return code, message
