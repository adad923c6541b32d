"""Each OAuth refusal explained on the page, and no token or secret ever shown or logged."""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from models import db
from tests.conftest import OAUTH_CLIENT_SECRET
from tests.oauth_server import Clock, OAuthServer
from tests.smtp_servers import SmtpServer
from tests.test_oauth import CONNECT, connect_with_browser, oauth_values
from tests.test_settings_page import PAGE, form_values, result_panel
from tests.xoauth2_server import XOAuth2Handler, start_xoauth2_server


@pytest.fixture
def handler(oauth: OAuthServer) -> XOAuth2Handler:
    return XOAuth2Handler(oauth=oauth)


@pytest.fixture
def mail(handler: XOAuth2Handler) -> Iterator[SmtpServer]:
    server = start_xoauth2_server(handler)
    yield server
    server.stop()


def test_google_explains_a_refused_token_in_json_after_one_refresh(
    logged_in: FlaskClient,
    oauth: OAuthServer,
    mail: SmtpServer,
    handler: XOAuth2Handler,
) -> None:
    handler.mode, handler.accept = "google", False
    page = connect_with_browser(logged_in, oauth_values(oauth, mail))
    panel = result_panel(page)
    panel = html.unescape(panel)
    assert "Google refused the token" in panel and '"scope": "https://mail.google.com/"' in panel
    assert "Testing" in panel
    assert oauth.grants_issued.count("refresh_token") == 1, "one refresh, one retry, no loop"


def test_smtp_auth_turned_off_names_the_admin_switch(
    logged_in: FlaskClient,
    oauth: OAuthServer,
    mail: SmtpServer,
    handler: XOAuth2Handler,
) -> None:
    handler.mode = "smtp-auth-disabled"
    panel = result_panel(connect_with_browser(logged_in, oauth_values(oauth, mail)))
    assert "SMTP AUTH is turned off for this mailbox or tenant" in panel
    assert "Authenticated SMTP" in panel and "SmtpClientAuthenticationDisabled" in panel


@pytest.mark.parametrize(
    ("audience", "user", "says"),
    [
        ("https://graph.microsoft.com", None, "not Exchange Online"),
        ("https://outlook.office.com", "bob@contoso.test", "belongs to bob@contoso.test"),
    ],
)
def test_a_microsoft_535_5_7_3_says_which_claim_is_wrong(
    logged_in: FlaskClient,
    oauth: OAuthServer,
    mail: SmtpServer,
    handler: XOAuth2Handler,
    audience: str,
    user: str | None,
    says: str,
) -> None:
    handler.accept = False
    oauth.audience = audience
    if user:
        oauth.user = user
    values = oauth_values(oauth, mail, oauth_sign_in="alice@contoso.test")
    panel = result_panel(connect_with_browser(logged_in, values))
    assert "Microsoft refused the token" in panel and says in panel


def test_a_refused_password_offers_oauth_in_one_click(
    logged_in: FlaskClient, mail: SmtpServer
) -> None:
    values = form_values(port=str(mail.port), username="alice@contoso.test", password="old")
    page = logged_in.post(PAGE + "/test", data=values).get_data(as_text=True)
    assert "The server no longer accepts passwords" in result_panel(page)
    assert "Switch to OAuth 2.0 (Microsoft 365)" in page
    switched = logged_in.post(PAGE.rsplit("/", 1)[0] + "/oauth/use", data=values)
    text = switched.get_data(as_text=True)
    assert '<option selected value="oauth">' in text
    assert '<option selected value="microsoft">' in text


@pytest.mark.parametrize(
    ("error", "description", "says"),
    [
        ("invalid_client", "AADSTS7000215: Invalid client secret provided.", "app's credentials"),
        ("invalid_scope", "AADSTS70011: The provided value for scope is not valid.", "scopes"),
        ("invalid_grant", "AADSTS70008: The refresh token has expired.", "Reconnect needed"),
    ],
)
def test_provider_errors_are_explained_with_their_codes(
    logged_in: FlaskClient,
    oauth: OAuthServer,
    mail: SmtpServer,
    error: str,
    description: str,
    says: str,
) -> None:
    oauth.fail_next = (error, description)
    page = logged_in.post(CONNECT, data=oauth_values(oauth, mail, oauth_flow="app"))
    text = html.unescape(page.get_data(as_text=True))
    assert page.status_code == 422
    assert says in text and description.split(":")[0] in text


def test_tokens_and_the_client_secret_never_show(
    app: Flask,
    logged_in: FlaskClient,
    oauth: OAuthServer,
    mail: SmtpServer,
    handler: XOAuth2Handler,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    pages = [connect_with_browser(logged_in, oauth_values(oauth, mail))]
    clock.advance(3600)
    pages.append(logged_in.post(PAGE + "/test", data=oauth_values(oauth, mail)).get_data(True))
    handler.accept = False  # a failure shows the transcript and the raw error
    pages.append(logged_in.post(PAGE + "/test", data=oauth_values(oauth, mail)).get_data(True))
    pages.append(logged_in.get(PAGE).get_data(as_text=True))
    assert "Details" in pages[2]
    # Dues' own log lines; the test authorization server's (authlib.oauth2.rfc*) stand
    # for a provider far away, whose logs Dues never writes.
    logged = [r.getMessage() for r in caplog.records if not r.name.startswith("authlib.oauth2.rfc")]
    with app.app_context():
        stored = [
            str(row)
            for table in ("email_settings", "oauth_token")
            for row in db.session.execute(sa.text(f"SELECT * FROM {table}")).all()
        ]
    shown = "\n".join(pages + logged + stored)
    secrets: list[str] = [OAUTH_CLIENT_SECRET, *oauth.access_tokens, *oauth.refresh_tokens]
    for secret in secrets:
        for form in (secret, base64.b64encode(secret.encode()).decode()):
            assert form not in shown
        for access in oauth.access_tokens:
            initial = f"user={oauth.user}\x01auth=Bearer {access}\x01\x01"
            assert base64.b64encode(initial.encode()).decode() not in shown
