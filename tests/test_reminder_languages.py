"""Reminders in the account's language, through the real job to a real SMTP server."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.header import decode_header

import pytest
from flask import Flask

from models import db
from reminders import run_reminders
from tests.conftest import PushLab, SmtpLab
from tests.factories import make_account, make_channel, make_subscription

EXPECTED = {
    # language: (subject, amount as Babel writes it, the date in long form, a phrase)
    "de": (
        "Netflix wird morgen verlängert — 12,99\xa0€",
        "12,99\xa0€",
        "10. Dezember 2026",
        "Hallo",
    ),
    "zh_Hans": ("Netflix 将于明天续订 — €12.99", "€12.99", "2026年12月10日", "你好"),
}


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_a_reminder_is_written_in_the_accounts_language(
    ctx: Flask, smtp: SmtpLab, language: str
) -> None:
    user = make_account("admin", port=smtp.plain_no_starttls.port)
    user.locale = language
    db.session.commit()
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    run_reminders(dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC))
    [received] = smtp.plain_no_starttls.received
    subject, amount, date, greeting = EXPECTED[language]
    assert received.message["Subject"] == subject
    header = received.raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    assert header.isascii(), "headers cross the wire in ASCII"
    encoded = [line for line in header.splitlines() if line.startswith(b"Subject:")]
    assert encoded and b"=?utf-8?" in encoded[0].lower(), "the subject is RFC 2047 encoded"
    assert (
        "".join(
            part.decode(charset or "ascii") if isinstance(part, bytes) else part
            for part, charset in decode_header(received.message["Subject"])
        )
        == subject
    )
    text = received.message.get_body(("plain",))
    html = received.message.get_body(("html",))
    assert text is not None and html is not None
    for part in (text, html):
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        body = payload.decode("utf-8")  # strict: the body is valid UTF-8
        assert amount in body and date in body and greeting in body, (language, body)
        assert "payment is coming up" not in body and "See all your subscriptions" not in body
    assert f'lang="{language.replace("_", "-")}"' in html.get_content()


def test_a_push_notification_is_written_in_the_accounts_language(
    ctx: Flask, smtp: SmtpLab, push: PushLab
) -> None:
    sink = push.sink()
    user = make_account("admin", port=smtp.plain_no_starttls.port)
    user.locale = "de"
    user.email_settings.enabled = False
    db.session.commit()
    make_channel(user, "webhook", "Hook", secrets={"url": sink.url})
    make_subscription(user, "Netflix", dt.date(2026, 12, 12), reminder_offsets="3")
    run_reminders(dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC))
    [request] = sink.received
    body = request.json()
    assert body["title"] == "Netflix wird in 3 Tagen verlängert"
    assert "verlängert sich am 12. Dezember 2026 (in 3 Tagen), 12,99\xa0€" in body["message"]
