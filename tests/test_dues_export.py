"""Dues' own export and restore, and the CSV of subscriptions."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.test_wallos_import import import_now, upload
from tests.wallos_fixture import household_files

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
        from models import User

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
