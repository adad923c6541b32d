"""The dashboard and the account page, through the test client."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from flask.testing import FlaskClient

from models import User, db, utcnow
from tests.conftest import ACCOUNT
from tests.factories import record_failed_reminder
from tests.test_subscriptions_page import NEW, subscription_values


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dashboard_shows_the_next_30_days_and_totals_in_the_main_currency(
    logged_in: FlaskClient,
) -> None:
    today = utcnow().date()
    soon = today + dt.timedelta(days=3)
    logged_in.post("/lists/categories", data={"categories-name": "Streaming"})
    logged_in.post(NEW, data=subscription_values(next_payment=soon.isoformat(), category_id="1"))
    logged_in.post(
        NEW,
        data=subscription_values(
            name="Gym", price="10", currency="USD", cycle_unit="week", next_payment=soon.isoformat()
        ),
    )
    logged_in.post(
        NEW,
        data=subscription_values(
            name="Domain",
            price="120",
            cycle_unit="year",
            next_payment=(today + dt.timedelta(days=200)).isoformat(),
        ),
    )
    html = logged_in.get("/").get_data(as_text=True)
    upcoming = text_of(html.split('id="upcoming-heading"')[1])
    assert upcoming.count("Gym") == 4, "a weekly payment shows each week: +3, +10, +17, +24"
    assert upcoming.count("Netflix") == 1 and "Domain" not in upcoming
    assert "in 3 days N Netflix Streaming €12.99" in upcoming, "with its initials tile"
    page = text_of(html)
    # No USD rate yet: the USD amounts are named, not silently left out.
    assert "Per month €22.99 €275.88 a year" in page
    assert "Not in the totals: amounts in USD, which has no exchange rate to EUR." in page

    logged_in.post("/money", data={"rate-USD": "1.25", "monthly_budget": "40"})
    page = text_of(logged_in.get("/").get_data(as_text=True))
    assert "Not in the totals" not in page
    # 10 USD a week is 43.48 USD a month, 34.78 EUR at 1.25; four payments are 32.00 EUR.
    assert "Per month €57.77 €693.24 a year" in page
    assert "Next 30 days €44.99 5 payments" in page
    assert "Monthly budget €40.00 The next 30 days exceed it." in page
    assert "Next 12 months Figures" in page and page.count(" 20") >= 12
    assert "Email reminders are off." in page


def test_the_dashboard_warns_when_the_last_reminder_failed(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post(NEW, data=subscription_values())
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user is not None
        record_failed_reminder(user, None, "Connection refused by mail.example.test port 25.")
    page = text_of(logged_in.get("/").get_data(as_text=True))
    assert "The last reminder was not sent: Netflix — Connection refused" in page


def test_account_details_and_password(logged_in: FlaskClient) -> None:
    bad = logged_in.post("/account", data={"email": "nope", "currency": "euro"})
    assert bad.status_code == 422
    assert (
        logged_in.post(
            "/account", data={"email": "new@example.test", "currency": "usd"}
        ).status_code
        == 302
    )
    page = logged_in.get("/account").get_data(as_text=True)
    assert 'value="new@example.test"' in page and 'value="USD"' in page
    wrong = logged_in.post(
        "/account/password", data={"current_password": "nope", "new_password": "another one"}
    )
    assert "That is not your current password." in wrong.get_data(as_text=True)
    logged_in.post(
        "/account/password",
        data={"current_password": ACCOUNT["password"], "new_password": "another one"},
    )
    logged_in.post("/logout")
    assert (
        logged_in.post("/login", data={"username": "alice", "password": "another one"}).status_code
        == 302
    )


def test_only_the_admin_adds_accounts(logged_in: FlaskClient) -> None:
    new = {"new-username": "bob", "new-email": "bob@example.test", "new-password": "bob's secret"}
    assert logged_in.post("/account/users", data=new).status_code == 302
    again = logged_in.post("/account/users", data=new)
    assert "That username is taken." in again.get_data(as_text=True)
    logged_in.post("/logout")
    logged_in.post("/login", data={"username": "bob", "password": "bob's secret"})
    page = logged_in.get("/account").get_data(as_text=True)
    assert "Add an account" not in page
    other = {"new-username": "eve", "new-email": "eve@example.test", "new-password": "eve's secret"}
    assert logged_in.post("/account/users", data=other).status_code == 403


def test_a_wrong_network_is_refused_in_the_accounts_language(logged_in: FlaskClient) -> None:
    logged_in.post(
        "/account", data={"email": "alice@example.test", "currency": "EUR", "locale": "de"}
    )
    refused = logged_in.post("/account/networks", data={"allowed_networks": "10.0.0.0/33"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "ist kein Netz und keine Adresse" in page
    assert "Netze wie 192.168.1.0/24" in page
    assert "write networks such as" not in page


def test_an_empty_account_points_a_wallos_user_to_the_import(logged_in: FlaskClient) -> None:
    invitation = "Coming from Wallos? Bring everything over in one step."
    for page in ("/", "/subscriptions"):
        text = logged_in.get(page).get_data(as_text=True)
        assert invitation in text and 'href="/account/data"' in text, page
    logged_in.post(NEW, data=subscription_values())
    assert invitation not in logged_in.get("/").get_data(as_text=True)
    assert invitation not in logged_in.get("/subscriptions").get_data(as_text=True)
