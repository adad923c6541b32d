"""Trusting a certificate, bringing a CA and detecting settings, through the page."""

from __future__ import annotations

import re
import ssl

from flask import Flask
from flask.testing import FlaskClient

from mailer import fingerprint
from tests.conftest import SmtpLab
from tests.test_settings_page import PAGE, TEST, field_error, form_values, result_panel, stored


def self_signed_fingerprint(smtp: SmtpLab) -> str:
    return fingerprint(ssl.PEM_cert_to_DER_cert(smtp.self_signed_pem))


def test_trusting_the_shown_certificate_makes_tls_work_without_ignoring_verification(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.starttls_self_signed
    values = form_values(port=str(server.port), security="tls")
    page = logged_in.post(TEST, data=values).get_data(as_text=True)
    expected = self_signed_fingerprint(smtp)
    assert "Refused because" in page and "it is self-signed" in page
    assert f"<code>{expected}</code>" in page
    assert re.search(rf'name="trust_fingerprint" value="{expected}"', page)
    assert re.search(
        r'<li class="step step-failed">\s*<span[^>]*>✗</span>\s*<span class="step-name">STARTTLS',
        page,
    )

    trusted = logged_in.post(PAGE + "/trust", data={**values, "trust_fingerprint": expected})
    assert "Trusted the certificate with SHA-256" in trusted.get_data(as_text=True)
    assert stored(app).pinned_fingerprint == expected
    sent = logged_in.post(TEST, data=values).get_data(as_text=True)
    assert result_panel(sent).startswith("Test email sent")
    assert "matches the trusted fingerprint" in sent
    assert server.received[0].tls_version is not None

    logged_in.post(PAGE, data=values)
    page = logged_in.get(PAGE).get_data(as_text=True)
    assert re.search(
        rf'only the certificate you trusted is accepted:</span>\s*<code id="trust-pin">{expected}<',
        page,
    )
    logged_in.post(PAGE, data={**values, "forget_pinned": "y"})
    assert stored(app).pinned_fingerprint is None


def test_another_certificate_after_trusting_says_it_changed(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    expected = self_signed_fingerprint(smtp)
    values = form_values(port=str(smtp.implicit_tls_trusted.port), security="ssl")
    logged_in.post(PAGE + "/trust", data={**values, "trust_fingerprint": expected})
    page = logged_in.post(TEST, data=values).get_data(as_text=True)
    assert "The server&#39;s certificate changed" in page
    assert f"<dt>Trusted</dt><dd><code>{expected}</code></dd>" in page
    assert re.search(r"<dt>Presented now</dt><dd><code>([0-9A-F:]{95})</code>", page)


def test_a_bad_fingerprint_is_refused(app: Flask, logged_in: FlaskClient) -> None:
    response = logged_in.post(PAGE + "/trust", data=form_values(trust_fingerprint="AB:CD"))
    assert response.status_code == 400
    assert "That is not a certificate fingerprint." in response.get_data(as_text=True)
    assert stored(app).pinned_fingerprint is None


def test_a_custom_ca_is_validated_and_then_verifies(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    bad = logged_in.post(PAGE, data=form_values(ca_certificates="-----BEGIN CERTIFICATE-----\nxx"))
    assert bad.status_code == 422
    assert "Paste one or more certificates in PEM form" in field_error(
        bad.get_data(as_text=True), "ca_certificates"
    )
    assert stored(app).ca_certificates == ""
    values = form_values(
        port=str(smtp.implicit_tls_trusted.port), security="ssl", ca_certificates=smtp.ca_pem
    )
    assert logged_in.post(PAGE, data=values).status_code == 302
    assert "signed by your CA are accepted" in logged_in.get(PAGE).get_data(as_text=True)
    sent = logged_in.post(TEST, data=values).get_data(as_text=True)
    assert result_panel(sent).startswith("Test email sent") and "verified by your CA" in sent
    other = {**values, "port": str(smtp.implicit_tls_self_signed.port)}
    assert "it is self-signed" in logged_in.post(TEST, data=other).get_data(as_text=True)


def test_detect_settings_proposes_and_copies_without_saving(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    app.config["DETECT_PORTS"] = [
        (smtp.implicit_tls_trusted.port, True),
        (smtp.starttls_self_signed.port, False),
        (smtp.plain_no_starttls.port, False),
    ]
    values = form_values(ca_certificates=smtp.ca_pem)
    page = logged_in.post(PAGE + "/detect", data=values).get_data(as_text=True)
    assert result_panel(page).startswith("Settings detected for 127.0.0.1.")
    best = f"SSL on port {smtp.implicit_tls_trusted.port}"
    assert f"Best choice: <strong>{best}</strong>" in page
    assert "STARTTLS offered: certificate not trusted: it is self-signed" in page
    used = logged_in.post(
        PAGE + "/use", data={**values, "use_detected": f"ssl:{smtp.implicit_tls_trusted.port}"}
    ).get_data(as_text=True)
    assert f"{best} copied into the form" in used
    assert f'value="{smtp.implicit_tls_trusted.port}"' in used
    assert re.search(r'<option selected value="ssl">|<option value="ssl" selected>', used)
    assert stored(app).port == 587, "nothing saved"


def test_detect_needs_a_host(logged_in: FlaskClient) -> None:
    response = logged_in.post(PAGE + "/detect", data=form_values(host=""))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "host") == (
        "Enter the SMTP host to detect its settings."
    )


def test_copying_a_detected_choice_is_said_in_the_accounts_language(
    logged_in: FlaskClient,
) -> None:
    logged_in.post(
        "/account", data={"email": "alice@example.test", "currency": "EUR", "locale": "de"}
    )
    used = logged_in.post(PAGE + "/use", data={**form_values(), "use_detected": "tls:587"})
    page = used.get_data(as_text=True)
    assert "TLS auf Port 587 ins Formular übernommen" in page
    assert "copied into the form" not in page
