"""Wallos's two-factor sign-in comes along: the authenticator app and backup codes keep working."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient

from importers.plan import ImportPlan
from importers.wallos_two_factor import plan_wallos_two_factor
from models import User
from models.two_factor import TwoFactor
from tests.conftest import ACCOUNT
from tests.oauth_server import Clock
from tests.test_two_factor import CODE, log_in_with_password, turn_on
from tests.test_wallos_import import import_now, upload
from tests.wallos_fixture import WallosDatabase, household_of_two

# Fixed, so that the parametrized ids are the same in every test worker.
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
BACKUP_CODES = ["0f1e2d3c4b5a69788796", "a5b4c3d2e1f0a9b8c7d6"]


def wallos_with_two_factor(folder: Path, secret: str = SECRET, codes: str | None = None) -> bytes:
    """Alice's Wallos with two-factor sign-in as Wallos's set-up leaves it."""
    wallos = household_of_two(folder / "wallos.db", smtp_port=2525, encryption="none")
    wallos.db.execute("UPDATE user SET totp_enabled = 1 WHERE id = 1")
    backup = json.dumps(BACKUP_CODES) if codes is None else codes
    wallos.insert("totp", user_id=1, totp_secret=secret, backup_codes=backup,
                  last_totp_used=1_700_000_000)  # fmt: skip
    return wallos.close()


def test_the_wallos_authenticator_and_backup_codes_log_in_to_dues(
    app: Flask, logged_in: FlaskClient, clock: Clock, tmp_path: Path
) -> None:
    upload(logged_in, wallos_with_two_factor(tmp_path), name="wallos.db")
    preview = logged_in.get("/account/data/preview").get_data(as_text=True)
    assert "Keep Wallos's two-factor sign-in" in preview
    assert "Sets two-factor sign-in" in preview
    assert SECRET not in preview and BACKUP_CODES[0] not in preview
    assert import_now(logged_in, with_two_factor="on").status_code == 302
    assert logged_in.get("/account").status_code == 200, "the importing session goes on"

    wallos_app = pyotp.TOTP(SECRET)
    assert log_in_with_password(logged_in) == CODE
    assert logged_in.post(CODE, data={"code": wallos_app.at(clock.now())}).status_code == 302
    assert log_in_with_password(logged_in) == CODE
    assert logged_in.post(CODE, data={"code": BACKUP_CODES[1]}).status_code == 302
    assert "1 recovery code is left" in logged_in.get("/account/two-factor").get_data(as_text=True)


def test_unticked_it_stays_off(logged_in: FlaskClient, tmp_path: Path) -> None:
    upload(logged_in, wallos_with_two_factor(tmp_path), name="wallos.db")
    refreshed = logged_in.post("/account/data/preview", data={"action": "refresh"})
    page = refreshed.get_data(as_text=True)
    assert 'id="with_two_factor"' in page and "Sets two-factor sign-in" not in page
    assert import_now(logged_in).status_code == 302
    assert log_in_with_password(logged_in) == "/"


def test_two_factor_already_on_in_dues_is_kept(
    app: Flask, logged_in: FlaskClient, clock: Clock, tmp_path: Path
) -> None:
    dues_app, _ = turn_on(logged_in, clock)
    upload(logged_in, wallos_with_two_factor(tmp_path), name="wallos.db")
    preview = logged_in.get("/account/data/preview").get_data(as_text=True)
    assert "Sets two-factor sign-in" not in preview
    import_now(logged_in, with_two_factor="on")
    assert log_in_with_password(logged_in) == CODE
    assert logged_in.post(CODE, data={"code": dues_app.at(clock.now())}).status_code == 302
    with app.app_context():
        user = User.by_username(ACCOUNT["username"])
        found = TwoFactor.of(user.id) if user else None
        assert found is not None and found.secret == dues_app.secret


def planned(database: Path) -> ImportPlan:
    """What the reader plans for Wallos's first user of database."""
    plan = ImportPlan(source="Wallos database")
    connection = sqlite3.connect(database)
    connection.row_factory = sqlite3.Row
    try:
        plan_wallos_two_factor(connection, 1, plan)
    finally:
        connection.close()
    return plan


@pytest.mark.parametrize(
    ("secret", "codes"),
    [
        ("not base32!", None),
        (SECRET, '{"not": "a list"}'),
        (SECRET, json.dumps(["x" * 65])),
        (SECRET, json.dumps([1, 2])),
        ("A" * 300, None),
    ],
)
def test_a_secret_wallos_could_not_have_written_is_left_out_with_a_warning(
    tmp_path: Path, secret: str, codes: str | None
) -> None:
    wallos_with_two_factor(tmp_path, secret, codes)
    plan = planned(tmp_path / "wallos.db")
    assert plan.two_factor is None
    assert any("cannot be read, so it is left out" in text for text in plan.warnings)


def test_off_in_wallos_brings_nothing(tmp_path: Path) -> None:
    wallos = WallosDatabase(tmp_path / "w.db")
    wallos.add_user("alice", "EUR")
    wallos.insert("totp", user_id=1, totp_secret=SECRET, backup_codes="[]")
    wallos.close()
    plan = planned(tmp_path / "w.db")
    assert plan.two_factor is None and not plan.warnings


def test_on_in_wallos_without_its_secret_is_named(tmp_path: Path) -> None:
    wallos = WallosDatabase(tmp_path / "w.db")
    wallos.add_user("alice", "EUR")
    wallos.db.execute("UPDATE user SET totp_enabled = 1")
    wallos.close()
    plan = planned(tmp_path / "w.db")
    assert plan.two_factor is None
    assert plan.warnings == ["Wallos has two-factor sign-in on, but its secret is not in the file."]
