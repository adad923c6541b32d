"""In the browser: trusting keeps what was typed, and Certificate check follows the form."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import AUTH, SmtpLab, screenshot
from tests.smtp_servers import SmtpServer
from tests.test_browser import create_account, fill_server


def test_trusting_keeps_the_typed_unsaved_password(
    page: Page, smtp: SmtpLab, start_server: Any
) -> None:
    server: SmtpServer = start_server(
        tls_context=smtp.starttls_self_signed.controller.SMTP_kwargs["tls_context"],
        authenticator=AUTH,
        auth_required=True,
    )
    create_account(page)
    fill_server(page, server.port, "TLS")
    page.get_by_label("Username").fill(AUTH.username)
    page.get_by_label("Password", exact=True).fill(AUTH.password)
    page.get_by_role("button", name="Send test email").click()
    result = page.locator("#test-result")
    expect(result).to_contain_text("Refused because")
    page.get_by_role("button", name="Trust this certificate").click()
    expect(result).to_contain_text("Trusted the certificate with SHA-256")
    expect(page.get_by_label("Password", exact=True)).to_have_value(AUTH.password)
    page.get_by_role("button", name="Send test email").click()
    expect(result).to_contain_text("Test email sent")
    [received] = server.received
    assert received.authenticated and received.tls_version is not None


def test_certificate_check_follows_the_form_as_it_is_edited(page: Page, smtp: SmtpLab) -> None:
    create_account(page)
    status = page.locator("#trust-status")
    expect(status).to_contain_text("signed by an authority this system trusts")
    page.get_by_label("Ignore SSL verification").check()
    expect(status).to_contain_text("“Ignore SSL verification” is ticked")
    expect(page.locator("#trust-badge")).to_be_visible()
    screenshot(page, "trust-follows-the-form")
    page.get_by_label("Ignore SSL verification").uncheck()
    page.get_by_label("Trusted CA certificate (PEM)").fill(smtp.ca_pem)
    expect(status).to_contain_text("signed by your CA")
    expect(page.locator("#trust-badge")).to_be_hidden()
