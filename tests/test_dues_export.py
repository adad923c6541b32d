"""Dues' own export and restore, and the CSV of subscriptions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from models import Category, Channel, User, db
from tests.test_wallos_import import import_now, upload
from tests.wallos_fixture import household_files

NTFY_TOKEN = "tk_ntfy-access-token-secret"
TELEGRAM_TOKEN = "123456789:AAE-telegram-bot-secret"
SECOND = {"username": "bob", "email": "bob@example.test", "password": "another horse"}


def export(client: FlaskClient, **form: str) -> dict[str, Any]:
    response = client.post("/account/data/export", data=form)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return json.loads(response.get_data())  # type: ignore[no-any-return]


def filled_account(client: FlaskClient, tmp_path: Path) -> None:
    """An account with everything a Wallos backup brings, and a reminder sent."""
    upload(client, household_files(tmp_path)["zip"])
    assert import_now(client).status_code == 302


def second_account(app: Flask) -> FlaskClient:
    """A client logged in as a fresh, empty second account."""
    client = app.test_client()
    admin = app.test_client()
    admin.post("/login", data={"username": "alice", "password": "correct horse"})
    new_account = {f"new-{key}": value for key, value in SECOND.items()}
    assert admin.post("/account/users", data=new_account).status_code == 302
    assert client.post("/login", data=SECOND).status_code == 302
    return client


def test_export_restore_export_is_identical(
    app: Flask, logged_in: FlaskClient, tmp_path: Path
) -> None:
    filled_account(logged_in, tmp_path)
    first = export(logged_in)
    assert len(first["subscriptions"]) == 5 and first["secrets"] is None
    assert first["email_settings"]["host"] == "127.0.0.1"
    fresh = second_account(app)
    upload(fresh, json.dumps(first).encode(), "dues.json")
    preview = fresh.get("/account/data/preview").get_data(as_text=True)
    assert "Creates 5 subscriptions" in preview
    assert import_now(fresh).status_code == 302
    second = export(fresh)
    assert {k: v for k, v in second.items() if k != "exported_at"} == {
        k: v for k, v in first.items() if k != "exported_at"
    }
    # Restoring the same export again adds nothing.
    upload(fresh, json.dumps(first).encode(), "dues.json")
    assert "Nothing: everything in this file is already here." in fresh.get(
        "/account/data/preview"
    ).get_data(as_text=True)


def test_secrets_travel_only_sealed_with_a_passphrase(
    app: Flask, logged_in: FlaskClient, tmp_path: Path
) -> None:
    filled_account(logged_in, tmp_path)
    refused = logged_in.post(
        "/account/data/export", data={"include_secrets": "y", "passphrase": "short"}
    )
    assert refused.status_code == 422 and "at least 8 characters" in refused.get_data(as_text=True)
    document = export(logged_in, include_secrets="y", passphrase="long enough phrase")
    text = json.dumps(document)
    assert "wallos-plain-secret" not in text and document["secrets"]["kdf"] == "scrypt"
    fresh = second_account(app)
    upload(fresh, text.encode(), "dues.json")
    wrong = fresh.post(
        "/account/data/preview",
        data={"action": "refresh", "with_email": "on", "passphrase": "not the phrase"},
    )
    assert wrong.status_code == 422 and "does not open the secrets" in wrong.get_data(as_text=True)
    assert import_now(fresh, passphrase="long enough phrase").status_code == 302
    with app.app_context():
        bob = User.by_username("bob")
        assert bob is not None and bob.email_settings.stored_password() == "wallos-plain-secret"


def test_the_csv_opens_in_a_spreadsheet(logged_in: FlaskClient, tmp_path: Path) -> None:
    filled_account(logged_in, tmp_path)
    response = logged_in.get("/account/data/subscriptions.csv")
    body = response.get_data()
    assert response.mimetype == "text/csv" and body.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["Name", "Price", "Currency"] and len(rows) == 6
    netflix = next(row for row in rows if row[0] == "Netflix & Chill")
    assert netflix[16] == 'Family plan\nshared with "Bob"'  # quoted, the newline kept
    assert b'"Family plan\nshared with ""Bob"""' in body


def add_channels(app: Flask) -> None:
    """Alice's two channels: a self-hosted ntfy for one category, and Telegram."""
    with app.app_context():
        user = User.by_username("alice")
        assert user is not None
        music = next(c for c in Category.for_user(user.id) if c.name == "Music")
        ntfy = Channel(user_id=user.id, name="Phone", kind="ntfy", trust="ca",
                       ca_certificates="-----BEGIN CERTIFICATE-----\nMIIB\n", only_categories=True,
                       categories=[music])  # fmt: skip
        ntfy.store({"server": "https://ntfy.home.arpa", "topic": "bills"}, {"token": NTFY_TOKEN})
        telegram = Channel(user_id=user.id, name="Telegram", kind="telegram", enabled=True)
        telegram.store({"chat_id": "42"}, {"bot_token": TELEGRAM_TOKEN})
        db.session.add_all([ntfy, telegram])
        db.session.commit()


def channels_of(app: Flask, username: str) -> list[tuple[Any, ...]]:
    with app.app_context():
        user = User.by_username(username)
        assert user is not None
        return [
            (c.name, c.kind, c.enabled, c.trust, c.ca_certificates, c.only_categories,
             [category.name for category in c.categories], c.values(), c.secret_values())
            for c in Channel.for_user(user.id)
        ]  # fmt: skip


def test_channels_are_restored_with_their_secrets_only_with_the_passphrase(
    app: Flask, logged_in: FlaskClient, tmp_path: Path
) -> None:
    filled_account(logged_in, tmp_path)
    add_channels(app)
    sealed = json.dumps(export(logged_in, include_secrets="y", passphrase="long enough phrase"))
    plain = json.dumps(export(logged_in))
    for document in (sealed, plain):
        assert NTFY_TOKEN not in document and TELEGRAM_TOKEN not in document
    fresh = second_account(app)
    upload(fresh, sealed.encode(), "dues.json")
    assert "Creates 2 push channels" in fresh.get("/account/data/preview").get_data(as_text=True)
    assert import_now(fresh, passphrase="long enough phrase").status_code == 302
    assert channels_of(app, "bob") == channels_of(app, "alice")

    third = app.test_client()
    admin = app.test_client()
    admin.post("/login", data={"username": "alice", "password": "correct horse"})
    carol = {"new-username": "carol", "new-email": "carol@example.test",
             "new-password": "a third horse"}  # fmt: skip
    assert admin.post("/account/users", data=carol).status_code == 302
    third.post("/login", data={"username": "carol", "password": "a third horse"})
    upload(third, plain.encode(), "dues.json")
    preview = third.get("/account/data/preview").get_data(as_text=True)
    assert "“Telegram” comes back switched off: the export does not give its Bot token" in preview
    assert import_now(third).status_code == 302
    restored = {channel[0]: channel for channel in channels_of(app, "carol")}
    assert restored["Telegram"][2] is False and restored["Telegram"][8] == {}
    # ntfy's token is optional: without it the channel stays as it was, on.
    assert restored["Phone"][2] is True and restored["Phone"][6] == ["Music"]
