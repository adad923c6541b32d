"""The notification settings page through Flask's test client, against real servers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import EmailSettings, db
from tests.conftest import ACCOUNT, AUTH, SmtpLab, posted

PAGE = "/settings/notifications"
TEST = "/settings/notifications/test"


def form_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "enabled": "y",
        "host": "127.0.0.1",
        "port": "2525",
        "security": "none",
        "username": "",
        "password": "",
        "from_email": "dues@example.test",
        "from_name": "Dues",
        "other_recipients": "bob@example.test; carol@example.test",
        # Seconds for a healthy server under a loaded CI machine; tests of slow
        # servers set their own.
        "timeout": "5",
        "test_recipient": "alice@example.test",
        "default_offsets": "7, 1",
        "send_hour": "9",
        "timezone": "Europe/Berlin",
        "digest": "y",
    }
    return posted(values, overrides)


def stored(app: Flask) -> EmailSettings:
    with app.app_context():
        settings = db.session.scalar(select(EmailSettings))
        assert settings is not None
        db.session.expunge(settings)
        return settings


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert match, f"no error shown for {field}"
    return match.group(1)


def test_a_new_install_leads_to_account_setup(client: FlaskClient) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    for label in ("Username", "Email", "Password"):
        assert f">{label}</label>" in page


def test_after_setup_visitors_must_log_in(client: FlaskClient) -> None:
    client.post("/setup", data=ACCOUNT)
    client.post("/logout")
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/setup").status_code == 302
    bad = client.post("/login", data={"username": "alice", "password": "nope"})
    assert bad.status_code == 422 and "Wrong username or password." in bad.get_data(as_text=True)
    good = client.post(f"/login?next={PAGE}", data=ACCOUNT)
    assert good.headers["Location"] == PAGE


def test_the_page_has_every_labelled_field(logged_in: FlaskClient) -> None:
    page = logged_in.get(PAGE).get_data(as_text=True)
    labels = [
        "Enable email notifications",
        "SMTP host",
        "Port",
        "Encryption",
        "Ignore SSL verification",
        "Username",
        "Password",
        "From email",
        "From name",
        "Other recipients",
        "Timeout (seconds)",
        "Test recipient",
    ]
    for label in labels:
        match = re.search(rf'<label for="([a-z_]+)">{re.escape(label)}</label>', page)
        assert match, label
        assert f'id="{match.group(1)}"' in page
    select = re.search(r'<select[^>]*id="security".*?</select>', page, re.S)
    assert select
    options = re.findall(r'<option[^>]*value="(\w+)"[^>]*>(\w+)</option>', select.group(0))
    assert options == [("none", "None"), ("ssl", "SSL"), ("tls", "TLS")]
    assert 'value="tls" selected' in page or 'selected value="tls"' in page
    assert ">Save</button>" in page and ">Send test email</button>" in page
    assert 'value="alice@example.test"' in page


def test_saving_keeps_the_values_and_never_shows_the_password(
    app: Flask, logged_in: FlaskClient
) -> None:
    password = "Very-Secret-Password-42"
    response = logged_in.post(PAGE, data=form_values(username="mailer", password=password))
    assert response.status_code == 302
    settings = stored(app)
    assert (settings.host, settings.port, settings.security) == ("127.0.0.1", 2525, "none")
    assert settings.other_recipients == "bob@example.test, carol@example.test"
    assert settings.password_encrypted and password.encode() not in settings.password_encrypted
    page = logged_in.get(PAGE).get_data(as_text=True)
    assert password not in page
    assert "A password is stored for mailer at 127.0.0.1 port 2525. Leave blank to keep it" in page
    assert 'value="127.0.0.1"' in page


def test_a_blank_password_keeps_the_stored_one_and_clearing_removes_it(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post(PAGE, data=form_values(username="mailer", password="first"))
    before = stored(app).password_encrypted
    logged_in.post(PAGE, data=form_values(username="mailer", password=""))
    assert stored(app).password_encrypted == before
    logged_in.post(PAGE, data=form_values(username="mailer", clear_password="y"))
    assert stored(app).password_encrypted is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("port", "70000", "Enter a port from 1 to 65535."),
        ("port", "abc", "Enter a port from 1 to 65535."),
        ("security", "starttls", "Not a valid choice."),
        ("host", "smtp.example.com\r\nRCPT TO:<x@example.test>", "Enter a host name"),
        ("host", "", "Enter the SMTP host."),
        ("from_email", "not-an-address", "Enter a valid email address."),
        ("from_email", "a@example.test\r\nBcc: x@example.test", "Enter a valid email address."),
        ("from_name", "Dues\r\nBcc: x@example.test", "Line breaks and control characters"),
        ("username", "user\nname", "Line breaks and control characters"),
        ("other_recipients", "bob@example.test, oops", '"oops" is not a valid email address.'),
        ("timeout", "0", "Enter a timeout from 1 to 120 seconds."),
    ],
)
def test_a_bad_value_is_a_field_error_and_nothing_is_saved(
    app: Flask, logged_in: FlaskClient, field: str, value: str, message: str
) -> None:
    logged_in.post(PAGE, data=form_values())
    before = stored(app)
    response = logged_in.post(
        PAGE, data=form_values(**{field: value, "host": "changed.example.test"} | {field: value})
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message.replace('"', "&#34;") in field_error(page, field)
    assert 'aria-invalid="true"' in page
    if field != "host":
        assert 'value="changed.example.test"' in page, "the typed values come back"
    after = stored(app)
    assert (after.host, after.port, after.security, after.updated_at) == (
        before.host,
        before.port,
        before.security,
        before.updated_at,
    )


def test_posts_without_a_csrf_token_are_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    assert client.post("/setup", data=ACCOUNT).status_code == 400
    page = client.get("/setup").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    assert client.post("/setup", data={**ACCOUNT, "csrf_token": token.group(1)}).status_code == 302
    for url in (PAGE, TEST, "/logout"):
        assert client.post(url, data=form_values()).status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(select(EmailSettings)).host == ""  # type: ignore[union-attr]
    page = client.get(PAGE).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    saved = client.post(PAGE, data=form_values(csrf_token=token.group(1)))
    assert saved.status_code == 302


def test_security_headers_are_sent(logged_in: FlaskClient) -> None:
    response = logged_in.get(PAGE)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_encryption_and_port_disagreeing_is_pointed_out(logged_in: FlaskClient) -> None:
    response = logged_in.post(PAGE, data=form_values(security="ssl", port="587", host=""))
    page = response.get_data(as_text=True)
    assert "Port 587 usually expects TLS (STARTTLS)" in page
    response = logged_in.post(PAGE, data=form_values(security="tls", port="465", host=""))
    assert "Port 465 usually expects SSL" in response.get_data(as_text=True)


def test_a_login_over_none_warns_of_plain_text(logged_in: FlaskClient) -> None:
    response = logged_in.post(PAGE, data=form_values(username="mailer", host=""))
    page = response.get_data(as_text=True)
    assert re.search(r'id="plain-password-warning" role="note">With encryption', page)


def result_panel(html: str) -> str:
    match = re.search(r'<div id="test-result".*?</div>\n', html, re.S)
    assert match
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip()


def test_send_test_email_with_none_reaches_the_server_without_tls(
    logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.starttls_self_signed
    response = logged_in.post(TEST, data=form_values(port=str(server.port)))
    assert response.status_code == 200
    panel = result_panel(response.get_data(as_text=True))
    assert panel.startswith("Test email sent to alice@example.test.")
    assert "plain SMTP, not encrypted" in panel and "250 2.0.0 Ok: queued as" in panel
    [received] = server.received
    assert received.tls_version is None
    assert received.rcpt_tos == ["alice@example.test"]
    assert received.message["Subject"] == "Dues test email"


def test_send_test_email_with_tls_shows_the_certificate_error_and_hint(
    logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.starttls_self_signed
    response = logged_in.post(TEST, data=form_values(port=str(server.port), security="tls"))
    page = response.get_data(as_text=True)
    panel = result_panel(page)
    assert panel.startswith("Test email failed at the STARTTLS step, after")
    assert "self-signed" in panel and "Ignore SSL verification" in panel
    assert "<summary>Details</summary>" in page and "CERTIFICATE_VERIFY_FAILED" in page
    assert 'value="tls" selected' in page or 'selected value="tls"' in page
    ignored = logged_in.post(
        TEST, data=form_values(port=str(server.port), security="tls", ignore_verification="y")
    )
    assert "Test email sent" in result_panel(ignored.get_data(as_text=True))
    assert server.received[0].tls_version is not None


def test_send_test_email_uses_the_stored_password_and_never_shows_it(
    logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.with_auth
    values = form_values(port=str(server.port), username=AUTH.username)
    logged_in.post(PAGE, data={**values, "password": AUTH.password})
    response = logged_in.post(TEST, data=values)
    assert "Test email sent" in result_panel(response.get_data(as_text=True))
    assert server.received[0].authenticated
    wrong = "Wrong-Password-Typed-9"
    response = logged_in.post(TEST, data={**values, "password": wrong})
    page = response.get_data(as_text=True)
    assert "Test email failed at the log-in step, after" in result_panel(page)
    assert "535" in page
    assert wrong not in page and AUTH.password not in page


def test_send_test_email_reports_a_closed_port(logged_in: FlaskClient) -> None:
    from tests.smtp_servers import free_port

    response = logged_in.post(TEST, data=form_values(port=str(free_port())))
    panel = result_panel(response.get_data(as_text=True))
    assert "Test email failed at the connect step, after" in panel
    assert "Connection refused" in panel


def test_send_test_email_needs_a_host_and_says_so_on_the_field(logged_in: FlaskClient) -> None:
    response = logged_in.post(TEST, data=form_values(host="", test_recipient=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "host") == "Enter the SMTP host."
    assert field_error(page, "test_recipient") == "Enter who should get the test email."


@pytest.mark.parametrize(
    ("server", "security", "extra", "expected"),
    [
        ("starttls_self_signed", "none", {}, "Test email sent"),
        ("starttls_self_signed", "tls", {}, "it is self-signed"),
        ("starttls_self_signed", "tls", {"ignore_verification": "y"}, "Test email sent"),
        ("plain_no_starttls", "tls", {}, "does not offer STARTTLS"),
        ("plain_no_starttls", "ssl", {}, "did not answer in TLS"),
        ("implicit_tls_self_signed", "ssl", {}, "it is self-signed"),
        ("implicit_tls_self_signed", "ssl", {"ignore_verification": "y"}, "Test email sent"),
        ("implicit_tls_self_signed", "none", {"timeout": "1"}, "sent no greeting within 1 s"),
        ("implicit_tls_self_signed", "tls", {"timeout": "1"}, "sent no greeting within 1 s"),
        ("implicit_tls_other_name", "ssl", {"ca_certificates": "CA"}, "issued for another name"),
        ("requires_starttls", "none", {}, "requires encryption first"),
        (
            "with_auth",
            "none",
            {"username": "mailer", "password": "Wr0ng-Page-Secret"},
            "refused the username",
        ),
        ("silent", "none", {"timeout": "1"}, "sent no greeting within 1 s"),
        (
            "plain_no_starttls",
            "none",
            {"test_recipient": "nobody@example.test"},
            "refused the recipient: nobody@example.test",
        ),
    ],
)
def test_every_outcome_of_the_mailer_table_through_the_page(
    logged_in: FlaskClient,
    smtp: SmtpLab,
    server: str,
    security: str,
    extra: dict[str, str],
    expected: str,
) -> None:
    if extra.get("ca_certificates") == "CA":
        extra = {**extra, "ca_certificates": smtp.ca_pem}
    values = form_values(port=str(getattr(smtp, server).port), security=security, **extra)
    page = logged_in.post(TEST, data=values).get_data(as_text=True)
    panel = result_panel(page)
    assert expected in panel.replace("&#39;", "'"), panel
    assert "Wr0ng-Page-Secret" not in page
