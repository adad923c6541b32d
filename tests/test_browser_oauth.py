"""Connecting Microsoft 365-style OAuth in Chromium, through the real redirect and callback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.conftest import OAUTH_CLIENT_ID, screenshot
from tests.oauth_server import OAuthServer
from tests.smtp_servers import SmtpServer
from tests.test_browser import create_account
from tests.xoauth2_server import XOAuth2Handler, start_xoauth2_server


@pytest.fixture
def mail(oauth: OAuthServer) -> Iterator[SmtpServer]:
    server = start_xoauth2_server(XOAuth2Handler(oauth=oauth))
    yield server
    server.stop()


def test_connect_in_the_browser_then_the_test_email_goes_over_xoauth2(
    page: Page, csrf_app: Flask, live_url: str, oauth: OAuthServer, mail: SmtpServer
) -> None:
    csrf_app.config["BASE_URL"] = live_url
    create_account(page)
    expect(page.get_by_label("Password", exact=True)).to_be_visible()
    page.get_by_label("Authentication").select_option(label="OAuth 2.0")
    expect(page.get_by_label("Password", exact=True)).to_be_hidden()
    page.get_by_label("Provider", exact=True).select_option(label="Microsoft 365")
    expect(page.get_by_label("SMTP host")).to_have_value("smtp.office365.com")
    expect(page.get_by_label("Tenant")).to_be_visible()
    page.get_by_label("Provider", exact=True).select_option(label="Other")
    page.get_by_label("SMTP host").fill("127.0.0.1")
    page.get_by_label("Encryption").select_option(label="None")
    page.get_by_label("Port", exact=True).fill(str(mail.port))
    page.get_by_label("From email").fill("alerts@contoso.test")
    page.get_by_label("Client ID").fill(OAUTH_CLIENT_ID)
    page.get_by_label("Sign-in address").fill(oauth.user)
    page.get_by_label("Authorization URL", exact=True).fill(f"{oauth.url}/authorize")
    page.get_by_label("Token URL", exact=True).fill(f"{oauth.url}/token")
    page.get_by_label("Scopes").fill("https://outlook.office.com/SMTP.Send offline_access")
    expect(page.get_by_label("Callback URL to register at the provider")).to_have_value(
        f"{live_url}/settings/oauth/callback"
    )
    page.get_by_role("button", name="Connect").click()
    result = page.locator("#test-result")
    expect(result).to_contain_text(f"Connected as {oauth.user}.")
    expect(result).to_contain_text("Test email sent")
    expect(page.locator("#oauth-status")).to_contain_text(f"Connected as {oauth.user}")
    screenshot(page, "oauth-connected")
    [received] = mail.received
    assert received.authenticated
