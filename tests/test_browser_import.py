"""Moving in from Wallos in Chromium: upload, preview, import, the list."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.conftest import screenshot
from tests.test_browser import create_account
from tests.wallos_fixture import household_files


def test_upload_preview_and_import_a_wallos_backup(page: Page, tmp_path: Path) -> None:
    create_account(page)
    archive = tmp_path / "backup.zip"
    # A documentation name, never connected to: the channel comes in switched off.
    archive.write_bytes(household_files(tmp_path, ntfy_server="https://ntfy.home.arpa")["zip"])
    page.goto("/account")
    page.get_by_role("link", name="Import and export").click()
    page.get_by_label("File").set_input_files(str(archive))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible()
    expect(page.locator("#import-counts")).to_contain_text("Creates 5 subscriptions")
    expect(page.locator("#import-warnings")).to_contain_text("exchange rates are all 1")
    expect(page.locator("#import-email")).to_contain_text(
        "None (plain, never upgraded to STARTTLS)"
    )
    page.get_by_label("Wallos user to import").select_option(
        label="bob (bob@example.test): 1 subscription"
    )
    page.get_by_role("button", name="Update the preview").click()
    expect(page.locator("#import-counts")).to_contain_text("Creates 1 subscription")
    page.get_by_label("Wallos user to import").select_option(
        label="alice (alice@example.test): 5 subscriptions"
    )
    page.get_by_role("button", name="Update the preview").click()
    expect(page.locator("#import-subscriptions")).to_contain_text("Netflix & Chill")
    expect(page.locator("#import-channels")).to_contain_text("ntfy https://ntfy.home.arpa: off")
    screenshot(page, "import-preview")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".flash")).to_contain_text(
        "Imported from the Wallos backup (zip): 17 categories, 4 payment methods,"
        " 1 household member, 5 subscriptions, 1 push channel."
    )
    for name in ("Netflix & Chill", "Spotify", "Gym <24/7>", "Lifetime licence"):
        expect(page.get_by_text(name, exact=True).first).to_be_visible()
    screenshot(page, "imported-list")
