"""The mailer against real SMTP servers: each server kind × each encryption choice."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest

from mailer import (
    AuthenticationFailed,
    ConnectionFailed,
    MailError,
    RecipientsRefused,
    Security,
    SenderRefused,
    SmtpConfig,
    SmtpConnection,
    Stage,
    TimedOut,
    TlsFailed,
    compose,
    send_message,
)
from tests.conftest import AUTH, REFUSED_RECIPIENT, SmtpLab
from tests.smtp_servers import LOOPBACK, MisbehavingServer, SmtpServer, free_port

TIMEOUT = 1.0


def config_for(
    server: SmtpServer | MisbehavingServer, security: Security, **options: Any
) -> SmtpConfig:
    return SmtpConfig(
        host=server.host,
        port=server.port,
        security=security,
        timeout=options.pop("timeout", TIMEOUT),
        sender="dues@example.test",
        sender_name="Dues",
        **options,
    )


def hello(config: SmtpConfig, to: str = "admin@example.test") -> Any:
    return compose(config, to=[to], subject="Hello", text="Plain body", html="<p>HTML body</p>")


def fail(config: SmtpConfig) -> MailError:
    with pytest.raises(MailError) as caught:
        send_message(config, hello(config))
    return caught.value


def test_none_never_upgrades_even_when_starttls_is_offered(smtp: SmtpLab) -> None:
    config = config_for(smtp.starttls_self_signed, Security.NONE)
    receipt = send_message(config, hello(config))
    [received] = smtp.starttls_self_signed.received
    assert received.tls_version is None
    assert received.rcpt_tos == ["admin@example.test"]
    client_lines = [line.text for line in receipt.transcript.lines if line.speaker == "client"]
    assert "STARTTLS" not in client_lines
    assert receipt.reply.startswith("250 ")
    assert receipt.encryption == "plain SMTP, not encrypted"


def test_tls_refuses_a_self_signed_certificate(smtp: SmtpLab) -> None:
    error = fail(config_for(smtp.starttls_self_signed, Security.STARTTLS))
    assert isinstance(error, TlsFailed)
    assert error.stage is Stage.STARTTLS
    assert "self-signed" in error.summary
    assert "Ignore SSL verification" in error.hint
    assert "CERTIFICATE_VERIFY_FAILED" in error.detail
    assert smtp.starttls_self_signed.received == []


def test_tls_with_ignore_verification_delivers_over_tls(smtp: SmtpLab) -> None:
    config = config_for(smtp.starttls_self_signed, Security.STARTTLS, verify_certificate=False)
    receipt = send_message(config, hello(config))
    [received] = smtp.starttls_self_signed.received
    assert received.tls_version in ("TLSv1.2", "TLSv1.3")
    assert receipt.encryption.startswith("STARTTLS (TLSv1.")
    assert "certificate not verified" in receipt.encryption


def test_tls_fails_when_starttls_is_not_offered_and_never_falls_back(smtp: SmtpLab) -> None:
    error = fail(config_for(smtp.plain_no_starttls, Security.STARTTLS))
    assert isinstance(error, TlsFailed)
    assert "does not offer STARTTLS" in error.summary
    assert "“None”" in error.hint and "“SSL”" in error.hint and "465" in error.hint
    client_lines = [line.text for line in error.transcript.lines if line.speaker == "client"]
    assert not any(line.upper().startswith("MAIL") for line in client_lines)
    assert smtp.plain_no_starttls.received == []


def test_ssl_to_a_plain_port_says_the_server_did_not_answer_in_tls(smtp: SmtpLab) -> None:
    error = fail(config_for(smtp.plain_no_starttls, Security.SSL))
    assert isinstance(error, TlsFailed)
    assert error.stage is Stage.TLS
    assert "did not answer in TLS" in error.summary
    assert "“TLS”" in error.hint and "“None”" in error.hint


def test_ssl_refuses_self_signed_and_delivers_when_told_to_ignore(smtp: SmtpLab) -> None:
    server = smtp.implicit_tls_self_signed
    error = fail(config_for(server, Security.SSL))
    assert isinstance(error, TlsFailed) and "self-signed" in error.summary
    assert server.received == []
    config = config_for(server, Security.SSL, verify_certificate=False)
    send_message(config, hello(config))
    [received] = server.received
    assert received.tls_version in ("TLSv1.2", "TLSv1.3")


@pytest.mark.parametrize("security", [Security.NONE, Security.STARTTLS])
def test_plain_or_starttls_to_an_implicit_tls_port_times_out_with_ssl_hint(
    smtp: SmtpLab, security: Security
) -> None:
    started = time.monotonic()
    error = fail(config_for(smtp.implicit_tls_self_signed, security))
    elapsed = time.monotonic() - started
    assert isinstance(error, TimedOut)
    assert error.stage is Stage.GREETING
    assert "“SSL”" in error.hint
    assert TIMEOUT * 0.9 < elapsed < TIMEOUT + 1.0


def test_a_trusted_ca_certificate_verifies(smtp: SmtpLab) -> None:
    config = config_for(smtp.implicit_tls_trusted, Security.SSL, ca_certificates=smtp.ca_pem)
    receipt = send_message(config, hello(config))
    assert receipt.encryption.startswith("SSL (TLSv1.")
    assert "not verified" not in receipt.encryption
    assert smtp.implicit_tls_trusted.received[0].tls_version is not None


def test_a_trusted_certificate_for_another_name_is_refused(smtp: SmtpLab) -> None:
    error = fail(
        config_for(smtp.implicit_tls_other_name, Security.SSL, ca_certificates=smtp.ca_pem)
    )
    assert isinstance(error, TlsFailed)
    assert "issued for another name" in error.summary
    assert "“SMTP host”" in error.hint


def test_a_certificate_from_an_unknown_authority_is_refused(smtp: SmtpLab) -> None:
    error = fail(config_for(smtp.implicit_tls_trusted, Security.SSL))
    assert isinstance(error, TlsFailed)
    assert "authority that is not trusted" in error.summary


def test_none_on_a_server_that_requires_starttls_says_choose_tls(smtp: SmtpLab) -> None:
    error = fail(config_for(smtp.requires_starttls, Security.NONE))
    assert isinstance(error, SenderRefused)
    assert error.smtp_code == 530
    assert "Choose “TLS”" in error.hint
    assert not error.temporary


def test_wrong_password_is_an_authentication_error_that_never_shows_the_password(
    smtp: SmtpLab,
) -> None:
    password = "wrong-Secret-123"
    config = config_for(smtp.with_auth, Security.NONE, username=AUTH.username, password=password)
    error = fail(config)
    assert isinstance(error, AuthenticationFailed)
    assert error.smtp_code == 535
    everything = " ".join([str(error), error.hint, error.detail, error.transcript.render()])
    assert password not in everything
    plain_payload = base64.b64encode(f"\0{AUTH.username}\0{password}".encode()).decode()
    assert plain_payload not in everything
    assert "AUTH PLAIN [hidden]" in error.transcript.render()


def test_right_password_logs_in_and_delivers(smtp: SmtpLab) -> None:
    config = config_for(
        smtp.with_auth, Security.NONE, username=AUTH.username, password=AUTH.password
    )
    send_message(config, hello(config))
    assert smtp.with_auth.received[0].authenticated


def test_without_username_an_auth_only_server_refuses_the_sender(smtp: SmtpLab) -> None:
    error = fail(config_for(smtp.with_auth, Security.NONE))
    assert isinstance(error, SenderRefused)
    assert error.smtp_code == 530
    assert "“Username”" in error.hint


def test_closed_port_fails_at_once_with_connection_refused() -> None:
    config = SmtpConfig(host=LOOPBACK, port=free_port(), sender="dues@example.test", timeout=5)
    started = time.monotonic()
    error = fail(config)
    assert time.monotonic() - started < 1.0
    assert isinstance(error, ConnectionFailed)
    assert error.stage is Stage.CONNECT
    assert "Connection refused" in error.summary
    assert "“SMTP host”" in error.hint and "“Port”" in error.hint
    assert error.temporary


@pytest.mark.parametrize("kind", ["silent", "trickling"])
def test_a_server_that_never_finishes_answering_fails_after_the_timeout(
    smtp: SmtpLab, kind: str
) -> None:
    server = getattr(smtp, kind)
    started = time.monotonic()
    error = fail(config_for(server, Security.NONE))
    elapsed = time.monotonic() - started
    assert isinstance(error, TimedOut)
    assert error.stage is Stage.GREETING
    assert TIMEOUT * 0.9 < elapsed < TIMEOUT + 1.0


def test_a_refused_recipient_is_named(smtp: SmtpLab) -> None:
    config = config_for(smtp.plain_no_starttls, Security.NONE)
    with pytest.raises(RecipientsRefused) as caught:
        send_message(config, hello(config, to=REFUSED_RECIPIENT))
    assert REFUSED_RECIPIENT in caught.value.summary
    assert caught.value.refused[REFUSED_RECIPIENT][0] == 550
    assert caught.value.smtp_code == 550 and not caught.value.temporary


def test_some_refused_recipients_do_not_stop_the_others(smtp: SmtpLab) -> None:
    config = config_for(smtp.plain_no_starttls, Security.NONE)
    message = compose(
        config, to=["admin@example.test"], cc=[REFUSED_RECIPIENT], subject="Hi", text="Body"
    )
    receipt = send_message(config, message)
    assert receipt.accepted == ("admin@example.test",)
    assert set(receipt.refused) == {REFUSED_RECIPIENT}
    assert smtp.plain_no_starttls.received[0].rcpt_tos == ["admin@example.test"]


def test_one_connection_sends_a_batch_and_survives_a_refusal(smtp: SmtpLab) -> None:
    config = config_for(smtp.plain_no_starttls, Security.NONE)
    with SmtpConnection(config) as connection:
        connection.send(hello(config, to="a@example.test"))
        with pytest.raises(RecipientsRefused):
            connection.send(hello(config, to=REFUSED_RECIPIENT))
        connection.send(hello(config, to="b@example.test"))
    received = smtp.plain_no_starttls.received
    assert [r.rcpt_tos for r in received] == [["a@example.test"], ["b@example.test"]]
    assert len({r.peer for r in received}) == 1


def test_close_is_tolerant_when_called_twice(smtp: SmtpLab) -> None:
    connection = SmtpConnection(config_for(smtp.plain_no_starttls, Security.NONE))
    connection.open()
    connection.close()
    connection.close()
    assert not connection.is_open


def test_the_message_has_both_parts_and_proper_headers(smtp: SmtpLab) -> None:
    config = SmtpConfig(
        host=LOOPBACK,
        port=smtp.plain_no_starttls.port,
        security=Security.NONE,
        sender="dues@example.test",
        sender_name="Dües Réminders",
        timeout=TIMEOUT,
    )
    message = compose(
        config, to=["admin@example.test"], subject="Ünïcode — 12.99 €", text="T", html="<b>H</b>"
    )
    receipt = send_message(config, message)
    received = smtp.plain_no_starttls.received[0].message
    assert received["Subject"] == "Ünïcode — 12.99 €"
    assert received["From"].addresses[0].display_name == "Dües Réminders"
    assert received["Message-ID"] == receipt.message_id and "@example.test>" in receipt.message_id
    assert received["Date"]
    assert [part.get_content_type() for part in received.iter_parts()] == [
        "text/plain",
        "text/html",
    ]


@pytest.mark.parametrize("field", ["host", "sender", "username", "sender_name"])
def test_config_refuses_line_breaks(field: str) -> None:
    values: dict[str, Any] = {"host": "mail.example.test", "port": 25, "sender": "a@example.test"}
    values[field] = "evil\r\nRCPT TO:<x@example.test>"
    with pytest.raises(ValueError, match="control characters"):
        SmtpConfig(**values)


def test_compose_refuses_header_injection() -> None:
    config = SmtpConfig(host="mail.example.test", port=25, sender="a@example.test")
    with pytest.raises(ValueError):
        compose(config, to=["a@example.test"], subject="Hi\r\nBcc: x@example.test", text="x")


def test_a_long_non_ascii_subject_arrives_intact(smtp: SmtpLab) -> None:
    config = config_for(smtp.plain_no_starttls, Security.NONE)
    subject = "2 payments coming up — first: Streaming service in 3 days, " + "é" * 80
    send_message(config, compose(config, to=["a@example.test"], subject=subject, text="x"))
    assert smtp.plain_no_starttls.received[0].message["Subject"] == subject
