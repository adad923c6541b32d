"""Real SMTP servers on 127.0.0.1 for the tests, each recording what it received."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

LOOPBACK = "127.0.0.1"
# The name a test server gives in its greeting: without one, aiosmtpd asks the
# resolver (socket.getfqdn) on every connection, inside its event loop.
SERVER_NAME = "localhost"


def free_port() -> int:
    """A port on the loopback address that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    """One message as the server got it, and how the session was protected."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls_version: str | None
    authenticated: bool
    peer: tuple[str, int]
    # The message as it crossed the wire, to check its encoding byte by byte.
    raw: bytes = b""


@dataclass
class RecordingHandler:
    """Accepts mail, refusing the listed recipients or failing on command."""

    refuse: set[str] = field(default_factory=set)
    data_reply: str | None = None
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such user"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        if self.data_reply is not None:
            return self.data_reply
        await asyncio.sleep(self.delay)
        ssl_object = server.transport.get_extra_info("ssl_object")
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            Received(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message,
                tls_version=ssl_object.version() if ssl_object else None,
                authenticated=bool(session.authenticated),
                peer=session.peer,
                raw=envelope.original_content,
            )
        )
        return f"250 2.0.0 Ok: queued as Q{len(self.received)}"


@dataclass(frozen=True)
class Credentials:
    """The one login an authenticating test server accepts."""

    username: str
    password: str

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        # handled=False: aiosmtpd replies itself; True would leave the client waiting.
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    """A running aiosmtpd server and what it received."""

    port: int
    handler: RecordingHandler
    controller: Controller
    host: str = LOOPBACK

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def stop(self) -> None:
        self.controller.stop()


def start_smtp_server(handler: RecordingHandler | None = None, **smtp_options: Any) -> SmtpServer:
    """Start aiosmtpd on a free loopback port with the given SMTP options."""
    handler = handler or RecordingHandler()
    port = free_port()
    controller = Controller(
        handler, hostname=LOOPBACK, port=port, server_hostname=SERVER_NAME, **smtp_options
    )
    controller.start()
    return SmtpServer(port=port, handler=handler, controller=controller)


def server_context(cert_pem: bytes, key_pem: bytes, tmp_dir: Any) -> ssl.SSLContext:
    """A server-side TLS context presenting the given certificate."""
    cert_file = tmp_dir / "cert.pem"
    key_file = tmp_dir / "key.pem"
    cert_file.write_bytes(cert_pem)
    key_file.write_bytes(key_pem)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def self_signed_certificate(names: Iterable[str] = ("localhost",)) -> tuple[bytes, bytes]:
    """A certificate that signs itself, valid for 127.0.0.1 and the given names."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Dues test mail server")])
    now = datetime.datetime.now(datetime.UTC)
    alt_names: list[x509.GeneralName] = [x509.DNSName(n) for n in names]
    alt_names.append(x509.IPAddress(ipaddress.ip_address(LOOPBACK)))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        .sign(key, hashes.SHA256())
    )
    return (
        certificate.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


class MisbehavingServer:
    """A TCP server that accepts and then stays silent, or trickles a byte at a time."""

    def __init__(self, trickle_interval: float | None = None) -> None:
        self._trickle_interval = trickle_interval
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port = int(self._listener.getsockname()[1])
        self.host = LOOPBACK
        self._stopping = threading.Event()
        self._connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self._connections.append(connection)
            if self._trickle_interval is not None:
                threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        greeting = b"220-" + b"slow " * 2000
        for byte in greeting:
            if self._stopping.wait(self._trickle_interval):
                return
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                return

    def stop(self) -> None:
        self._stopping.set()
        self._listener.close()
        for connection in self._connections:
            connection.close()


def wait_for(condition: Any, timeout: float = 5.0) -> None:
    """Poll until condition() is true, failing after timeout seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


class ScriptedServer:
    """A raw SMTP peer for what aiosmtpd will not do: endless replies, odd AUTH answers.

    greeting is sent first (a callable may write forever); answer maps each command
    line to its reply. With tls_context, TLS starts at once, after handshake_delay.
    """

    def __init__(
        self,
        answer: Any,
        greeting: Any = b"220 scripted.test ESMTP\r\n",
        tls_context: ssl.SSLContext | None = None,
        handshake_delay: float = 0.0,
    ) -> None:
        self._answer = answer
        self._greeting = greeting
        self._tls_context = tls_context
        self._handshake_delay = handshake_delay
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port = int(self._listener.getsockname()[1])
        self.host = LOOPBACK
        self.commands: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        try:
            if self._tls_context is not None:
                time.sleep(self._handshake_delay)
                connection = self._tls_context.wrap_socket(connection, server_side=True)
            with connection, connection.makefile("rb") as lines:
                if callable(self._greeting):
                    self._greeting(connection)
                else:
                    connection.sendall(self._greeting)
                for line in lines:
                    self.commands.append(line.rstrip(b"\r\n"))
                    reply = self._answer(line.rstrip(b"\r\n"))
                    if reply is None:
                        return
                    connection.sendall(reply)
        except (OSError, ssl.SSLError):
            return

    def stop(self) -> None:
        self._listener.close()


def endless_reply(connection: socket.socket) -> None:
    """A greeting that never ends: continuation lines until the client hangs up."""
    line = b"220-" + b"x" * 70 + b"\r\n"
    while True:
        connection.sendall(line * 100)


def plain_answers(line: bytes) -> bytes | None:
    """Just enough SMTP for a client to greet, say QUIT and leave."""
    command = line[:4].upper()
    if command in (b"EHLO", b"HELO"):
        return b"250-scripted.test\r\n250 AUTH PLAIN LOGIN\r\n"
    if command == b"QUIT":
        return None
    return b"250 OK\r\n"


def hang_up_in_data() -> ScriptedServer:
    """Speaks just enough SMTP to reach DATA, then hangs up halfway through the message."""
    in_data = False

    def answer(line: bytes) -> bytes | None:
        nonlocal in_data
        if in_data:
            in_data = False
            return None
        if line[:4].upper() == b"DATA":
            in_data = True
            return b"354 go ahead\r\n"
        return plain_answers(line)

    return ScriptedServer(answer, greeting=b"220 localhost hang-up test server\r\n")
