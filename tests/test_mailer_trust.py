"""Trusting exactly one certificate, a CA of one's own, and the steps of an attempt."""

from __future__ import annotations

import ssl
from typing import Any

import pytest

from mailer import (
    CertificateRefused,
    MailError,
    Security,
    SmtpConfig,
    Stage,
    fingerprint,
    send_message,
    server_certificate,
)
from tests.conftest import AUTH, REFUSED_RECIPIENT, SmtpLab
from tests.smtp_servers import LOOPBACK, free_port
from tests.test_mailer import config_for, hello


def self_signed_fingerprint(smtp: SmtpLab) -> str:
    return fingerprint(ssl.PEM_cert_to_DER_cert(smtp.self_signed_pem))


@pytest.mark.parametrize("kind", ["starttls_self_signed", "implicit_tls_self_signed"])
def test_a_pinned_certificate_is_accepted_whatever_its_issuer(smtp: SmtpLab, kind: str) -> None:
    server = getattr(smtp, kind)
    security = Security.SSL if kind.startswith("implicit") else Security.STARTTLS
    config = config_for(server, security, pinned_sha256=self_signed_fingerprint(smtp))
    receipt = send_message(config, hello(config))
    assert server.received[0].tls_version is not None
    tls_step = next(s for s in receipt.transcript.steps if s.stage in (Stage.TLS, Stage.STARTTLS))
    assert "matches the trusted fingerprint" in tls_step.detail


def test_another_certificate_than_the_pinned_one_is_refused_as_changed(smtp: SmtpLab) -> None:
    pinned = "AB:" * 31 + "AB"
    config = config_for(smtp.implicit_tls_trusted, Security.SSL, pinned_sha256=pinned)
    with pytest.raises(CertificateRefused) as caught:
        send_message(config, hello(config))
    error = caught.value
    assert error.reason == "changed" and "changed" in error.summary
    assert error.expected_fingerprint == pinned
    assert error.actual_fingerprint and error.actual_fingerprint != pinned
    assert smtp.implicit_tls_trusted.received == []


def test_ignoring_verification_overrides_a_pin(smtp: SmtpLab) -> None:
    config = config_for(
        smtp.implicit_tls_trusted,
        Security.SSL,
        pinned_sha256="AB:" * 31 + "AB",
        verify_certificate=False,
    )
    send_message(config, hello(config))
    assert len(smtp.implicit_tls_trusted.received) == 1


def test_a_custom_ca_rejects_servers_it_did_not_sign(smtp: SmtpLab) -> None:
    config = config_for(smtp.implicit_tls_self_signed, Security.SSL, ca_certificates=smtp.ca_pem)
    with pytest.raises(CertificateRefused) as caught:
        send_message(config, hello(config))
    assert caught.value.reason == "it is self-signed"


def test_the_server_certificate_can_be_fetched_to_show_it(smtp: SmtpLab) -> None:
    config = config_for(smtp.starttls_self_signed, Security.STARTTLS)
    info = server_certificate(config)
    assert info is not None
    assert info.sha256 == self_signed_fingerprint(smtp)
    assert info.self_signed and "Dues test mail server" in info.subject
    assert "localhost" in info.names and "127.0.0.1" in info.names
    assert info.not_before < info.not_after


def _config(smtp: SmtpLab, row: str) -> SmtpConfig:
    rows: dict[str, tuple[Any, Security, dict[str, Any]]] = {
        "self-signed over STARTTLS": (smtp.starttls_self_signed, Security.STARTTLS, {}),
        "no STARTTLS offered": (smtp.plain_no_starttls, Security.STARTTLS, {}),
        "SSL to a plain port": (smtp.plain_no_starttls, Security.SSL, {}),
        "self-signed over SSL": (smtp.implicit_tls_self_signed, Security.SSL, {}),
        "plain to an SSL port": (smtp.implicit_tls_self_signed, Security.NONE, {}),
        "name mismatch": (
            smtp.implicit_tls_other_name,
            Security.SSL,
            {"ca_certificates": smtp.ca_pem},
        ),
        "STARTTLS required": (smtp.requires_starttls, Security.NONE, {}),
        "wrong password": (
            smtp.with_auth,
            Security.NONE,
            {"username": AUTH.username, "password": "wrong"},
        ),
        "silent server": (smtp.silent, Security.NONE, {}),
    }
    server, security, options = rows[row]
    return config_for(server, security, **options)


@pytest.mark.parametrize(
    ("row", "failed_at"),
    [
        ("self-signed over STARTTLS", Stage.STARTTLS),
        ("no STARTTLS offered", Stage.STARTTLS),
        ("SSL to a plain port", Stage.TLS),
        ("self-signed over SSL", Stage.TLS),
        ("plain to an SSL port", Stage.GREETING),
        ("name mismatch", Stage.TLS),
        ("STARTTLS required", Stage.MAIL_FROM),
        ("wrong password", Stage.AUTH),
        ("silent server", Stage.GREETING),
    ],
)
def test_the_steps_mark_where_each_failure_happened(
    smtp: SmtpLab, row: str, failed_at: Stage
) -> None:
    config = _config(smtp, row)
    with pytest.raises(MailError) as caught:
        send_message(config, hello(config))
    steps = caught.value.transcript.steps
    [failed] = [s for s in steps if not s.ok]
    assert failed.stage is failed_at
    assert all(s.ok for s in steps[: steps.index(failed)])
    assert all(s.elapsed is not None for s in steps)
    assert steps[0].stage is Stage.RESOLVE


def test_closed_port_and_refused_recipient_steps(smtp: SmtpLab) -> None:
    closed = SmtpConfig(host=LOOPBACK, port=free_port(), sender="a@example.test", timeout=1)
    with pytest.raises(MailError) as caught:
        send_message(closed, hello(closed))
    assert [(s.stage, s.ok) for s in caught.value.transcript.steps] == [
        (Stage.RESOLVE, True),
        (Stage.CONNECT, False),
    ]
    config = config_for(smtp.plain_no_starttls, Security.NONE)
    with pytest.raises(MailError) as caught:
        send_message(config, hello(config, to=REFUSED_RECIPIENT))
    assert [s.stage for s in caught.value.transcript.steps if not s.ok] == [Stage.RCPT_TO]


def test_a_successful_attempt_lists_every_step_with_the_tls_details(smtp: SmtpLab) -> None:
    config = config_for(smtp.starttls_self_signed, Security.STARTTLS, verify_certificate=False)
    receipt = send_message(config, hello(config))
    steps = receipt.transcript.steps
    assert [s.stage for s in steps] == [
        Stage.RESOLVE,
        Stage.CONNECT,
        Stage.GREETING,
        Stage.EHLO,
        Stage.STARTTLS,
        Stage.EHLO,
        Stage.MAIL_FROM,
        Stage.RCPT_TO,
        Stage.DATA,
        Stage.QUIT,
    ]
    assert all(s.ok for s in steps)
    starttls = steps[4]
    assert starttls.detail.startswith("TLSv1.") and "not verified" in starttls.detail
    assert "127.0.0.1" in steps[0].detail
