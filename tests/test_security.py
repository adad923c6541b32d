"""Who may do what: CSRF and log-in on every route, accounts kept apart, internal hosts."""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mailer import ConnectionFailed, Security, SmtpConfig, send_message
from models import AppSettings, db
from reminders import run_reminders
from tests.conftest import ACCOUNT, AUTH, SmtpLab
from tests.factories import make_account, make_subscription
from tests.test_mailer import hello
from tests.test_settings_page import PAGE, TEST, field_error, form_values, stored
from tests.test_subscriptions_page import subscription_values

# The health check is public on purpose, and tells nothing but "ok" (tests/test_operations.py).
# The calendar feed takes its long secret in the address (tests/test_calendar.py).
PUBLIC = {
    "api.summary",  # answers 401 without its key: tests/test_api.py
    "auth.login",
    "auth.setup",
    "calendar.feed",
    "health.check",
    "icons.apple_touch_icon",
    "static",
}


def routes(app: Flask) -> list[tuple[str, str, str]]:
    """Every (endpoint, method, sample URL) the app serves."""
    found = []
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    token_page = client.get("/setup").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', token_page)
    assert token
    client.post("/setup", data={**ACCOUNT, "csrf_token": token.group(1)})
    posts = [(endpoint, url) for endpoint, method, url in routes(csrf_app) if method == "POST"]
    assert len(posts) >= 12
    for endpoint, url in posts:
        for bad in ({}, {"csrf_token": "forged"}):
            response = client.post(url, data=form_values(**bad))
            assert response.status_code == 400, endpoint
    assert stored(csrf_app).host == ""


def test_every_route_but_login_setup_health_and_static_needs_a_login(app: Flask) -> None:
    client = app.test_client()
    client.post("/setup", data=ACCOUNT)
    client.post("/logout")
    for endpoint, method, url in routes(app):
        if endpoint in PUBLIC:
            continue
        response = client.open(url, method=method, data={})
        assert response.status_code == 302, (endpoint, method)
        assert "/login" in response.headers["Location"], endpoint


def test_the_session_cookie_is_httponly_and_samesite(client: FlaskClient) -> None:
    response = client.post("/setup", data=ACCOUNT)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_an_account_never_sees_another_accounts_settings_or_log(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    logged_in.post(PAGE, data=form_values(host="alice-mail.example.test", username="alice-smtp"))
    with app.app_context():
        bob = make_account("bob", port=smtp.plain_no_starttls.port)
        make_subscription(bob, "Bob's secret gym", dt.date(2026, 12, 10))
        run_reminders(dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC))
    logged_in.post("/logout")
    logged_in.post("/login", data={"username": "bob", "password": "password123"})
    page = logged_in.get(PAGE).get_data(as_text=True)
    assert "alice-mail.example.test" not in page and "alice-smtp" not in page
    assert "Bob&#39;s secret gym" in logged_in.get("/log").get_data(as_text=True)
    logged_in.post("/logout")
    logged_in.post("/login", data=ACCOUNT)
    assert "secret gym" not in logged_in.get("/log").get_data(as_text=True)
    assert "secret gym" not in logged_in.get("/").get_data(as_text=True)


@pytest.fixture
def non_admin(app: Flask, logged_in: FlaskClient) -> FlaskClient:
    """Logged in as a second account, which the admin created."""
    logged_in.post(
        "/account/users",
        data={"new-username": "bob", "new-email": "bob@example.test", "new-password": "bob secret"},
    )
    logged_in.post("/logout")
    logged_in.post("/login", data={"username": "bob", "password": "bob secret"})
    return logged_in


def test_other_accounts_may_not_send_through_internal_addresses(
    app: Flask, non_admin: FlaskClient, smtp: SmtpLab
) -> None:
    values = form_values(port=str(smtp.plain_no_starttls.port), test_recipient="bob@example.test")
    saved = non_admin.post(PAGE, data=values)
    assert saved.status_code == 422
    message = field_error(saved.get_data(as_text=True), "host")
    assert "127.0.0.1 is a loopback address" in message
    assert "Allowed networks" in message
    tested = non_admin.post(TEST, data=values)
    assert "loopback address" in field_error(tested.get_data(as_text=True), "host")
    assert smtp.plain_no_starttls.received == []


def test_the_admin_can_allow_a_network(app: Flask, logged_in: FlaskClient, smtp: SmtpLab) -> None:
    bad = logged_in.post("/account/networks", data={"allowed_networks": "10.0.0.0/33"})
    assert "is not a network or address" in field_error(
        bad.get_data(as_text=True), "allowed_networks"
    )
    logged_in.post("/account/networks", data={"allowed_networks": "127.0.0.0/8"})
    with app.app_context():
        assert AppSettings.current().allowed_networks == "127.0.0.0/8"
    logged_in.post(
        "/account/users",
        data={"new-username": "bob", "new-email": "bob@example.test", "new-password": "bob secret"},
    )
    logged_in.post("/logout")
    logged_in.post("/login", data={"username": "bob", "password": "bob secret"})
    values = form_values(port=str(smtp.plain_no_starttls.port), test_recipient="bob@example.test")
    assert logged_in.post(PAGE, data=values).status_code == 302
    assert "Test email sent" in logged_in.post(TEST, data=values).get_data(as_text=True)
    logged_in.post("/logout")
    logged_in.post("/login", data={"username": "bob", "password": "bob secret"})
    assert logged_in.post("/account/networks", data={"allowed_networks": ""}).status_code == 403


def test_reminders_of_other_accounts_are_checked_when_connecting(app: Flask, smtp: SmtpLab) -> None:
    with app.app_context():
        admin = make_account("admin", port=smtp.plain_no_starttls.port)
        bob = make_account("bob", port=smtp.plain_no_starttls.port, is_admin=False)
        make_subscription(admin, "Admin's", dt.date(2026, 12, 10))
        make_subscription(bob, "Bob's", dt.date(2026, 12, 10))
        summary = run_reminders(dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC))
        assert (summary.sent, summary.failed) == (1, 1)
        [received] = smtp.plain_no_starttls.received
        assert received.rcpt_tos == ["admin@example.test"]


@pytest.mark.parametrize("address", ["127.0.0.1", "::ffff:127.0.0.1", "169.254.1.1", "10.1.2.3"])
def test_the_mailer_refuses_every_internal_kind_of_address(address: str) -> None:
    policy = AppSettings(allowed_networks="").address_refusal
    assert policy(address)
    assert policy("8.8.8.8") is None, "public addresses are fine (only classified, never contacted)"
    assert AppSettings(allowed_networks="10.0.0.0/8").address_refusal("10.1.2.3") is None


def test_the_mailer_checks_the_policy_at_connect_time(smtp: SmtpLab) -> None:
    config = SmtpConfig(
        host="localhost",
        port=smtp.plain_no_starttls.port,
        security=Security.NONE,
        sender="a@example.test",
        timeout=1,
        address_refusal=AppSettings(allowed_networks="").address_refusal,
    )
    with pytest.raises(ConnectionFailed) as caught:
        send_message(config, hello(config))
    assert "loopback address" in caught.value.summary
    assert smtp.plain_no_starttls.received == []


def test_log_in_attempts_are_limited_per_address_and_account(client: FlaskClient) -> None:
    client.post("/setup", data=ACCOUNT)
    client.post("/logout")
    for _ in range(10):
        assert (
            client.post("/login", data={"username": "alice", "password": "no"}).status_code == 422
        )
    limited = client.post("/login", data=ACCOUNT)
    assert limited.status_code == 429
    assert "Too many log-in attempts in a short time: wait" in limited.get_data(as_text=True)


def test_test_emails_are_limited_per_account(logged_in: FlaskClient, smtp: SmtpLab) -> None:
    values = form_values(port=str(smtp.plain_no_starttls.port))
    for _ in range(10):
        assert logged_in.post(TEST, data=values).status_code == 200
    limited = logged_in.post(TEST, data=values)
    assert limited.status_code == 429
    assert "Too many messages in a short time" in limited.get_data(as_text=True)
    assert len(smtp.plain_no_starttls.received) == 10


def test_the_session_cookie_is_secure_when_served_over_https(app_config: dict[str, object]) -> None:
    from app import create_app, upgrade_database

    app = create_app({**app_config, "BASE_URL": "https://dues.example.test"})
    upgrade_database(app)
    response = app.test_client().post("/setup", data=ACCOUNT)
    assert "Secure" in response.headers["Set-Cookie"]
    with app.app_context():
        db.engine.dispose()


def test_the_smtp_password_never_shows_in_pages_logs_or_transcripts(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    right, wrong = AUTH.password, "Typed-Wrong-Secret-5"
    values = form_values(port=str(smtp.with_auth.port), username=AUTH.username, enabled="y")
    pages = [logged_in.post(PAGE, data={**values, "password": right})]
    pages.append(logged_in.get(PAGE))
    pages.append(logged_in.post(TEST, data=values))
    pages.append(logged_in.post(TEST, data={**values, "password": wrong}))
    pages.append(logged_in.post(PAGE + "/sample", data=values))
    logged_in.post(PAGE, data={**values, "password": wrong})
    logged_in.post("/subscriptions/new", data=subscription_values(reminder_offsets="0"))
    with app.app_context():
        run_reminders(dt.datetime(2026, 12, 10, 9, tzinfo=dt.UTC))
        stored_bytes = stored(app).password_encrypted or b""
    pages.append(logged_in.get("/log"))
    everything = "\n".join(page.get_data(as_text=True) for page in pages) + caplog.text
    assert "Test email sent" in everything and "535" in everything
    assert "refused the username or password (535)" in logged_in.get("/log").get_data(as_text=True)
    for secret in (right, wrong):
        assert secret not in everything
        assert secret.encode() not in stored_bytes
        for payload in (f"\0{AUTH.username}\0{secret}", secret):
            assert base64.b64encode(payload.encode()).decode() not in everything
