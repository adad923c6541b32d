"""The month calendar, and the private ICS feed parsed back as a calendar app would."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from models import utcnow
from tests.test_subscriptions_page import subscription_values

NEW = "/subscriptions/new"


def test_the_month_shows_each_payment_on_its_day(logged_in: FlaskClient) -> None:
    logged_in.post(
        NEW, data=subscription_values(name="Gym", cycle_unit="week", next_payment="2027-03-02")
    )
    page = logged_in.get("/calendar?month=2027-03").get_data(as_text=True)
    assert "March 2027" in page
    days = re.findall(
        r'<span class="day-number">(\d+)</span>\s*<span class="day-payment">Gym', page
    )
    assert days == ["2", "9", "16", "23", "30"]
    assert "month=2027-02" in page and "month=2027-04" in page
    assert logged_in.get("/calendar?month=99999-99").status_code == 200


@pytest.mark.parametrize(
    ("locale", "first_day", "first_column"),
    [("en", "Sun", 28), ("en_GB", "Mon", 1), ("de", "Mo", 1), ("zh_Hans", "周一", 1)],
)
def test_weeks_start_on_the_day_the_accounts_language_starts_them(
    logged_in: FlaskClient, locale: str, first_day: str, first_column: int
) -> None:
    logged_in.post(
        "/account", data={"email": "alice@example.test", "currency": "EUR", "locale": locale}
    )
    page = logged_in.get("/calendar?month=2027-03").get_data(as_text=True)
    header = re.findall(r'<th scope="col">([^<]+)</th>', page)
    assert len(header) == 7 and header[0] == first_day
    # March 2027 begins on a Monday: a Sunday-first grid opens on February 28.
    first_number = re.search(r'<span class="day-number">(\d+)</span>', page)
    assert first_number is not None and int(first_number[1]) == first_column


def test_the_feed_is_valid_ics_with_alarms_and_its_token_can_be_revoked(
    app: Flask, logged_in: FlaskClient
) -> None:
    soon = utcnow().date() + dt.timedelta(days=10)
    logged_in.post(
        NEW, data=subscription_values(next_payment=soon.isoformat(), reminder_offsets="7, 1")
    )
    logged_in.post(
        NEW, data=subscription_values(name="Old", next_payment=soon.isoformat(), active=None)
    )
    logged_in.post("/calendar/feed")
    page = logged_in.get("/calendar").get_data(as_text=True)
    url = re.search(r'id="feed-url" readonly value="([^"]+)"', page)
    assert url
    path = url[1].removeprefix(str(app.config["BASE_URL"]).rstrip("/"))

    anonymous = app.test_client()  # a calendar app: no session
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 12 or len(events) == 13  # a year of months from this one
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart") == soon
    assert str(first["summary"]) == "Netflix: €12.99"
    triggers = sorted(alarm.decoded("trigger") for alarm in first.walk("VALARM"))
    assert triggers == [dt.timedelta(days=-7), dt.timedelta(days=-1)]
    assert "Old" not in response.get_data(as_text=True), "inactive ones are left out"

    logged_in.post("/calendar/feed")
    assert anonymous.get(path).status_code == 404, "the old address is revoked"
    assert anonymous.get("/calendar/feed/guess.ics").status_code == 404
    assert anonymous.get("/calendar").status_code == 302, "the page itself needs a log-in"
