"""Subscription pages, the notification log and the sample reminder, via the test client."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from models import Subscription, db
from reminders import run_reminders
from tests.conftest import SmtpLab, posted
from tests.test_settings_page import form_values, result_panel

NEW = "/subscriptions/new"


def subscription_values(**overrides: Any) -> dict[str, Any]:
    values = {
        "name": "Netflix",
        "price": "12.99",
        "currency": "eur",
        "cycle_every": "1",
        "cycle_unit": "month",
        "next_payment": "2026-12-10",
        "start_date": "",
        "auto_renew": "y",
        "active": "y",
        "notify": "y",
        "reminder_offsets": "7, 1",
        "url": "https://www.netflix.com",
        "notes": "",
        "cancellation_date": "",
    }
    return posted(values, overrides)


def count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Subscription)) or 0)


def test_adding_lists_the_subscription_with_its_monthly_cost(
    app: Flask, logged_in: FlaskClient
) -> None:
    response = logged_in.post(NEW, data=subscription_values())
    assert response.status_code == 302
    logged_in.post(
        NEW, data=subscription_values(name="Domain", price="120", cycle_unit="year", currency="EUR")
    )
    page = logged_in.get("/subscriptions").get_data(as_text=True)
    assert page.index("Netflix") < page.index("Domain"), "next payment first"
    assert "€12.99" in page and "€10.00" in page
    assert "Per month:" in page and "<strong>€22.99</strong>" in page
    with app.app_context():
        netflix = db.session.scalar(select(Subscription).where(Subscription.name == "Netflix"))
        assert netflix is not None
        assert (netflix.currency, netflix.reminder_offsets) == ("EUR", "7, 1")
        assert netflix.remind_from == dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter a name."),
        ("name", "Net\r\nBcc: x@example.test", "Line breaks and control characters"),
        ("price", "-1", "Enter a price from 0 up to 1,000,000,000."),
        ("price", "twelve", "Not a valid decimal value."),
        ("currency", "euro", "Enter a three-letter currency code"),
        ("next_payment", "", "Enter the next payment date."),
        ("next_payment", "2026-02-30", "Not a valid date value."),
        ("reminder_offsets", "7, tomorrow", "Enter whole days from 0 to 365"),
        ("cycle_unit", "fortnight", "Not a valid choice."),
        ("url", "javascript:alert(1)", "Enter a web address."),
    ],
)
def test_a_bad_value_is_a_field_error_and_nothing_is_saved(
    app: Flask, logged_in: FlaskClient, field: str, value: str, message: str
) -> None:
    response = logged_in.post(NEW, data=subscription_values(**{field: value}))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1)
    assert count(app) == 0


def test_editing_and_deleting_with_confirmation(app: Flask, logged_in: FlaskClient) -> None:
    logged_in.post(NEW, data=subscription_values())
    with app.app_context():
        subscription_id = db.session.scalar(select(Subscription.id))
    edit = f"/subscriptions/{subscription_id}/edit"
    assert 'value="Netflix"' in logged_in.get(edit).get_data(as_text=True)
    logged_in.post(edit, data=subscription_values(price="15.49"))
    assert "€15.49" in logged_in.get("/subscriptions").get_data(as_text=True)
    delete = f"/subscriptions/{subscription_id}/delete"
    assert "Delete Netflix?" in logged_in.get(delete).get_data(as_text=True)
    assert count(app) == 1
    assert logged_in.post(delete).status_code == 302
    assert count(app) == 0


def test_another_account_cannot_see_or_change_a_subscription(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post(NEW, data=subscription_values())
    with app.app_context():
        from models import User

        other = User(username="mallory", email="mallory@example.test")
        other.set_password("password123")
        db.session.add(other)
        db.session.commit()
        subscription_id = db.session.scalar(select(Subscription.id))
    logged_in.post("/logout")
    logged_in.post("/login", data={"username": "mallory", "password": "password123"})
    assert "Netflix" not in logged_in.get("/subscriptions").get_data(as_text=True)
    for url in (
        f"/subscriptions/{subscription_id}/edit",
        f"/subscriptions/{subscription_id}/delete",
    ):
        assert logged_in.get(url).status_code == 404
        assert logged_in.post(url, data=subscription_values(name="Hacked")).status_code == 404
    assert count(app) == 1


def test_the_log_shows_what_was_sent_and_why_something_failed(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    logged_in.post(
        "/settings/notifications", data=form_values(port=str(server.port), timezone="UTC")
    )
    logged_in.post(NEW, data=subscription_values(reminder_offsets="1"))
    logged_in.post(NEW, data=subscription_values(name="Gym", next_payment="2026-12-11"))
    with app.app_context():
        run_reminders(dt.datetime(2026, 12, 9, 9, 0, tzinfo=dt.UTC))
    assert len(server.received) == 1
    page = logged_in.get("/log").get_data(as_text=True)
    assert "Netflix" in page and "status-sent" in page
    assert "to alice@example.test, bob@example.test, carol@example.test" in page


def test_a_sample_reminder_uses_the_real_email_with_the_next_payments(
    logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    response = logged_in.post(
        "/settings/notifications/sample", data=form_values(port=str(server.port))
    )
    panel = result_panel(response.get_data(as_text=True))
    assert panel.startswith("Sample reminder sent to alice@example.test")
    [sample] = server.received
    assert sample.rcpt_tos == ["alice@example.test"]
    assert sample.message["Subject"].startswith("2 payments coming up — first: Streaming service")
    logged_in.post(NEW, data=subscription_values(next_payment="2099-01-01"))
    logged_in.post("/settings/notifications/sample", data=form_values(port=str(server.port)))
    assert "Netflix renews in" in server.received[1].message["Subject"]
