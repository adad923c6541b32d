"""Adding an ntfy channel in Chromium: a self-signed server refused, then trusted, then saved."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import PushLab, screenshot
from tests.test_browser import create_account
from tests.test_pages_look import check_accessibility


def test_add_a_self_hosted_ntfy_channel_and_test_it(page: Page, push: PushLab) -> None:
    sink = push.sink(tls=True)
    create_account(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications").click()
    tabs = page.get_by_role("navigation", name="Notification channels")
    tabs.get_by_role("link", name="Push and chat channels").click()
    expect(page.get_by_role("row", name="Email SMTP")).to_be_visible()
    page.get_by_role("link", name="ntfy").click()
    page.get_by_label("Name").fill("Phone")
    page.get_by_label("Server address").fill(sink.url)
    page.get_by_label("Topic").fill("bills")
    page.get_by_label("Access token").fill("tk_browserToken1")
    page.get_by_role("button", name="Send test notification").click()
    result = page.get_by_role("status")
    expect(result).to_contain_text("Test notification failed")
    expect(result).to_contain_text("The server's certificate is not trusted.")
    page.get_by_text("Details").click()
    expect(result).to_contain_text("CERTIFICATE_VERIFY_FAILED")
    screenshot(page, "channel-certificate-refused")
    check_accessibility(page, "channel test failed")
    expect(page.get_by_label("Access token")).to_have_value("")

    page.get_by_label("Access token").fill("tk_browserToken1")
    page.get_by_label("Certificate check").select_option(label="Check it against my own CA")
    page.get_by_label("Trusted CA certificate (PEM)").fill(push.ca_pem)
    page.get_by_role("button", name="Send test notification").click()
    expect(result).to_contain_text("Test notification sent")
    expect(result).to_contain_text("your CA")
    assert [request.json()["topic"] for request in sink.received] == ["bills"]
    screenshot(page, "channel-test-sent")

    page.get_by_label("Access token").fill("tk_browserToken1")
    page.get_by_role("button", name="Add channel").click()
    expect(page.locator(".flash")).to_contain_text("Saved “Phone”.")
    expect(page.get_by_text("Stored: leave blank to keep it.")).to_be_visible()
    page.get_by_role("link", name="← Push and chat channels").click()
    expect(page.get_by_role("row", name="Phone ntfy every reminder on")).to_be_visible()
    check_accessibility(page, "channels")
