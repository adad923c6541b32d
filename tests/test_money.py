"""Totals in one currency: conversion, stale and missing rates, the ECB feed served locally."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from decimal import Decimal
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from exchange.ecb import FeedUnavailable, parse
from exchange.refresh import refresh_rates
from models import ExchangeRate, db, total_in
from tests.factories import make_account, make_subscription
from tests.test_subscriptions_page import subscription_values

DATA = Path(__file__).resolve().parent / "data"
TODAY = dt.date(2026, 12, 2)


def rate(currency: str, per_main: str, as_of: dt.date = TODAY) -> ExchangeRate:
    return ExchangeRate(currency=currency, per_main=Decimal(per_main), as_of=as_of)


def test_amounts_are_converted_and_what_cannot_be_is_named() -> None:
    rates = {"USD": rate("USD", "1.25"), "GBP": rate("GBP", "0.85", TODAY - dt.timedelta(days=8))}
    amounts = [
        (Decimal("10"), "EUR"),
        (Decimal("12.50"), "USD"),
        (Decimal("8.50"), "GBP"),
        (Decimal("1000"), "JPY"),
    ]
    total = total_in("EUR", amounts, rates, TODAY)
    assert total.amount == Decimal("30.00")  # 10 + 10 + 10; JPY has no rate
    assert total.missing == {"JPY"} and total.stale == {"GBP"}
    assert not total.complete


def test_the_feed_is_read_and_crossed_through_the_euro() -> None:
    feed = parse((DATA / "eurofxref-daily.xml").read_bytes())
    assert feed.day == dt.date(2026, 11, 30)
    assert feed.per("EUR", "USD") == Decimal("1.0850")
    assert feed.per("USD", "EUR") == Decimal(1) / Decimal("1.0850")
    assert feed.per("GBP", "JPY") == Decimal("162.35") / Decimal("0.8420")
    assert feed.per("EUR", "XYZ") is None
    with pytest.raises(FeedUnavailable):
        parse(b"<html>not a feed</html>")


@pytest.fixture
def feed_url() -> Iterator[str]:
    """The recorded feed, served over HTTP on loopback as the ECB serves it."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(DATA))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/eurofxref-daily.xml"
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_daily_refresh_sets_ecb_rates_and_keeps_typed_ones(app: Flask, feed_url: str) -> None:
    app.config.update(RATES_FETCH="on", RATES_URL=feed_url)
    with app.app_context():
        user = make_account("alice", port=25)
        for name, currency in (("A", "USD"), ("B", "JPY"), ("C", "GBP"), ("D", "EUR")):
            make_subscription(user, name, dt.date(2026, 12, 10), currency=currency)
        ExchangeRate.put(user.id, "GBP", Decimal("0.9"), TODAY, "manual")
        db.session.commit()
        assert refresh_rates() == 2
        rates = ExchangeRate.for_user(user.id)
        assert rates["USD"].per_main == Decimal("1.0850") and rates["USD"].source == "ecb"
        assert rates["JPY"].as_of == dt.date(2026, 11, 30)
        assert rates["GBP"].per_main == Decimal("0.9") and rates["GBP"].source == "manual"


def test_without_the_feed_the_rates_in_hand_stay(app: Flask) -> None:
    app.config.update(RATES_FETCH="on", RATES_URL="http://127.0.0.1:9/nothing-listens-here")
    with app.app_context():
        user = make_account("alice", port=25)
        ExchangeRate.put(user.id, "USD", Decimal("1.1"), TODAY, "ecb")
        db.session.commit()
        assert refresh_rates() == 0
        assert ExchangeRate.for_user(user.id)["USD"].per_main == Decimal("1.1")


@pytest.mark.parametrize("typed", ["0", "-1", "sNaN", "1e999", "abc", "1,5"])
def test_a_bad_rate_is_a_field_error_and_nothing_is_saved(
    app: Flask, logged_in: FlaskClient, typed: str
) -> None:
    logged_in.post("/subscriptions/new", data=subscription_values(price="10", currency="USD"))
    response = logged_in.post("/money", data={"rate-USD": typed, "monthly_budget": "50"})
    assert response.status_code == 422
    assert "Enter a number above 0" in response.get_data(as_text=True)
    with app.app_context():
        assert ExchangeRate.for_user(1) == {}


def test_amounts_are_written_as_the_accounts_locale_writes_them(
    logged_in: FlaskClient,
) -> None:
    for name, price, currency in (("Anime", "1234.50", "JPY"), ("Music", "12.99", "EUR")):
        values = subscription_values(name=name, price=price, currency=currency)
        logged_in.post("/subscriptions/new", data=values)
    english = logged_in.get("/subscriptions").get_data(as_text=True)
    assert "€12.99" in english and "¥1,234" in english  # JPY has no decimals
    logged_in.post(
        "/account", data={"email": "alice@example.test", "currency": "EUR", "locale": "de"}
    )
    german = logged_in.get("/subscriptions").get_data(as_text=True)
    assert "12,99\xa0€" in german and "1.234\xa0¥" in german
