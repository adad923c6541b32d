"""Two-factor sign-in set up and used in Chromium, as a person with an authenticator app would."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Page, expect

from tests.conftest import ACCOUNT, screenshot
from tests.oauth_server import Clock
from tests.test_browser import create_account
from tests.test_pages_look import check_accessibility


def test_set_up_from_the_account_page_then_log_in_with_a_code(page: Page, clock: Clock) -> None:
    create_account(page)
    page.goto("/account")
    page.get_by_role("link", name="Set up").click()
    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    check_accessibility(page, "two-factor set-up")
    screenshot(page, "two-factor-set-up")
    app_on_phone = pyotp.TOTP(page.locator("#two-factor-key").inner_text())

    page.get_by_label("Code").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator("#confirm-code-error")).to_contain_text("That code is not right")
    page.get_by_label("Code").fill(app_on_phone.at(clock.now()))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", name="Keep these somewhere safe")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_text("10 recovery codes are left.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("Username").fill(ACCOUNT["username"])
    page.get_by_label("Password").fill(ACCOUNT["password"])
    page.get_by_role("button", name="Log in").click()
    code = page.get_by_label("Code")
    expect(code).to_be_focused()
    clock.advance(30)
    code.fill(app_on_phone.at(clock.now()))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
