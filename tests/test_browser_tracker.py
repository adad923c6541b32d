"""The tracker in Chromium: a logo uploaded, the list filtered and sorted, on phone and desktop."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.conftest import screenshot
from tests.test_browser import create_account


@pytest.fixture(params=[("light", 360), ("dark", 1280)])
def sized_page(request: pytest.FixtureRequest, browser: Browser, live_url: str) -> Iterator[Page]:
    theme, width = request.param
    context = browser.new_context(
        base_url=live_url, color_scheme=theme, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def add(page: Page, name: str, price: str, category: str | None = None) -> None:
    page.goto("/subscriptions/new")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Price").fill(price)
    page.get_by_label("Next payment").fill("2027-01-15")
    if category:
        page.get_by_label("Category").select_option(label=category)


def test_a_logo_a_filter_and_a_sort(sized_page: Page, tmp_path: Path) -> None:
    page = sized_page
    width = page.viewport_size["width"] if page.viewport_size else 0
    create_account(page)
    page.goto("/lists")
    page.locator("#categories-name").fill("Video")
    page.get_by_role("button", name="Add category").click()
    logo = tmp_path / "logo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), "red").save(buffer, format="PNG")
    logo.write_bytes(buffer.getvalue())
    add(page, "Netflix", "15.99", "Video")
    page.get_by_label("Logo").set_input_files(str(logo))
    page.get_by_role("button", name="Save").click()
    add(page, "Cloud", "2.99")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("img.logo")).to_have_count(1)
    page.get_by_label("Sort by").select_option(label="Price")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"sort=price"))
    names = page.locator("tbody th[scope=row]")
    expect(names.first).to_contain_text("Netflix")
    page.get_by_label("Category").select_option(label="Video")
    page.get_by_role("button", name="Apply").click()
    expect(names).to_have_count(1)
    screenshot(page, f"tracker-list-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto("/statistics")
    expect(page.locator("svg.chart").first).to_be_visible()
    page.goto("/calendar?month=2027-01")
    expect(page.locator(".day-payment", has_text="Netflix")).to_be_visible()
