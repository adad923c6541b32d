"""Channel secrets are write-only: never in pages, logs or the log page; stored encrypted."""

from __future__ import annotations

import base64
import datetime as dt
import logging
from urllib.parse import quote, quote_plus

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Channel, Delivery, User, db
from reminders import run_reminders
from tests.conftest import PushLab
from tests.factories import make_subscription

NEW = "/settings/channels/new"
TELEGRAM = "987654321:AAHsEcReTtElEgRaMtOkEn-0123456789ab"
DISCORD = "https://discord.com/api/webhooks/998877665544332211/DiScOrD-SeCrEt-ToKeN_0123456789"
PUSHOVER = ("uPuShOvErUsErKeY0123456789abcd", "aPuShOvErApPtOkEn0123456789abc")
MATRIX = "syt_bWF0cml4_MaTrIxSeCrEtToKeN_0a1b2c"
GOTIFY = "GoTiFy.SeCrEt.Key-77"
NTFY = "tk_nTfYsEcReTtOkEn987"
HOOK_PATH = "/hooks/HoOkPaThSeCrEt-4242"


def forms(sink_url: str) -> list[tuple[str, dict[str, str]]]:
    """One channel of each kind with secrets; the hosted ones are off, so nothing leaves."""
    return [
        ("telegram", {"name": "tg", "bot_token": TELEGRAM, "chat_id": "42"}),
        ("discord", {"name": "dc", "webhook_url": DISCORD}),
        ("pushover", {"name": "po", "user_key": PUSHOVER[0], "app_token": PUSHOVER[1]}),
        (
            "matrix",
            {
                "name": "mx",
                "server": sink_url,
                "token": MATRIX,
                "room": "#r:example.org",
                "enabled": "y",
            },
        ),
        ("gotify", {"name": "gt", "server": sink_url, "token": GOTIFY, "enabled": "y"}),
        (
            "ntfy",
            {"name": "nt", "server": sink_url, "topic": "bills", "token": NTFY, "enabled": "y"},
        ),
        ("webhook", {"name": "wh", "url": sink_url + HOOK_PATH, "method": "POST", "enabled": "y"}),
    ]


def encodings(secret: str) -> set[str]:
    forms_ = {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}
    forms_ |= {base64.b64encode(secret.encode()).decode()}
    forms_ |= {base64.b64encode(f":{secret}".encode()).decode()[:-4]}  # as in Basic auth
    return forms_


def test_channel_secrets_never_show_in_pages_logs_or_the_notification_log(
    app: Flask, logged_in: FlaskClient, push: PushLab, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sink = push.sink()
    sink.echo = True  # a careless server writes the request back, headers and all
    sink.statuses = [401] * 50
    pages = []
    for kind, form in forms(sink.url):
        form = {"trust": "verify", **form}
        if form.get("enabled"):
            pages.append(logged_in.post(f"{NEW}/{kind}/test", data=form))
        response = logged_in.post(f"{NEW}/{kind}", data=form)
        assert response.status_code == 302, (kind, response.get_data(as_text=True)[-2000:])
        pages.append(logged_in.get(response.headers["Location"]))
    pages.append(logged_in.get("/settings/channels"))
    with app.app_context():
        alice = db.session.scalars(select(User)).one()
        make_subscription(alice, "Netflix", dt.date(2026, 12, 10))
        summary = run_reminders(dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC))
        stored = b"".join(
            (c.secrets_encrypted or b"") + c.settings.encode()
            for c in db.session.scalars(select(Channel))
        )
        errors = "\n".join(d.last_error for d in db.session.scalars(select(Delivery)))
    assert summary.failed == 4 and summary.sent == 0, "the four self-hosted ones, refused"
    pages.append(logged_in.get("/log"))
    # Apprise's own lines never reach Dues' log (pytest alone listens to them there).
    assert not logging.getLogger("apprise").propagate
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("apprise"))
    everything = "\n".join(p.get_data(as_text=True) for p in pages) + logged + errors
    assert "Test notification failed" in everything and "X-Gotify-Key" in everything
    assert "refused the credentials (HTTP 401)" in everything
    secrets = [TELEGRAM, DISCORD, *PUSHOVER, MATRIX, GOTIFY, NTFY, HOOK_PATH.rsplit("/", 1)[1]]
    secrets += [DISCORD.rsplit("/", 1)[1]]
    for secret in secrets:
        for form in encodings(secret):
            assert form not in everything, secret
        assert secret.encode() not in stored
