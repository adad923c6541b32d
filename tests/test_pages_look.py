"""Every page, light and dark, phone and desktop: screenshots and an accessibility check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from models import User, db, utcnow
from tests.conftest import ACCOUNT, SmtpLab, screenshot
from tests.factories import make_subscription, record_failed_reminder
from tests.smtp_servers import free_port
from tests.test_browser import create_account

AXE = Axe()
SERIOUS = ("serious", "critical")
WIDTHS = {"phone": 360, "desktop": 1280}
# Every page a logged-in account reaches from the navigation, by name.
PAGES = [
    ("dashboard", "/"),
    ("subscriptions", "/subscriptions"),
    ("subscription-add", "/subscriptions/new"),
    ("lists", "/lists"),
    ("money", "/money"),
    ("calendar", "/calendar"),
    ("statistics", "/statistics"),
    ("channels", "/settings/channels"),
    ("channel-new", "/settings/channels/new/ntfy"),
    ("log", "/log"),
    ("account", "/account"),
    ("two-factor", "/account/two-factor"),
    ("import-export", "/account/data"),
]


def check_accessibility(page: Page, name: str) -> None:
    results = AXE.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    details = [f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes']]}" for v in serious]
    assert not serious, f"{name}: " + "; ".join(details)


def look_at(page: Page, name: str, suffix: str) -> None:
    page.wait_for_load_state("networkidle")
    screenshot(page, f"page-{name}-{suffix}")
    check_accessibility(page, f"{name} ({suffix})")
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size
    assert viewport is not None
    assert width <= viewport["width"], f"{name} ({suffix}) is {width} px wide"


def seed(app: Flask) -> int:
    """A subscription due soon and a failed reminder, so that no page is empty."""
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user is not None
        today = utcnow().date()
        subscription = make_subscription(
            user, "Netflix", today + dt.timedelta(days=3), category="Streaming"
        )
        make_subscription(user, "Cloud storage", today + dt.timedelta(days=12), price="2.99")
        record_failed_reminder(
            user, subscription.id, "Connection refused by 127.0.0.1 port 25. Check the host."
        )
        return subscription.id


# The theme changes only colours and the width only layout, so two runs see every
# colour and every layout: light on a phone, dark on a desktop.
@pytest.fixture(params=[("light", "phone"), ("dark", "desktop")])
def styled_page(request: pytest.FixtureRequest, browser: Browser, live_url: str) -> Iterator[Page]:
    theme, width = request.param
    context = browser.new_context(
        base_url=live_url,
        color_scheme=theme,
        viewport={"width": WIDTHS[width], "height": 800},
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.suffix = f"{theme}-{width}"  # type: ignore[attr-defined]
    yield page
    context.close()


def test_every_page_looks_right_and_passes_the_accessibility_check(
    styled_page: Page, csrf_app: Flask, smtp: SmtpLab
) -> None:
    page = styled_page
    suffix = page.suffix  # type: ignore[attr-defined]
    page.goto("/setup")
    look_at(page, "setup", suffix)
    create_account(page)
    subscription_id = seed(csrf_app)
    with csrf_app.app_context():
        other = User(username="bob", email="bob@example.test")
        other.set_password("bob secret")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    pages = [
        *PAGES,
        ("subscription-delete", f"/subscriptions/{subscription_id}/delete"),
        ("account-user", f"/account/users/{other_id}"),
        ("account-user-delete", f"/account/users/{other_id}/delete"),
    ]
    for name, path in [*pages, ("notifications", "/settings/notifications")]:
        page.goto(path)
        look_at(page, name, suffix)

    page.goto("/settings/notifications")
    expect(page.locator("#test-result")).to_be_hidden()
    page.get_by_label("SMTP host").fill("127.0.0.1")
    page.get_by_label("Port", exact=True).fill(str(free_port()))
    page.get_by_label("Encryption").select_option(label="None")
    page.get_by_role("button", name="Send test email").click()
    expect(page.get_by_role("status").filter(has_text="Test email failed")).to_be_visible()
    look_at(page, "notifications-failed", suffix)

    page.get_by_label("Encryption").select_option(label="SSL")
    page.get_by_label("Port", exact=True).fill(str(smtp.implicit_tls_self_signed.port))
    page.get_by_role("button", name="Send test email").click()
    page.get_by_role("button", name="Trust this certificate").click()
    expect(page.get_by_role("status")).to_contain_text("Trusted the certificate with SHA-256")
    look_at(page, "notifications-trusted", suffix)

    page.goto("/subscriptions/new")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#name-error")).to_be_visible()
    look_at(page, "subscription-errors", suffix)

    page.get_by_role("button", name="Log out").click()
    look_at(page, "login", suffix)
    page.get_by_label("Username").fill(ACCOUNT["username"])
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_be_visible()
    look_at(page, "login-error", suffix)


def test_the_theme_toggle_is_remembered(page: Page) -> None:
    create_account(page)
    toggle = page.get_by_role("button", name="Dark theme")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("button", name="Dark theme")).to_have_attribute("aria-pressed", "true")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 20, 24)"
