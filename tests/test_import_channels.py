"""Wallos's push channels come along with an import: the same services, secrets kept secret."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from importers.plan import ImportPlan
from importers.wallos_channels import plan_wallos_channels
from models import Channel, User, db
from reminders import run_reminders
from tests.conftest import PushLab
from tests.test_wallos_import import import_now, upload
from tests.wallos_fixture import WallosDatabase, household_of_two

SECRETS = {
    "gotify": "gotify-app-token-secret",
    "telegram": "123456789:AAE-telegram-bot-secret",
    "discord": "https://discord.com/api/webhooks/4242/discord-webhook-secret",
    "pushover_user": "pushover-user-key-secret",
    "pushover_app": "pushover-app-token-secret",
    "webhook": "http://127.0.0.1:9/hooks/webhook-path-secret",
    "header": "webhook-header-secret",
}


def wallos_with_channels(folder: Path, ntfy_server: str) -> bytes:
    """Alice's Wallos with email off and every service set up; only ntfy is on."""
    wallos = household_of_two(folder / "wallos.db", smtp_port=2525, encryption="none")
    wallos.db.execute("UPDATE email_notifications SET enabled = 0")
    # A self-signed ntfy, and "Ignore SSL Errors" ticked in Wallos.
    wallos.insert("ntfy_notifications", enabled=1, host=ntfy_server, topic="bills", headers="",
                  ignore_ssl=1, user_id=1)  # fmt: skip
    wallos.insert("gotify_notifications", enabled=0, url="http://127.0.0.1:9",
                  token=SECRETS["gotify"], user_id=1)  # fmt: skip
    wallos.insert("telegram_notifications", enabled=0, bot_token=SECRETS["telegram"],
                  chat_id="42", user_id=1)  # fmt: skip
    wallos.insert("discord_notifications", enabled=0, webhook_url=SECRETS["discord"],
                  bot_username="Wallos", user_id=1)  # fmt: skip
    wallos.insert("pushover_notifications", enabled=0, user_key=SECRETS["pushover_user"],
                  token=SECRETS["pushover_app"], user_id=1)  # fmt: skip
    wallos.insert("webhook_notifications", enabled=0, url=SECRETS["webhook"],
                  request_method="PATCH", headers=f"X-Key: {SECRETS['header']}",
                  payload='{"name": "{{subscription_name}}"}', user_id=1)  # fmt: skip
    wallos.insert("pushplus_notifications", enabled=1, token="pushplus-token", user_id=1)
    return wallos.close()


def test_wallos_channels_are_imported_encrypted_and_the_first_reminder_reaches_ntfy(
    app: Flask, logged_in: FlaskClient, push: PushLab, tmp_path: Path
) -> None:
    ntfy = push.sink(tls=True)
    upload(logged_in, wallos_with_channels(tmp_path, ntfy.url), name="wallos.db")
    preview = logged_in.get("/account/data/preview").get_data(as_text=True)
    assert "Push channels (6)" in preview
    assert "Creates 6 push channels" in preview
    assert "its certificate is not checked, as Wallos was told" in preview
    assert "Webhook (JSON) headers, payload, request_method are not brought" in preview
    assert "PushPlus notifications are not brought" in preview

    result = import_now(logged_in)
    assert result.status_code == 302
    pages = [logged_in.get(url).get_data(as_text=True) for url in ("/settings/channels",)]
    with app.app_context():
        user = User.by_username("alice")
        assert user is not None
        channels = {channel.kind: channel for channel in Channel.for_user(user.id)}
        assert set(channels) == {"ntfy", "gotify", "telegram", "discord", "pushover", "webhook"}
        assert [c.kind for c in channels.values() if c.enabled] == ["ntfy"]
        assert channels["ntfy"].trust == "any" and channels["gotify"].trust == "verify"
        assert channels["ntfy"].values() == {"server": ntfy.url, "topic": "bills"}
        assert channels["telegram"].values() == {"chat_id": "42"}
        assert channels["webhook"].values() == {"method": "POST", "body": ""}
        assert channels["telegram"].secret_values() == {"bot_token": SECRETS["telegram"]}
        assert channels["pushover"].secret_values() == {
            "user_key": SECRETS["pushover_user"],
            "app_token": SECRETS["pushover_app"],
        }
        stored = " ".join(
            str(value) for row in db.session.execute(text("SELECT * FROM channel")) for value in row
        )
        # Gym <24/7> is paid on 10 December; Wallos's default was 3 days before.
        summary = run_reminders(dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC))
    for secret in SECRETS.values():
        assert secret not in preview and secret not in stored
        assert all(secret not in page for page in pages)
    assert summary.sent == 1, summary
    (request,) = ntfy.received
    assert request.json()["topic"] == "bills"
    assert "Gym" in request.json()["message"]


def test_a_second_import_leaves_the_channels_alone(
    app: Flask, logged_in: FlaskClient, push: PushLab, tmp_path: Path
) -> None:
    database = wallos_with_channels(tmp_path, push.sink().url)
    for _ in range(2):
        upload(logged_in, database, name="wallos.db")
        assert import_now(logged_in).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Channel)) == 6


def test_without_the_notification_settings_no_channel_is_imported(
    app: Flask, logged_in: FlaskClient, push: PushLab, tmp_path: Path
) -> None:
    upload(logged_in, wallos_with_channels(tmp_path, push.sink().url), name="wallos.db")
    logged_in.post("/account/data/preview", data={"action": "import"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Channel)) == 0


def _plan_of(database: bytes, folder: Path) -> ImportPlan:
    path = folder / "read.db"
    path.write_bytes(database)
    connection = sqlite3.connect(path)
    connection.row_factory = sqlite3.Row
    plan = ImportPlan(source="test")
    try:
        plan_wallos_channels(connection, 1, plan)
    finally:
        connection.close()
    return plan


def test_a_channel_wallos_held_but_dues_cannot_use_is_named_and_left_out(
    app: Flask, tmp_path: Path
) -> None:
    wallos = WallosDatabase(tmp_path / "wallos.db")
    wallos.add_user("alice", "EUR")
    wallos.insert("telegram_notifications", enabled=1, bot_token="not-a-bot-token", chat_id="1")
    wallos.insert("ntfy_notifications", enabled=1, host="ntfy.example.test", topic="", user_id=1)
    wallos.insert("gotify_notifications", enabled=0, url="", token="", user_id=1)  # never set up
    with app.test_request_context():
        plan = _plan_of(wallos.close(), tmp_path)
    assert plan.channels == []
    assert plan.warnings == [
        "Wallos's ntfy settings lack “Topic”; they are left out.",
        "Wallos's Telegram settings cannot be used (A bot token looks like 123456789:AAE…,"
        " as BotFather gave.); they are left out.",
    ]


def test_an_ntfy_bearer_token_in_wallos_headers_becomes_the_access_token(
    app: Flask, tmp_path: Path
) -> None:
    """Wallos's ntfy headers are a JSON object; Authorization carries a protected topic's token."""
    wallos = WallosDatabase(tmp_path / "wallos.db")
    wallos.add_user("alice", "EUR")
    headers = '{"Authorization": "Bearer tk_protected-topic-secret", "X-Priority": "4"}'
    wallos.insert("ntfy_notifications", enabled=1, host="https://ntfy.home.arpa", topic="bills",
                  headers=headers, user_id=1)  # fmt: skip
    with app.test_request_context():
        plan = _plan_of(wallos.close(), tmp_path)
    (channel,) = plan.channels
    assert channel.secrets == {"token": "tk_protected-topic-secret"}
    assert channel.values == {"server": "https://ntfy.home.arpa", "topic": "bills"}
    assert plan.warnings == [
        "Wallos's ntfy headers are not brought: Dues sends its own message."
        " Check the channel under Notifications."
    ]


@pytest.mark.parametrize(
    ("headers", "warned"),
    [('{"Authorization": "Bearer tk_only"}', False), ("not json", True), ('["x"]', True)],
)
def test_wallos_ntfy_headers_warn_only_when_something_is_left_behind(
    app: Flask, tmp_path: Path, headers: str, warned: bool
) -> None:
    wallos = WallosDatabase(tmp_path / "wallos.db")
    wallos.add_user("alice", "EUR")
    wallos.insert("ntfy_notifications", enabled=1, host="https://ntfy.home.arpa", topic="bills",
                  headers=headers, user_id=1)  # fmt: skip
    with app.test_request_context():
        plan = _plan_of(wallos.close(), tmp_path)
    assert len(plan.channels) == 1
    assert bool(plan.warnings) is warned
