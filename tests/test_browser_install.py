"""Dues installs as an app, as Wallos does: Chromium finds nothing missing; iOS gets its icon."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from PIL import Image
from playwright.sync_api import Browser

from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from views.icons import BLUE, WHITE


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


def test_the_home_screen_icon_is_the_clock_and_needs_no_log_in(app: Flask) -> None:
    response = app.test_client().get("/apple-touch-icon.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    icon = Image.open(io.BytesIO(response.data)).convert("RGB")
    assert icon.size == (180, 180)
    assert icon.getpixel((5, 5)) == BLUE, "a full square: iOS rounds the corners itself"
    assert icon.getpixel((90, 60)) == WHITE, "the hand pointing up"
    assert icon.getpixel((60, 120)) == BLUE
