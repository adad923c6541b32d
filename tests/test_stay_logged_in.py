"""'Stay logged in': a 30-day cookie that ends with the account's sessions, and only if asked."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ACCOUNT
from tests.oauth_server import Clock
from tests.test_two_factor import CODE, turn_on

REMEMBER = "remember_token"


def only_the_remember_cookie(app: Flask, client: FlaskClient) -> FlaskClient:
    """A browser reopened: the session cookie is gone, the remember cookie is not."""
    cookie = client.get_cookie(REMEMBER)
    assert cookie is not None
    reopened = app.test_client()
    reopened.set_cookie(REMEMBER, cookie.value)
    return reopened


def test_the_box_keeps_the_device_logged_in_for_30_days(app: Flask, client: FlaskClient) -> None:
    client.post("/setup", data=ACCOUNT)
    client.post("/logout")
    response = client.post("/login", data={**ACCOUNT, "remember": "y"})
    assert response.status_code == 302
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(REMEMBER))
    assert "HttpOnly" in header and "SameSite=Lax" in header
    assert "Max-Age=2592000" in header or "Expires=" in header
    assert only_the_remember_cookie(app, client).get("/account").status_code == 200


def test_without_the_box_there_is_no_such_cookie(app: Flask, logged_in: FlaskClient) -> None:
    logged_in.post("/logout")
    logged_in.post("/login", data=ACCOUNT)
    assert logged_in.get_cookie(REMEMBER) is None


@pytest.mark.parametrize("ending", ["log out every other session", "password change"])
def test_it_ends_with_the_accounts_sessions(app: Flask, client: FlaskClient, ending: str) -> None:
    client.post("/setup", data=ACCOUNT)
    client.post("/logout")
    client.post("/login", data={**ACCOUNT, "remember": "y"})
    phone = only_the_remember_cookie(app, client)
    if ending == "password change":
        values = {"current_password": ACCOUNT["password"], "new_password": "a new passphrase"}
        assert client.post("/account/password", data=values).status_code == 302
    else:
        assert client.post("/account/sessions").status_code == 302
    assert phone.get("/account").status_code == 302


def test_with_two_factor_the_box_counts_once_the_code_is_right(
    app: Flask, logged_in: FlaskClient, clock: Clock
) -> None:
    app_on_phone, _ = turn_on(logged_in, clock)
    logged_in.post("/logout")
    assert logged_in.post("/login", data={**ACCOUNT, "remember": "y"}).status_code == 302
    assert logged_in.get_cookie(REMEMBER) is None, "not before the code"
    assert logged_in.post(CODE, data={"code": app_on_phone.at(clock.now())}).status_code == 302
    assert only_the_remember_cookie(app, logged_in).get("/account").status_code == 200
