"""A hostile or odd mail server, and odd addresses: bounded, clear, and no secret let out."""

from __future__ import annotations

import base64
import re
import socket
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from flask.testing import FlaskClient

from mailer import (
    AddressNotSupported,
    AuthenticationFailed,
    ProtocolError,
    Security,
    SmtpConfig,
    SmtpConnection,
    compose,
    default_ehlo_name,
    detect,
    send_message,
)
from tests.conftest import SmtpLab
from tests.smtp_servers import (
    LOOPBACK,
    ScriptedServer,
    SmtpServer,
    endless_reply,
    plain_answers,
    self_signed_certificate,
    server_context,
)
from tests.test_settings_page import TEST, form_values

PASSWORD = "pässwörd-ü-42"


def config_for(port: int, **options: Any) -> SmtpConfig:
    options = {"security": Security.NONE, "timeout": 2.0, "sender": "dues@example.test", **options}
    return SmtpConfig(host=LOOPBACK, port=port, **options)


def hello(config: SmtpConfig, to: str = "admin@example.test") -> Any:
    return compose(config, to=[to], subject="Hello", text="Plain body")


@pytest.fixture
def scripted() -> Iterator[list[ScriptedServer]]:
    servers: list[ScriptedServer] = []
    yield servers
    for server in servers:
        server.stop()


def test_an_endless_reply_fails_at_once_as_oversized_without_growing_memory(
    scripted: list[ScriptedServer],
) -> None:
    server = ScriptedServer(plain_answers, greeting=endless_reply)
    scripted.append(server)
    config = config_for(server.port, timeout=10.0)
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(ProtocolError) as caught:
        send_message(config, hello(config))
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "sent an oversized reply" in caught.value.summary
    assert elapsed < 5, "refused when the bound was reached, not at the timeout"
    assert peak < 8 * 1024 * 1024, f"{peak} bytes held for one reply"


def test_detect_settings_refuses_an_endless_reply_too(scripted: list[ScriptedServer]) -> None:
    server = ScriptedServer(plain_answers, greeting=endless_reply)
    scripted.append(server)
    [report] = detect(config_for(25, timeout=10.0), [(server.port, False)])
    assert not report.reachable and "oversized reply" in report.problem


@dataclass
class CountingCredentials:
    """Accepts one login, counting every attempt as a real server's fail2ban would."""

    username: str
    password: str
    attempts: list[str] = field(default_factory=list)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        self.attempts.append(mechanism)
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode() == self.username
            and auth_data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False)


def auth_server(start_server: Any, credentials: CountingCredentials) -> SmtpServer:
    server: SmtpServer = start_server(
        authenticator=credentials, auth_require_tls=False, auth_required=True
    )
    return server


def test_a_non_ascii_password_is_sent_as_utf8(start_server: Any) -> None:
    credentials = CountingCredentials("mailer", PASSWORD)
    server = auth_server(start_server, credentials)
    config = config_for(server.port, username="mailer", password=PASSWORD)
    send_message(config, hello(config))
    [received] = server.received
    assert received.authenticated


def test_a_wrong_password_is_one_failed_log_in_not_two(start_server: Any) -> None:
    credentials = CountingCredentials("mailer", PASSWORD)
    server = auth_server(start_server, credentials)
    config = config_for(server.port, username="mailer", password="wrong")
    with pytest.raises(AuthenticationFailed):
        send_message(config, hello(config))
    assert credentials.attempts == ["PLAIN"]


def echo_auth(line: bytes) -> bytes | None:
    """A server that quotes the client's AUTH payload back in its refusal."""
    if line.upper().startswith(b"AUTH "):
        return b"535 5.7.8 Authentication failed for " + line.split()[-1] + b"\r\n"
    return plain_answers(line)


def test_a_server_echoing_the_credentials_cannot_put_them_on_the_page(
    scripted: list[ScriptedServer],
) -> None:
    server = ScriptedServer(echo_auth)
    scripted.append(server)
    config = config_for(server.port, username="mailer", password=PASSWORD)
    with pytest.raises(AuthenticationFailed) as caught:
        send_message(config, hello(config))
    error = caught.value
    shown = " ".join([error.summary, error.hint, error.detail, error.transcript.render()])
    payload = f"\0mailer\0{PASSWORD}".encode()
    forms = [
        PASSWORD,
        base64.b64encode(PASSWORD.encode()).decode(),
        base64.b64encode(payload).decode(),
        base64.b64encode(payload).decode().rstrip("="),
    ]
    assert any(line.startswith(b"AUTH PLAIN") for line in server.commands)
    for form in forms:
        assert form not in shown
    assert "535" in shown


def test_an_international_domain_is_sent_in_its_ascii_form(smtp: SmtpLab) -> None:
    server = smtp.plain_no_starttls
    config = config_for(server.port, sender="dues@bücher.example")
    send_message(config, hello(config, to="admin@bücher.example"))
    [received] = server.received
    assert received.mail_from == "dues@xn--bcher-kva.example"
    assert received.rcpt_tos == ["admin@xn--bcher-kva.example"]
    assert "dues@xn--bcher-kva.example" in str(received.message["From"])


def test_a_non_ascii_local_part_travels_with_smtputf8(start_server: Any) -> None:
    server: SmtpServer = start_server(enable_SMTPUTF8=True)
    config = config_for(server.port, sender="dües@example.test")
    send_message(config, hello(config, to="üser@example.test"))
    [received] = server.received
    assert received.mail_from == "dües@example.test"
    assert received.rcpt_tos == ["üser@example.test"]
    assert str(received.message["To"]) == "üser@example.test"


def test_a_non_ascii_local_part_without_smtputf8_is_a_clear_error(start_server: Any) -> None:
    server: SmtpServer = start_server(enable_SMTPUTF8=False)
    config = config_for(server.port)
    with pytest.raises(AddressNotSupported) as caught:
        send_message(config, hello(config, to="üser@example.test"))
    assert "üser@example.test" in caught.value.summary and "SMTPUTF8" in caught.value.summary
    assert not caught.value.temporary
    assert server.received == []


def test_ehlo_says_the_configured_name(scripted: list[ScriptedServer]) -> None:
    server = ScriptedServer(plain_answers)
    scripted.append(server)
    connection = SmtpConnection(config_for(server.port, ehlo_name="mail.example.test"))
    connection.open()
    connection.close()
    assert server.commands[0] == b"ehlo mail.example.test"


def test_the_default_ehlo_name_is_fully_qualified(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "nas.home.example")
    assert default_ehlo_name("dues.example.test") == "nas.home.example"
    monkeypatch.setattr(socket, "gethostname", lambda: "3f2a9c")  # a container's name
    assert default_ehlo_name("dues.example.test") == "dues.example.test"
    assert default_ehlo_name("127.0.0.1") == "[127.0.0.1]"
    assert default_ehlo_name("::1") == "[IPv6:::1]"


def test_the_page_uses_one_deadline_for_the_test_and_the_certificate_fetch(
    logged_in: FlaskClient, scripted: list[ScriptedServer], tmp_path: Any
) -> None:
    context = server_context(*self_signed_certificate(), tmp_path)
    # Each TLS handshake waits 1.5 s: the refusal, then the fetch of the certificate
    # to show, would take 3 s if the fetch had a deadline of its own; half a second
    # to spare either side for a loaded machine.
    server = ScriptedServer(plain_answers, tls_context=context, handshake_delay=1.5)
    scripted.append(server)
    response = logged_in.post(
        TEST, data=form_values(port=str(server.port), security="ssl", timeout="2")
    )
    page = response.get_data(as_text=True)
    took = re.search(r"Test email failed</strong> at the [^,]+, after ([0-9.]+) s", page)
    assert took, page
    assert float(took[1]) < 2.5, f"a 2 s timeout took {took[1]} s"


def test_an_oversized_reply_is_explained_whole_in_the_accounts_language(
    logged_in: FlaskClient, scripted: list[ScriptedServer]
) -> None:
    server = ScriptedServer(plain_answers, greeting=endless_reply)
    scripted.append(server)
    logged_in.post(
        "/account", data={"email": "alice@example.test", "currency": "EUR", "locale": "de"}
    )
    page = logged_in.post(TEST, data=form_values(port=str(server.port))).get_data(as_text=True)
    assert re.search(r"eine Antwort mit mehr als \d+ (Zeilen|KiB)", page), page
    assert "a reply of more than" not in page
