"""The inputs that once ended in a 500: each is now a field error, and nothing is saved."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from models import Subscription, User, db
from tests.factories import make_subscription
from tests.test_settings_page import PAGE, form_values
from tests.test_subscriptions_page import subscription_values

DATE_ERROR = "Enter a date between 1900 and 2200."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"next_payment": "0001-01-01", "reminder_offsets": "1"}, "next_payment", DATE_ERROR),
        ({"cancellation_date": "0001-01-01"}, "cancellation_date", DATE_ERROR),
        (
            {
                "start_date": "0001-01-01",
                "next_payment": "9999-12-31",
                "cycle_every": "365",
                "cycle_unit": "month",
            },
            "start_date",
            DATE_ERROR,
        ),
        (
            {
                "start_date": "0001-01-01",
                "next_payment": "9999-12-31",
                "cycle_every": "365",
                "cycle_unit": "year",
            },
            "next_payment",
            DATE_ERROR,
        ),
        ({"price": "sNaN"}, "price", "Enter the price as a number"),
        ({"price": "NaN"}, "price", "Enter the price as a number"),
        ({"price": "-Infinity"}, "price", "Enter the price as a number"),
        ({"price": "1E+999999"}, "price", "Enter the price as a number"),
    ],
)
def test_an_out_of_range_subscription_is_a_field_error(
    app: Flask, logged_in: FlaskClient, overrides: dict[str, Any], field: str, message: str
) -> None:
    response = logged_in.post("/subscriptions/new", data=subscription_values(**overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">{message}' in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_changing_the_default_days_with_a_subscription_near_year_one(
    app: Flask, logged_in: FlaskClient
) -> None:
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user is not None
        # Saved before dates were bounded at input.
        make_subscription(user, "Ancient", dt.date(1, 1, 5))
    response = logged_in.post(PAGE, data=form_values(default_offsets="30, 7"))
    assert response.status_code == 302
    with app.app_context():
        ancient = db.session.scalar(select(Subscription))
        assert ancient is not None and ancient.remind_from == dt.date.min


@pytest.mark.parametrize("value", ["none:²", "none:" + "9" * 5000, "tls:0", "tls:70000", "x:25"])
def test_copying_detected_settings_refuses_what_was_not_offered(
    logged_in: FlaskClient, value: str
) -> None:
    response = logged_in.post(f"{PAGE}/use", data=form_values(use_detected=value))
    assert response.status_code == 422
    assert "Nothing to copy." in response.get_data(as_text=True)


@pytest.mark.parametrize("number", [2**63, 10**30])
def test_an_id_beyond_any_database_row_is_not_found(
    app: Flask, logged_in: FlaskClient, number: int
) -> None:
    """SQLite cannot even bind such a number: it was an OverflowError, a 500."""
    numbered = [rule for rule in app.url_map.iter_rules() if "_id>" in rule.rule]
    assert len(numbered) >= 9
    for rule in numbered:
        url = re.sub(r"<[^>]*_id>", str(number), rule.rule.replace("<kind_name>", "categories"))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = logged_in.open(url, method=method)
            # Werkzeug's router answers some POSTs whose id does not convert with a 405.
            assert response.status_code in (404, 405), (method, url)


@pytest.mark.parametrize("path", ["/subscriptions/new", "/settings/notifications", "/login"])
def test_a_json_body_is_refused_not_read_as_a_form(logged_in: FlaskClient, path: str) -> None:
    """Flask-WTF reads a JSON body as form data, values of any type: a number was a 500."""
    response = logged_in.post(path, json={"name": 1, "host": ["x"], "username": None})
    assert response.status_code == 415
    assert "Dues takes forms" in response.get_data(as_text=True)
