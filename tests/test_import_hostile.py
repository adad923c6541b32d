"""Hostile and broken files: each gets a clear error, and nothing is changed."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import importers.upload
import views.transfer
from models import Category, Subscription, User, db
from tests.test_wallos_import import import_now, upload
from tests.wallos_fixture import NETFLIX_LOGO, backup_zip, household_files, household_of_two


@pytest.fixture(autouse=True)
def app_context(app: Flask) -> Iterator[None]:
    with app.app_context():
        yield


def refused(client: FlaskClient, data: bytes, name: str, message: str) -> None:
    """The upload or its preview is refused with message, and the account is unchanged."""
    response = upload(client, data, name)
    if response.status_code == 302:
        response = client.get("/account/data/preview")
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page
    assert message in page and "Nothing in your account was changed." in page
    db.session.expire_all()
    user = User.by_username("alice")
    assert user is not None
    assert Subscription.for_user(user.id) == [] and Category.for_user(user.id) == []


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(logged_in: FlaskClient) -> None:
    # 200 MB of zeros compress to about 200 kB.
    bomb = zipped({"wallos.db": b"\0" * (200 * 2**20)})
    assert len(bomb) < 1_000_000
    refused(logged_in, bomb, "bomb.zip", "unpacks to more than 128 MB")


def test_a_zip_whose_sizes_lie_is_stopped_while_unpacking(
    logged_in: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers.upload, "MAX_UNPACKED", 10_000)
    archive = bytearray(zipped({"wallos.db": b"\0" * 50_000}))
    # Write a small uncompressed size into both headers, as a hostile zip would.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = archive.find(signature)
        archive[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    response = upload(logged_in, bytes(archive), "liar.zip")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "damaged or cut short" in page or "unpacks to more than" in page


def test_too_many_files_are_refused(
    logged_in: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers.upload, "MAX_MEMBERS", 50)
    members = {f"logos/{n}.png": b"" for n in range(51)} | {"wallos.db": b""}
    refused(logged_in, zipped(members), "many.zip", "more than 50 files")


@pytest.mark.parametrize(
    "path", ["../../etc/cron.d/evil", "/etc/passwd", "logos/../../x.php", "C:\\evil.php"]
)
def test_zip_slip_paths_are_refused(logged_in: FlaskClient, tmp_path: Path, path: str) -> None:
    database = household_files(tmp_path)["db"]
    refused(logged_in, zipped({"wallos.db": database, path: b"<?php"}), "slip.zip", "refused")


def test_a_sqlite_file_that_is_not_wallos_is_refused(
    logged_in: FlaskClient, tmp_path: Path
) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    connection.commit()
    connection.close()
    refused(logged_in, path.read_bytes(), "other.db", "is not Wallos")


def test_a_truncated_database_is_refused(logged_in: FlaskClient, tmp_path: Path) -> None:
    database = household_files(tmp_path)["db"]
    refused(logged_in, database[: len(database) // 3], "wallos.db", "damaged or cut short")


def test_a_truncated_zip_is_refused(logged_in: FlaskClient, tmp_path: Path) -> None:
    archive = household_files(tmp_path)["zip"]
    refused(logged_in, archive[: len(archive) // 2], "wallos.zip", "damaged or cut short")


def test_a_truncated_json_export_is_refused(logged_in: FlaskClient, tmp_path: Path) -> None:
    document = household_files(tmp_path)["json"]
    refused(logged_in, document[:-40], "export.json", "not a file Dues can import")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"subscriptions": "many"}, "not a list of subscriptions"),
        (
            [
                {
                    "Name": "x",
                    "Payment Cycle": "Monthly",
                    "Next Payment": "2027-01-01",
                    "Price": ["€1"],
                }
            ],
            "should be text",
        ),
        ([{"Name": "x"}], "lacks Payment Cycle"),
        ({"format": "dues", "version": 1, "subscriptions": [{"ref": 5}]}, "should be text"),
        (
            {"format": "dues", "version": 1, "account": {"timezone": "Mars/Olympus"}},
            "time zone is unknown",
        ),
        (
            {
                "format": "dues",
                "version": 1,
                "subscriptions": [{"ref": "a", "name": "b", "price": "NaN"}],
            },
            "should be a Decimal",
        ),
        ({"format": "dues", "version": 99}, "this Dues reads version 1"),
        ({"format": "dues", "version": 1, "channels": "all"}, "should be a list"),
        (
            {"format": "dues", "version": 1, "channels": [{"kind": "fax", "name": "a"}]},
            "kind or name is missing or unknown",
        ),
        (
            {
                "format": "dues",
                "version": 1,
                # A secret may only come sealed, never among the plain settings.
                "channels": [{"kind": "ntfy", "name": "a", "settings": {"token": "tk_x"}}],
            },
            "settings are not this kind",
        ),
        (
            {
                "format": "dues",
                "version": 1,
                "channels": [{"kind": "ntfy", "name": "a", "trust": "maybe"}],
            },
            "trust is unknown",
        ),
        (
            {
                "format": "dues",
                "version": 1,
                "channels": [
                    {"kind": "ntfy", "name": "a", "only_categories": True, "categories": ["x" * 51]}
                ],
            },
            "categories should be names of at most 50 characters",
        ),
    ],
)
def test_json_documents_of_the_wrong_shape_are_refused(
    logged_in: FlaskClient, document: object, message: str
) -> None:
    refused(logged_in, json.dumps(document).encode(), "export.json", message)


def test_an_upload_over_the_limit_is_refused_before_it_is_read(
    logged_in: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The limit made small, so the test sends kilobytes rather than 32 MB.
    monkeypatch.setattr(views.transfer, "MAX_UPLOAD", 100_000)
    response = upload(logged_in, b"PK" + b"\0" * 200_000, "huge.zip")
    assert response.status_code == 413
    assert "an import of at most 32 MB" in response.get_data(as_text=True)
    assert upload(logged_in, b"PK" + b"\0" * 50_000, "small.zip").status_code == 422


def test_the_import_limit_applies_to_the_import_upload_only(logged_in: FlaskClient) -> None:
    response = logged_in.post("/account", data={"email": "x" * (2 * 2**20)})
    assert response.status_code == 413


def test_an_svg_logo_with_script_refuses_the_import(logged_in: FlaskClient, tmp_path: Path) -> None:
    database = household_of_two(tmp_path / "wallos.db", smtp_port=2525, encryption="none").close()
    script = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused(
        logged_in,
        backup_zip(database, {NETFLIX_LOGO: script}),
        "wallos.zip",
        "something other than drawing",
    )


def test_the_kept_upload_is_gone_once_imported(logged_in: FlaskClient, tmp_path: Path) -> None:
    files = household_files(tmp_path)
    assert upload(logged_in, files["db"], "wallos.db").status_code == 302
    assert import_now(logged_in).status_code == 302
    # Between preview and import the upload waits in the instance folder; no longer.
    assert not any((Path(logged_in.application.instance_path) / "imports").iterdir())
