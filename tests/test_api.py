"""The read-only API: the dashboard's figures for a key, nothing without one, the key secret."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from models import User, db, utcnow
from tests.factories import make_subscription

SUMMARY = "/api/v1/summary"


def make_key(client: FlaskClient) -> str:
    """A key made on the account page, as it is shown there once."""
    page = client.post("/account/api-key")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    found = re.search(r'<code id="api-key">([^<]+)</code>', page.get_data(as_text=True))
    assert found is not None
    return found[1]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_the_key_reads_the_dashboards_figures(app: Flask, logged_in: FlaskClient) -> None:
    soon = utcnow().date() + dt.timedelta(days=3)
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user is not None
        make_subscription(user, "Netflix", soon, price="12.99")
        make_subscription(user, "Cloud", soon + dt.timedelta(days=60), price="2.50")
    key = make_key(logged_in)
    outsider = app.test_client()  # no session: a dashboard on another machine
    answer = outsider.get(SUMMARY, headers=bearer(key))
    assert answer.status_code == 200
    assert answer.json == {
        "currency": "EUR",
        "active_subscriptions": 2,
        "monthly_cost": "15.49",
        "yearly_cost": "185.88",
        "next_30_days": "12.99",
        "monthly_budget": None,
        "currencies_without_rate": [],
        "upcoming": [
            {"name": "Netflix", "date": soon.isoformat(), "price": "12.99", "currency": "EUR"}
        ],
    }


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer dues_wrong"},
        {"Authorization": "Basic ZHVlczp4"},
        {"Authorization": "Bearer " + "x" * 5000},
    ],
)
def test_without_the_key_nothing_is_told(
    app: Flask, logged_in: FlaskClient, headers: dict[str, str]
) -> None:
    make_key(logged_in)
    answer = app.test_client().get(SUMMARY, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(answer.json or {}) == {"error"}


def test_a_session_is_not_a_key(logged_in: FlaskClient) -> None:
    assert logged_in.get(SUMMARY).status_code == 401


def test_a_new_key_or_revoking_ends_the_old_one(app: Flask, logged_in: FlaskClient) -> None:
    first = make_key(logged_in)
    second = make_key(logged_in)
    outsider = app.test_client()
    assert outsider.get(SUMMARY, headers=bearer(first)).status_code == 401
    assert outsider.get(SUMMARY, headers=bearer(second)).status_code == 200
    assert "A key made" in logged_in.get("/account").get_data(as_text=True)
    assert logged_in.post("/account/api-key/revoke").status_code == 302
    assert outsider.get(SUMMARY, headers=bearer(second)).status_code == 401


def test_guessing_keys_is_limited_per_address(app: Flask, logged_in: FlaskClient) -> None:
    key = make_key(logged_in)
    guesser = app.test_client()
    statuses = [
        guesser.get(SUMMARY, headers=bearer(f"dues_guess{n}")).status_code for n in range(40)
    ]
    assert statuses[0] == 401 and statuses[-1] == 429
    other_address = app.test_client()
    answer = other_address.get(
        SUMMARY, headers=bearer(key), environ_base={"REMOTE_ADDR": "127.0.0.2"}
    )
    assert answer.status_code == 200


def test_the_key_is_kept_as_a_digest_and_never_logged(
    app: Flask, logged_in: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = make_key(logged_in)
    app.test_client().get(SUMMARY, headers=bearer(key))
    with app.app_context():
        stored = repr(db.session.execute(text("SELECT * FROM api_key")).all())
    assert key not in stored and key[5:] not in stored
    assert key not in caplog.text
    assert key not in logged_in.get("/account").get_data(as_text=True)
