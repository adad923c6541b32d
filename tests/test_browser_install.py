"""Dues installs from the browser as an app, as Wallos does: Chromium finds nothing missing."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from tests.conftest import CHROMIUM, CHROMIUM_ARGS


def test_chromium_finds_dues_installable(browser: Browser, live_url: str, tmp_path: Path) -> None:
    # A profile on disk: Chromium never offers to install from an incognito window,
    # which is what a plain Playwright context is.
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS, base_url=live_url
    )
    try:
        page = context.new_page()
        page.goto("/setup")
        page.wait_for_load_state("networkidle")
        devtools = context.new_cdp_session(page)
        manifest = devtools.send("Page.getAppManifest")
        assert manifest["errors"] == []
        assert manifest["manifest"]["name"] == "Dues"
        assert manifest["manifest"]["startUrl"] == f"{live_url}/"
        assert devtools.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    finally:
        context.close()
