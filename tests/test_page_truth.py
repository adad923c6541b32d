"""What the settings page shows is what happens: passwords, trust and detection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import AuthResult, LoginPassword
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import SmtpLab
from tests.smtp_servers import SmtpServer
from tests.test_settings_page import PAGE, TEST, form_values, result_panel, stored
from tests.test_trust_page import self_signed_fingerprint

STORED_PASSWORD = "the-real-password-42"


@dataclass
class CapturingCredentials:
    """Refuses every log-in and keeps what it was sent, as an attacker's server would."""

    passwords: list[bytes] = field(default_factory=list)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.passwords.append(auth_data.password)
        return AuthResult(success=False, handled=False)


def test_a_changed_server_never_gets_the_stored_password(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab, start_server: Any
) -> None:
    saved = form_values(
        port=str(smtp.plain_no_starttls.port), username="mailer", password=STORED_PASSWORD
    )
    assert logged_in.post(PAGE, data=saved).status_code == 302
    capturing = CapturingCredentials()
    attacker: SmtpServer = start_server(
        authenticator=capturing, auth_require_tls=False, auth_required=True
    )
    moved = {**saved, "port": str(attacker.port), "password": ""}
    logged_in.post(TEST, data=moved)
    assert STORED_PASSWORD.encode() not in capturing.passwords
    assert capturing.passwords == [b""]
    # Saving the move without a password forgets the stored one.
    assert logged_in.post(PAGE, data=moved).status_code == 302
    assert not stored(app).has_password


def test_the_same_server_keeps_the_stored_password(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    saved = form_values(
        port=str(smtp.plain_no_starttls.port), username="mailer", password=STORED_PASSWORD
    )
    logged_in.post(PAGE, data=saved)
    logged_in.post(PAGE, data={**saved, "password": "", "from_name": "Bills"})
    settings = stored(app)
    assert settings.has_password and settings.from_name == "Bills"


def test_detection_uses_a_trusted_certificate(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.implicit_tls_self_signed
    app.config["DETECT_PORTS"] = [(server.port, True)]
    values = form_values(port=str(server.port), security="ssl")
    before = logged_in.post(PAGE + "/detect", data=values).get_data(as_text=True)
    assert "certificate not trusted" in before
    logged_in.post(
        PAGE + "/trust", data={**values, "trust_fingerprint": self_signed_fingerprint(smtp)}
    )
    after = logged_in.post(PAGE + "/detect", data=values).get_data(as_text=True)
    assert "SSL: verified" in after and "not trusted" not in after


def test_a_test_result_says_which_certificate_check_it_used(
    logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.implicit_tls_self_signed
    values = form_values(port=str(server.port), security="ssl", ignore_verification="y")
    sent = logged_in.post(TEST, data=values).get_data(as_text=True)
    assert result_panel(sent).startswith("Test email sent")
    assert "<dt>Certificate check</dt><dd>not verified</dd>" in sent
    refused = logged_in.post(TEST, data={**values, "ignore_verification": None})
    page = refused.get_data(as_text=True)
    assert "Certificate check used: verified by the system&#39;s CAs." in page
