"""OAuth 2.0 for SMTP end to end: a real Authlib server, an XOAUTH2 mail server, one clock."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from models import Delivery, EmailSettings, OAuthToken, db
from oauth.tokens import REFRESH_LEASE, access_token
from reminders import run_reminders
from tests.conftest import ACCOUNT, OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET
from tests.factories import make_subscription
from tests.oauth_server import Clock, OAuthServer
from tests.smtp_servers import SmtpServer
from tests.test_settings_page import PAGE, form_values, result_panel
from tests.xoauth2_server import XOAuth2Handler, start_xoauth2_server

CONNECT = PAGE.rsplit("/", 1)[0] + "/oauth/connect"
SCOPES = "https://outlook.office.com/SMTP.Send offline_access"


@pytest.fixture
def mail(oauth: OAuthServer) -> Iterator[SmtpServer]:
    server = start_xoauth2_server(XOAuth2Handler(oauth=oauth))
    yield server
    server.stop()


def oauth_values(oauth: OAuthServer, mail: SmtpServer, **overrides: Any) -> dict[str, Any]:
    values = {
        "auth_method": "oauth",
        "oauth_provider": "other",
        "oauth_flow": "browser",
        "oauth_client_id": OAUTH_CLIENT_ID,
        "oauth_client_secret": OAUTH_CLIENT_SECRET,
        "oauth_sign_in": oauth.user,
        "oauth_authorize_url": f"{oauth.url}/authorize",
        "oauth_token_url": f"{oauth.url}/token",
        "oauth_device_url": f"{oauth.url}/device",
        "oauth_scopes": SCOPES,
        "port": str(mail.port),
        "timeout": "5",
        "default_offsets": "1",
        **overrides,
    }
    return form_values(**values)


def connect_with_browser(client: FlaskClient, values: dict[str, Any]) -> str:
    """Connect, follow the provider's redirect as a browser would, and return the page."""
    started = client.post(CONNECT, data=values).get_data(as_text=True)
    link = re.search(r'id="continue-sign-in" href="([^"]+)"', started)
    assert link, started
    consent = requests.get(html.unescape(link[1]), allow_redirects=False, timeout=10)
    assert consent.status_code == 302
    back = urlsplit(consent.headers["Location"])
    assert back.path == "/settings/oauth/callback"
    return client.get(f"{back.path}?{back.query}").get_data(as_text=True)


@dataclass(frozen=True)
class Stored:
    version: int
    refresh_token: str


def stored_token(app: Flask) -> Stored:
    with app.app_context():
        settings = db.session.scalar(select(EmailSettings))
        assert settings is not None
        token = OAuthToken.of(settings.id)
        assert token is not None
        return Stored(token.version, token.refresh_token)


def test_connecting_sends_a_test_email_over_xoauth2(
    app: Flask, logged_in: FlaskClient, oauth: OAuthServer, mail: SmtpServer
) -> None:
    page = connect_with_browser(logged_in, oauth_values(oauth, mail))
    assert f"Connected as {oauth.user}." in page
    assert result_panel(page).count("Test email sent") == 1
    [received] = mail.received
    assert received.authenticated and received.rcpt_tos == [ACCOUNT["email"]]
    assert oauth.grants_issued == ["authorization_code"]


def test_an_expiring_token_is_refreshed_before_sending_and_rotation_is_kept(
    app: Flask, logged_in: FlaskClient, oauth: OAuthServer, mail: SmtpServer, clock: Clock
) -> None:
    connect_with_browser(logged_in, oauth_values(oauth, mail))
    first = stored_token(app)
    clock.advance(3600 - 5 * 60)  # inside the ten-minute margin
    sent = logged_in.post(PAGE + "/test", data=oauth_values(oauth, mail))
    assert result_panel(sent.get_data(as_text=True)).startswith("Test email sent")
    second = stored_token(app)
    assert second.version == first.version + 1
    assert oauth.grants_issued == ["authorization_code", "refresh_token"]
    assert second.refresh_token != first.refresh_token
    stale = requests.post(
        f"{oauth.url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": first.refresh_token,
            "client_id": OAUTH_CLIENT_ID,
            "client_secret": OAUTH_CLIENT_SECRET,
        },
        timeout=10,
    )
    assert stale.json()["error"] == "invalid_grant", "the old refresh token is revoked"


def test_a_token_refused_at_send_is_refreshed_once_and_sent(
    app: Flask, logged_in: FlaskClient, oauth: OAuthServer, mail: SmtpServer
) -> None:
    connect_with_browser(logged_in, oauth_values(oauth, mail))
    mail.received.clear()
    oauth.expire_access_tokens()  # Dues still believes its token has an hour left
    sent = logged_in.post(PAGE + "/test", data=oauth_values(oauth, mail))
    page = sent.get_data(as_text=True)
    assert result_panel(page).startswith("Test email sent")
    assert oauth.grants_issued.count("refresh_token") == 1
    assert len(mail.received) == 1


def test_two_processes_refreshing_at_once_store_one_rotation_and_both_send(
    app: Flask, logged_in: FlaskClient, oauth: OAuthServer, mail: SmtpServer, clock: Clock
) -> None:
    connect_with_browser(logged_in, oauth_values(oauth, mail))
    clock.advance(3600)
    tokens: list[str] = []
    start = threading.Barrier(2)

    def refresher() -> None:
        with app.app_context():
            settings = db.session.scalar(select(EmailSettings))
            assert settings is not None
            start.wait()
            tokens.append(access_token(settings))
            db.session.remove()

    workers = [threading.Thread(target=refresher) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert oauth.grants_issued.count("refresh_token") == 1
    assert len(tokens) == 2 and tokens[0] == tokens[1]
    assert oauth.valid(tokens[0], oauth.user)
    assert stored_token(app).version == 2


def test_a_refresh_stored_by_another_process_right_after_a_lost_claim_is_the_answer(
    app: Flask, logged_in: FlaskClient, oauth: OAuthServer, mail: SmtpServer, clock: Clock
) -> None:
    connect_with_browser(logged_in, oauth_values(oauth, mail))
    clock.advance(3600)
    grants_before = len(oauth.grants_issued)

    def other_process_stores() -> None:
        with app.app_context():
            row = OAuthToken.of(settings.id)
            assert row is not None
            expires = clock.now() + dt.timedelta(hours=1)
            row.store_refreshed(
                1,
                access_token="stored-by-other",
                refresh_token="",
                expires_at=expires,
                now=clock.now(),
            )
            db.session.remove()

    def finish_other_refresh(session: Session) -> None:
        # Between this process's lost claim and its next read: the narrowest window.
        other = threading.Thread(target=other_process_stores)
        other.start()
        other.join()

    with app.app_context():
        settings = db.session.scalar(select(EmailSettings))
        assert settings is not None
        row = OAuthToken.of(settings.id)
        assert row is not None and row.claim_refresh(1, clock.now(), REFRESH_LEASE)
        event.listen(db.session, "after_commit", finish_other_refresh, once=True)
        try:
            token = access_token(settings)
        finally:
            event.remove(db.session, "after_commit", finish_other_refresh)
    assert token == "stored-by-other"
    assert len(oauth.grants_issued) == grants_before, "the losing process asked for nothing"
    assert stored_token(app).version == 2


def test_a_revoked_consent_waits_for_reconnect_then_the_reminder_goes_out(
    app: Flask, logged_in: FlaskClient, oauth: OAuthServer, mail: SmtpServer, clock: Clock
) -> None:
    connect_with_browser(logged_in, oauth_values(oauth, mail))
    logged_in.post(PAGE, data=oauth_values(oauth, mail))
    mail.received.clear()
    oauth.revoke_consent()
    # Past the access token's hour, to the next noon: reconnecting saves the form's
    # send hour (09:00), so a test run after midnight would find the reminder not yet due.
    now = clock.now()
    noon = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(12), dt.UTC)
    clock.advance((noon - now).total_seconds())
    with app.app_context():
        settings = db.session.scalar(select(EmailSettings))
        assert settings is not None
        make_subscription(settings.user, "Netflix", clock.now().date() + dt.timedelta(days=1))
        settings.send_hour = 0
        db.session.commit()
        summary = run_reminders(clock.now())
        assert (summary.sent, summary.retrying) == (0, 1)
        [record] = db.session.scalars(select(Delivery)).all()
        assert record.status == "pending"
        assert record.last_error.startswith("Reconnect needed: the provider no longer accepts")
        assert record.last_error.count("Reconnect needed") == 1, "said once"
        assert record.next_attempt_at is not None
    page = logged_in.post(PAGE + "/test", data=oauth_values(oauth, mail)).get_data(as_text=True)
    assert "Reconnect needed" in page
    dashboard = logged_in.get("/").get_data(as_text=True)
    assert "Reconnect your mail account" in dashboard

    # Reconnect with a code typed on another device.
    started = logged_in.post(CONNECT, data=oauth_values(oauth, mail, oauth_flow="device"))
    user_code = next(iter(oauth.devices.values()))["user_code"]
    assert user_code in started.get_data(as_text=True)
    oauth.approve(user_code)
    done = logged_in.post(PAGE.rsplit("/", 1)[0] + "/oauth/device", data={})
    assert f"Connected as {oauth.user}." in done.get_data(as_text=True)
    with app.app_context():
        assert run_reminders(clock.now()).sent == 1
    assert "Reconnect your mail account" not in logged_in.get("/").get_data(as_text=True)
    assert [r.message["Subject"] for r in mail.received][-1].startswith("Netflix renews")


def test_app_only_connects_with_client_credentials(
    app: Flask, logged_in: FlaskClient, oauth: OAuthServer, mail: SmtpServer
) -> None:
    oauth.user = "mailbox@contoso.test"
    page = logged_in.post(CONNECT, data=oauth_values(oauth, mail, oauth_flow="app"))
    text = page.get_data(as_text=True)
    assert "Connected as mailbox@contoso.test." in text
    assert result_panel(text).count("Test email sent") == 1
    assert oauth.grants_issued == ["client_credentials"]
    assert stored_token(app).refresh_token == ""


def test_a_quiet_instance_renews_its_refresh_token_within_30_days(
    app: Flask, logged_in: FlaskClient, oauth: OAuthServer, mail: SmtpServer, clock: Clock
) -> None:
    oauth.expires_in = 90 * 24 * 3600  # an access token that outlives the check
    connect_with_browser(logged_in, oauth_values(oauth, mail))
    clock.advance(29 * 24 * 3600)
    logged_in.post(PAGE + "/test", data=oauth_values(oauth, mail))
    assert oauth.grants_issued.count("refresh_token") == 0
    clock.advance(2 * 24 * 3600)
    logged_in.post(PAGE + "/test", data=oauth_values(oauth, mail))
    assert oauth.grants_issued.count("refresh_token") == 1
