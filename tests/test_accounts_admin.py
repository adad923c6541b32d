"""The administrator gives a forgetful account a new password, or deletes an account whole."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from models import ApiKey, LoginSession, User, db, utcnow
from models.two_factor import switch_on
from tests.conftest import ACCOUNT
from tests.factories import make_channel, make_subscription, record_failed_reminder

BOB = {"username": "bob", "email": "bob@example.test", "password": "bob secret"}
# Every table with a row of an account's own, and how to find that account's rows.
ROWS_OF = {
    "subscription": "user_id",
    "category": "user_id",
    "channel": "user_id",
    "delivery": "user_id",
    "email_settings": "user_id",
    "two_factor": "user_id",
    "recovery_code": "user_id",
    "exchange_rate": "user_id",
    "login_session": "user_id",
    "api_key": "user_id",
}


def add_bob(admin: FlaskClient) -> int:
    """The account the administrator adds for bob; its id."""
    new = {f"new-{key}": value for key, value in BOB.items()}
    assert admin.post("/account/users", data=new).status_code == 302
    user = User.by_username("bob")
    assert user is not None
    return user.id


@pytest.fixture
def bob_id(app: Flask, logged_in: FlaskClient) -> int:
    with app.app_context():
        return add_bob(logged_in)


def test_a_forgotten_password_is_replaced_and_the_old_sessions_end(
    app: Flask, logged_in: FlaskClient, bob_id: int
) -> None:
    bob = app.test_client()
    assert bob.post("/login", data=BOB).status_code == 302
    short = logged_in.post(f"/account/users/{bob_id}/password", data={"new_password": "short"})
    assert short.status_code == 422
    assert "Use 8 to 512 characters." in short.get_data(as_text=True)
    changed = logged_in.post(
        f"/account/users/{bob_id}/password", data={"new_password": "a fresh start"}
    )
    assert changed.status_code == 302
    assert bob.get("/account").status_code == 302, "bob's session ended"
    assert bob.post("/login", data=BOB).status_code == 422
    again = bob.post("/login", data={**BOB, "password": "a fresh start"})
    assert again.status_code == 302


def test_only_the_administrator_cares_for_accounts_and_not_for_their_own(
    app: Flask, logged_in: FlaskClient, bob_id: int
) -> None:
    assert logged_in.get(f"/account/users/{bob_id + 1}").status_code == 404
    assert logged_in.get("/account/users/1").status_code == 404, "the administrator's own"
    assert logged_in.post("/account/users/1/delete").status_code == 404
    bob = app.test_client()
    bob.post("/login", data=BOB)
    for path in ("/account/users/1", f"/account/users/{bob_id}"):
        assert bob.get(path).status_code == 403
        assert bob.post(f"{path}/password", data={"new_password": "taken over"}).status_code == 403
        assert bob.post(f"{path}/delete").status_code == 403
    assert app.test_client().post("/login", data=ACCOUNT).status_code == 302


def test_deleting_an_account_takes_everything_of_it_and_nothing_else(
    app: Flask, logged_in: FlaskClient, bob_id: int
) -> None:
    soon = utcnow().date() + dt.timedelta(days=5)
    with app.app_context():
        admin, bob = db.session.get(User, 1), db.session.get(User, bob_id)
        assert admin is not None and bob is not None
        for user in (admin, bob):
            subscription = make_subscription(user, "Netflix", soon, category="Streaming")
            record_failed_reminder(user, subscription.id, "Connection refused.")
            server = {"server": "https://ntfy.example.test", "topic": "bills"}
            make_channel(user, "ntfy", "Phone", values=server)
        switch_on(bob, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 0)
        LoginSession.open(bob, "a browser of bob's", utcnow(), remember=True)
        ApiKey.make(bob.id)
        db.session.commit()
    confirm = logged_in.get(f"/account/users/{bob_id}/delete").get_data(as_text=True)
    assert "Delete bob?" in confirm
    assert "Their 1 subscription goes" in confirm and "1 push channel stops" in confirm
    assert logged_in.post(f"/account/users/{bob_id}/delete").status_code == 302
    with app.app_context():
        for table, column in ROWS_OF.items():
            owners = db.session.execute(text(f"SELECT {column} FROM {table}")).scalars().all()
            assert bob_id not in owners, table
        assert User.by_username("bob") is None
        kept = db.session.execute(text("SELECT count(*) FROM subscription")).scalar_one()
        assert kept == 1, "the administrator's subscription stays"
    assert app.test_client().post("/login", data=BOB).status_code == 422


@pytest.mark.parametrize(
    ("username", "password", "says"),
    [
        ("alice", "a new start", "New password set for alice."),
        ("alice", "short", "Use 8 to 512 characters."),
        ("nobody", "a new start", "There is no account called nobody."),
    ],
)
def test_the_command_line_sets_a_password_the_administrators_too(
    app: Flask, logged_in: FlaskClient, username: str, password: str, says: str
) -> None:
    result = app.test_cli_runner().invoke(
        args=["accounts", "set-password", username], input=f"{password}\n{password}\n"
    )
    assert says in result.output
    changed = result.exit_code == 0
    assert changed == (says.startswith("New password"))
    assert (logged_in.get("/account").status_code == 302) == changed, "sessions end on a change"
    assert (app.test_client().post("/login", data=ACCOUNT).status_code == 302) != changed


def test_the_list_shows_who_has_two_factor_and_when_each_was_last_here(
    app: Flask, logged_in: FlaskClient, bob_id: int
) -> None:
    def entry(name: str) -> str:
        page = logged_in.get("/account").get_data(as_text=True)
        found = re.search(rf"<li>(?:<a [^>]*>)?{name}(?:</a>)?(.*?)</li>", page, re.S)
        assert found is not None
        return found[1]

    assert "not logged in" in entry("bob") and "two-factor" not in entry("bob")
    assert "last used" in entry("alice")
    assert app.test_client().post("/login", data=BOB).status_code == 302
    with app.app_context():
        bob = db.session.get(User, bob_id)
        assert bob is not None
        switch_on(bob, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", 0)
        db.session.commit()
    assert "two-factor" in entry("bob")
    assert "not logged in" in entry("bob"), "turning it on ended bob's log-in"
