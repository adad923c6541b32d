"""The whole app in 简体中文, in Chromium: no English left on any page, at 360 and 1280 px."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from models import User, db, utcnow
from tests.conftest import ACCOUNT, SmtpLab, screenshot
from tests.factories import make_subscription, record_failed_reminder
from tests.test_pages_look import PAGES, check_accessibility

ROOT = Path(__file__).resolve().parent.parent
# Names that stay as they are in every language: protocols, products and formats.
PROPER = (
    "Apprise",
    "CA",
    "CSV",
    "DATA",
    "Discord",
    "Dues",
    "EHLO",
    "Exchange",
    "Gmail",
    "Google",
    "Gotify",
    "HTTP",
    "ID",
    "JSON",
    "Let's Encrypt",
    "MAIL FROM",
    "Matrix",
    "Mattermost",
    "MB",
    "Microsoft 365",
    "Microsoft",
    "MQTT",
    "ntfy",
    "OAuth 2.0",
    "OAuth",
    "PEM",
    "PNG",
    "JPEG",
    "Pushover",
    "RCPT TO",
    "SHA-256",
    "Slack",
    "SMTP",
    "SSL",
    "STARTTLS",
    "SVG",
    "Telegram",
    "TLS",
    "URL",
    "Wallos",
    "Webhook",
    "WebP",
    "GIF",
    "kB",
    "SMTP AUTH",
    "Signal",
    "Home Assistant",
    "Tailscale",
    "Entra ID",
    "PowerShell",
    "ECB",
    "EUR",
    "USD",
)


def english_phrases() -> list[str]:
    """Pieces of the English source text that a translated page must not show."""
    with open(ROOT / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po", "rb") as file:
        catalog = read_po(file)
    phrases: set[str] = set()
    for message in catalog:
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            text = re.sub(r"<[^>]+>", " ", text)
            # Addresses, host names and file names are examples, not words to translate.
            text = re.sub(r"\S*(?:://|@|\.)[\w-]\S*", " ", text)
            for piece in re.split(r"%\(\w+\)[sd]|\{\{[^}]*\}\}|[“”\"():;,.?!→—–…/]", text):
                for name in PROPER:
                    piece = piece.replace(name, " ")
                words = re.findall(r"[A-Za-z][A-Za-z'-]+", piece)
                if len(words) >= 2 or any(len(word) >= 4 for word in words):
                    phrases.add(" ".join(piece.split()))
    return sorted(phrase for phrase in phrases if phrase)


def visible_text(page: Page) -> str:
    """What a reader sees, without evidence (raw replies, code, charts) or what they typed."""
    text: str = page.evaluate(
        """() => {
          const copy = document.body.cloneNode(true);
          // Time zones are IANA's names (America/Port-au-Prince), the same in every language.
          const evidence = 'pre, code, input, textarea, .transcript, .step-detail, svg, '
            + '#timezone, details:not([open]) > :not(summary)';
          copy.querySelectorAll(evidence).forEach(n => n.remove());
          document.body.appendChild(copy); copy.style.position = 'absolute';
          const text = copy.innerText; copy.remove(); return text;
        }"""
    )
    return text


def english_left(page: Page, phrases: list[str]) -> list[str]:
    text = visible_text(page)
    return [p for p in phrases if re.search(rf"(?<![A-Za-z]){re.escape(p)}(?![A-Za-z])", text)]


@pytest.fixture(params=[360, 1280], ids=["phone", "desktop"])
def chinese_page(request: pytest.FixtureRequest, browser: Browser, live_url: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_url, locale="zh-CN", viewport={"width": request.param, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.width = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def seed(app: Flask) -> None:
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user is not None
        today = utcnow().date()
        netflix = make_subscription(user, "Netflix", today + dt.timedelta(days=3), category="视频")
        make_subscription(user, "网盘", today + dt.timedelta(days=12), price="2.99", currency="CNY")
        record_failed_reminder(user, netflix.id, "无法连接到该服务。")


def test_every_page_in_chinese_has_no_english_left(
    chinese_page: Page, csrf_app: Flask, smtp: SmtpLab
) -> None:
    page, width = chinese_page, chinese_page.width  # type: ignore[attr-defined]
    phrases = english_phrases()
    page.goto("/setup")
    expect(page.get_by_role("heading", name="创建你的账户")).to_be_visible()
    assert english_left(page, phrases) == [], "the set-up page follows Accept-Language"
    page.get_by_label("用户名").fill(ACCOUNT["username"])
    page.get_by_label("电子邮件").fill(ACCOUNT["email"])
    page.get_by_label("密码").fill(ACCOUNT["password"])
    page.get_by_role("button", name="创建账户").click()
    seed(csrf_app)
    page.goto("/account")
    page.get_by_label("语言").select_option("zh_Hans")
    page.get_by_role("button", name="保存").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    page.goto("/settings/notifications")
    page.get_by_label("SMTP 主机").fill("127.0.0.1")
    page.get_by_label("加密方式").select_option(label="SSL")
    page.get_by_label("端口", exact=True).fill(str(smtp.implicit_tls_self_signed.port))
    page.get_by_role("button", name="发送测试邮件").click()
    result = page.get_by_role("status").filter(has_text="失败")
    expect(result).to_contain_text("证书")
    checked = [("notifications-failed", page.url)]
    leftovers = {"notifications-failed": english_left(page, phrases)}
    screenshot(page, f"zh-notifications-failed-{width}")
    check_accessibility(page, "notifications (zh)")
    for name, path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        leftovers[name] = english_left(page, phrases)
        screenshot(page, f"zh-{name}-{width}")
        check_accessibility(page, f"{name} (zh)")
        checked.append((name, path))
    assert {name: found for name, found in leftovers.items() if found} == {}
    assert len(checked) == len(PAGES) + 1
