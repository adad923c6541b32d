"""One log-in per device: each logs out on its own, is listed, and can be ended from another."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ACCOUNT
from tests.oauth_server import Clock
from views.account import device_name

PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36"
)
LAPTOP = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def device(app: Flask, user_agent: str, remember: bool = False) -> FlaskClient:
    """A browser of its own, logged in as the first account."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    data = {**ACCOUNT, "remember": "y"} if remember else ACCOUNT
    assert client.post("/login", data=data).status_code == 302
    return client


def test_logging_out_one_device_keeps_the_others(app: Flask, logged_in: FlaskClient) -> None:
    phone = device(app, PHONE, remember=True)
    laptop = device(app, LAPTOP)
    assert laptop.post("/logout").status_code == 302
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 200
    assert logged_in.get("/account").status_code == 200


def test_the_account_page_lists_the_devices_and_ends_one(
    app: Flask, logged_in: FlaskClient
) -> None:
    phone = device(app, PHONE)
    laptop = device(app, LAPTOP)
    page = laptop.get("/account").get_data(as_text=True)
    listed = re.search(r'<ul class="plain-list" id="sessions">(.*?)</ul>', page, re.S)
    assert listed is not None
    assert "Chrome on Android" in listed[1] and "Firefox on Linux" in listed[1]
    assert listed[1].count("this device") == 1
    ends = re.findall(r'action="/account/sessions/(\d+)/end"', listed[1])
    assert len(ends) == 2, "every log-in but this one can be ended"
    for number in ends:
        laptop.post(f"/account/sessions/{number}/end")
    assert phone.get("/account").status_code == 302
    assert logged_in.get("/account").status_code == 302
    assert laptop.get("/account").status_code == 200


def test_an_account_cannot_end_another_accounts_log_in(app: Flask, logged_in: FlaskClient) -> None:
    logged_in.post(
        "/account/users",
        data={"new-username": "bob", "new-email": "b@example.test", "new-password": "bob secret"},
    )
    bob = app.test_client()
    bob.post("/login", data={"username": "bob", "password": "bob secret"})
    for number in range(1, 5):
        bob.post(f"/account/sessions/{number}/end")
    assert logged_in.get("/account").status_code == 200


def test_a_log_in_unused_for_30_days_is_over(
    app: Flask, logged_in: FlaskClient, clock: Clock
) -> None:
    phone = device(app, PHONE, remember=True)
    clock.advance(29 * 86400)
    assert phone.get("/account").status_code == 200, "used now: 30 more days"
    clock.advance(29 * 86400)
    assert phone.get("/account").status_code == 200
    clock.advance(31 * 86400)
    assert phone.get("/account").status_code == 302
    assert logged_in.get("/account").status_code == 302


def test_a_new_password_keeps_this_device_and_its_stay_logged_in(
    app: Flask, client: FlaskClient
) -> None:
    client.post("/setup", data=ACCOUNT)
    client.post("/logout")
    laptop = device(app, LAPTOP, remember=True)
    old = laptop.get_cookie("remember_token")
    assert old is not None
    values = {"current_password": ACCOUNT["password"], "new_password": "a new passphrase"}
    assert laptop.post("/account/password", data=values).status_code == 302
    new = laptop.get_cookie("remember_token")
    assert new is not None and new.value != old.value, "a new log-in, still remembered"
    copy = app.test_client()
    copy.set_cookie("remember_token", old.value)
    assert copy.get("/account").status_code == 302, "the old cookie's copy ended"


@pytest.mark.parametrize(
    ("user_agent", "named"),
    [
        (PHONE, "Chrome on Android"),
        (LAPTOP, "Firefox on Linux"),
        ("Mozilla/5.0 (Windows NT 10.0) Chrome/131.0 Safari/537.36 Edg/131.0", "Edge on Windows"),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1", "Safari on iPhone"),
        ("curl/8.5.0", "An unknown browser"),
        ("", "An unknown browser"),
    ],
)
def test_a_device_is_named_as_a_person_names_it(app: Flask, user_agent: str, named: str) -> None:
    with app.test_request_context():
        assert device_name(user_agent) == named
