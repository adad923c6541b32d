"""The settings page in real Chromium, as a new user would use it."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from playwright.sync_api import Page, expect

from reminders import run_reminders
from tests.conftest import ACCOUNT, SmtpLab, screenshot


def create_account(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_label("Username").fill(ACCOUNT["username"])
    page.get_by_label("Email").fill(ACCOUNT["email"])
    page.get_by_label("Password").fill(ACCOUNT["password"])
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Email notifications")).to_be_visible()


def fill_server(page: Page, port: int, encryption: str) -> None:
    page.get_by_label("SMTP host").fill("127.0.0.1")
    page.get_by_label("Encryption").select_option(label=encryption)
    page.get_by_label("Port", exact=True).fill(str(port))
    page.get_by_label("From email").fill("dues@example.test")
    page.get_by_label("Timeout (seconds)").fill("2")


def test_settings_are_saved_and_the_password_never_comes_back(page: Page) -> None:
    create_account(page)
    page.get_by_label("Enable email notifications").check()
    fill_server(page, 2525, "TLS")
    page.get_by_label("Username", exact=True).fill("mailer")
    page.get_by_label("Password", exact=True).fill("Browser-Secret-77")
    page.get_by_label("Other recipients").fill("bob@example.test; carol@example.test")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("SMTP host")).to_have_value("127.0.0.1")
    expect(page.get_by_label("Port", exact=True)).to_have_value("2525")
    expect(page.get_by_label("Encryption")).to_have_value("tls")
    expect(page.get_by_label("Enable email notifications")).to_be_checked()
    expect(page.get_by_label("Other recipients")).to_have_value(
        "bob@example.test, carol@example.test"
    )
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.get_by_text("Leave blank to keep it", exact=False)).to_be_visible()
    assert "Browser-Secret-77" not in page.content()
    screenshot(page, "settings-saved")


def test_port_follows_encryption_and_mismatch_is_pointed_out(page: Page) -> None:
    create_account(page)
    encryption = page.get_by_label("Encryption")
    port = page.get_by_label("Port", exact=True)
    expect(port).to_have_value("587")
    encryption.select_option(label="SSL")
    expect(port).to_have_value("465")
    encryption.select_option(label="None")
    expect(port).to_have_value("25")
    encryption.select_option(label="SSL")
    port.fill("587")
    expect(page.locator("#port-warning")).to_contain_text("Port 587 usually expects TLS")
    port.fill("2525")
    encryption.select_option(label="TLS")
    expect(port).to_have_value("2525")
    page.get_by_label("Username", exact=True).fill("mailer")
    encryption.select_option(label="None")
    expect(page.locator("#plain-password-warning")).to_be_visible()


def test_test_email_succeeds_with_none_and_fails_clearly_with_tls(
    page: Page, smtp: SmtpLab
) -> None:
    server = smtp.starttls_self_signed
    create_account(page)
    fill_server(page, server.port, "None")
    button = page.get_by_role("button", name="Send test email")
    button.click()
    result = page.get_by_role("status").filter(has_text="Test email")
    expect(result).to_contain_text(re.compile(r"^\s*Test email sent to alice@example\.test"))
    expect(result).to_contain_text("plain SMTP, not encrypted")
    expect(result).to_contain_text("250 2.0.0 Ok: queued as")
    assert [r.tls_version for r in server.received] == [None]
    screenshot(page, "test-email-sent")

    page.get_by_label("Encryption").select_option(label="TLS")
    expect(page.get_by_label("Port", exact=True)).to_have_value(str(server.port))
    button.click()
    expect(result).to_contain_text(re.compile(r"^\s*Test email failed at the STARTTLS step"))
    expect(result).to_contain_text("self-signed")
    expect(result).to_contain_text("tick “Ignore SSL verification”")
    raw_error = result.locator("code").filter(has_text="CERTIFICATE_VERIFY_FAILED")
    expect(raw_error).to_be_hidden()
    result.get_by_text("Details").click()
    expect(raw_error).to_be_visible()
    expect(result.locator("pre.transcript")).to_contain_text("C: STARTTLS")
    screenshot(page, "test-email-failed-certificate")
    assert len(server.received) == 1

    page.get_by_label("Ignore SSL verification").check()
    button.click()
    expect(result).to_contain_text("Test email sent")
    expect(result).to_contain_text("certificate not verified")
    assert server.received[-1].tls_version is not None


def test_the_button_shows_it_is_working_and_cannot_be_pressed_twice(
    page: Page, smtp: SmtpLab
) -> None:
    create_account(page)
    fill_server(page, smtp.silent.port, "None")
    page.get_by_label("Timeout (seconds)").fill("1")
    button = page.get_by_role("button", name="Send test email")
    button.click()
    sending = page.get_by_role("button", name="Sending…")
    expect(sending).to_be_disabled()
    result = page.get_by_role("status").filter(has_text="Test email")
    expect(result).to_contain_text("Test email failed at the greeting step")
    expect(result).to_contain_text("choose “SSL”")
    expect(button).to_be_enabled()


def test_field_errors_appear_next_to_the_field_without_a_reload(page: Page) -> None:
    create_account(page)
    page.get_by_label("SMTP host").fill("")
    page.get_by_label("Port", exact=True).fill("99999")
    page.get_by_role("button", name="Send test email").click()
    expect(page.locator("#port-error")).to_have_text("Enter a port from 1 to 65535.")
    expect(page.get_by_label("Port", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#host-error")).to_have_text("Enter the SMTP host.")
    expect(page.get_by_label("Port", exact=True)).to_have_value("99999")


def test_without_javascript_saving_and_testing_still_work(
    browser_without_js: Page, smtp: SmtpLab
) -> None:
    page = browser_without_js
    create_account(page)
    fill_server(page, smtp.plain_no_starttls.port, "None")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()
    page.get_by_role("button", name="Send test email").click()
    result = page.get_by_role("status").filter(has_text="Test email")
    expect(result).to_contain_text("Test email sent to alice@example.test")
    expect(page.get_by_label("SMTP host")).to_have_value("127.0.0.1")
    assert len(smtp.plain_no_starttls.received) == 1
    screenshot(page, "test-email-sent-without-javascript")


def test_a_subscription_added_in_the_page_gets_its_reminder_and_a_log_entry(
    page: Page, csrf_app: Flask, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    create_account(page)
    page.get_by_label("Enable email notifications").check()
    fill_server(page, server.port, "None")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()

    page.get_by_role("link", name="Subscriptions").click()
    page.get_by_role("link", name="Add subscription").click()
    page.get_by_label("Name").fill("Netflix")
    page.get_by_label("Price").fill("12.99")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Next payment").fill("2026-12-10")
    page.get_by_label("Remind me (days before)").fill("3, 1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Added Netflix.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Netflix"))).to_contain_text("€12.99")
    screenshot(page, "subscriptions-list")

    with csrf_app.app_context():
        summary = run_reminders(dt.datetime(2026, 12, 9, 9, 0, tzinfo=dt.UTC))
    assert (summary.sent, summary.failed) == (2, 0)
    [received] = server.received
    assert received.message["Subject"] == "Netflix renews tomorrow — €12.99"

    page.get_by_role("link", name="Notification log").click()
    rows = page.get_by_role("row", name=re.compile("Netflix"))
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("sent")
    expect(rows.first).to_contain_text("to alice@example.test")
    screenshot(page, "notification-log")


def test_trusting_a_certificate_takes_two_clicks_and_no_ignoring(page: Page, smtp: SmtpLab) -> None:
    server = smtp.starttls_self_signed
    create_account(page)
    fill_server(page, server.port, "TLS")
    page.get_by_role("button", name="Send test email").click()
    result = page.get_by_role("status").filter(has_text="Test email")
    expect(result).to_contain_text("Refused because")
    expect(result.get_by_role("listitem").filter(has_text="STARTTLS")).to_have_class(
        re.compile("step-failed")
    )
    screenshot(page, "certificate-shown")
    page.get_by_role("button", name="Trust this certificate").click()
    expect(page.locator("#trust-status")).to_contain_text("only the certificate you trusted")
    expect(page.get_by_label("Ignore SSL verification")).not_to_be_checked()
    expect(page.get_by_label("Port", exact=True)).to_have_value(str(server.port))
    page.get_by_role("button", name="Send test email").click()
    expect(result).to_contain_text("Test email sent")
    expect(result).to_contain_text("STARTTLS (TLSv1.")
    assert server.received[-1].tls_version is not None
    screenshot(page, "certificate-trusted-sent")


def test_detect_settings_fills_the_form_with_one_click(
    page: Page, csrf_app: Flask, smtp: SmtpLab
) -> None:
    csrf_app.config["DETECT_PORTS"] = [
        (smtp.implicit_tls_self_signed.port, True),
        (smtp.starttls_self_signed.port, False),
        (smtp.plain_no_starttls.port, False),
    ]
    create_account(page)
    page.get_by_label("SMTP host").fill("127.0.0.1")
    page.get_by_role("button", name="Detect settings").click()
    result = page.get_by_role("status").filter(has_text="detected")
    expect(result).to_contain_text(f"SSL on port {smtp.implicit_tls_self_signed.port}")
    screenshot(page, "detect-settings")
    page.get_by_role("button", name="Use these settings").click()
    expect(page.get_by_label("Encryption")).to_have_value("ssl")
    expect(page.get_by_label("Port", exact=True)).to_have_value(
        str(smtp.implicit_tls_self_signed.port)
    )
