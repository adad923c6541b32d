"""Where the money goes: charges month by month, conversion, and the statistics page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient

from models import Category, ExchangeRate, HouseholdMember, Subscription, db, shift_month, utcnow
from spending import months_ahead, spending

D = dt.date


def sub(name: str, price: str, unit: str = "month", **fields: object) -> Subscription:
    fields.setdefault("billing_anchor", fields.get("next_payment", D(2027, 1, 31)))
    fields.setdefault("next_payment", D(2027, 1, 31))
    return Subscription(
        name=name,
        price=Decimal(price),
        currency=fields.pop("currency", "EUR"),
        cycle_every=fields.pop("cycle_every", 1),
        cycle_unit=unit,
        auto_renew=fields.pop("auto_renew", True),
        active=fields.pop("active", True),
        **fields,
    )


def test_charges_follow_the_cycle_back_and_ahead_and_keep_the_31st() -> None:
    monthly = sub("Gym", "10", next_payment=D(2027, 1, 31))
    assert monthly.charges_between(D(2026, 11, 1), D(2027, 3, 31)) == [
        D(2026, 11, 30), D(2026, 12, 31), D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31)
    ]  # fmt: skip


def test_no_charge_before_the_start_or_after_the_cancellation() -> None:
    bounded = sub(
        "Trial", "5", start_date=D(2026, 12, 31), cancellation_date=D(2027, 2, 27),
        next_payment=D(2027, 1, 31),
    )  # fmt: skip
    assert bounded.charges_between(D(2026, 1, 1), D(2027, 12, 31)) == [
        D(2026, 12, 31),
        D(2027, 1, 31),
    ]
    once = sub("Once", "99", auto_renew=False, next_payment=D(2027, 5, 1))
    assert once.charges_between(D(2027, 1, 1), D(2027, 12, 31)) == [D(2027, 5, 1)]
    far = sub("Yearly", "120", unit="year", next_payment=D(2190, 6, 1))
    assert far.charges_between(D(2026, 1, 1), D(2027, 12, 31)) == [D(2026, 6, 1), D(2027, 6, 1)]


def test_figures_are_in_one_currency_and_name_what_has_no_rate() -> None:
    video, me = Category(name="Video"), None
    bob = HouseholdMember(name="Bob")
    subscriptions = [
        sub("Netflix", "15", category=video, payer=bob),
        sub("Disney", "12.50", category=video, currency="USD"),
        sub("Cloud", "36", unit="year", payer=me),
        sub("Anime", "1000", currency="JPY"),
        sub("Old", "50", active=False),
    ]
    rates = {"USD": ExchangeRate(currency="USD", per_main=Decimal("1.25"), as_of=D(2026, 12, 1))}
    figures = spending(subscriptions, "EUR", rates, D(2026, 12, 2))
    assert figures.by_category == [("Video", Decimal("25.00")), ("No category", Decimal("3.00"))]
    assert figures.by_payer == [("Bob", Decimal("15.00")), ("Me", Decimal("13.00"))]
    assert [name for name, _ in figures.dearest] == ["Netflix", "Disney", "Cloud"]
    assert figures.missing == {"JPY"}
    assert len(figures.months) == 24 and figures.months[0] == D(2025, 12, 1)
    january = figures.months.index(D(2027, 1, 1))
    assert figures.month_values[january] == [Decimal("25.00"), Decimal("36.00")]
    assert figures.month_values[january + 1] == [Decimal("25.00"), Decimal("0.00")]
    assert figures.month_values[figures.months.index(D(2026, 1, 1))][1] == Decimal("36.00")


def test_the_dashboard_months_ahead_are_the_statistics_months_summed() -> None:
    video = Category(name="Video")
    subscriptions = [
        sub("Netflix", "15", category=video),
        sub("Disney", "12.50", category=video, currency="USD"),
        sub("Cloud", "36", unit="year"),
        sub("Weekly", "2", unit="week"),
        sub("Anime", "1000", currency="JPY"),
        sub("Old", "50", active=False),
    ]
    rates = {"USD": ExchangeRate(currency="USD", per_main=Decimal("1.25"), as_of=D(2026, 12, 1))}
    today = D(2026, 12, 2)
    figures = spending(subscriptions, "EUR", rates, today)
    summed = [
        (month, sum(row, Decimal(0)))
        for month, row in zip(figures.months[12:], figures.month_values[12:], strict=True)
    ]
    ahead = months_ahead(subscriptions, "EUR", rates, today)
    assert ahead == summed
    assert ahead[0][0] == D(2026, 12, 1) and len(ahead) == 12
    assert ahead[1][1] > 0


def test_the_statistics_page_draws_charts_with_tables_beside(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post("/lists/categories", data={"categories-name": "Video"})
    logged_in.post(
        "/subscriptions/new",
        data={
            "name": "Netflix", "price": "15", "currency": "EUR", "cycle_every": "1",
            "cycle_unit": "month", "next_payment": "2027-01-10", "active": "y", "category_id": "1",
        },
    )  # fmt: skip
    page = logged_in.get("/statistics").get_data(as_text=True)
    assert page.count('<svg class="chart"') == 4
    assert 'aria-label="Monthly cost by category"' in page
    assert "<script" not in page.split("<main")[1] and "style=" not in page
    assert '<th scope="row">Video</th><td class="num">€15.00</td>' in page


def test_a_price_change_counts_from_its_day_and_the_old_price_before(
    app: Flask, logged_in: FlaskClient
) -> None:
    values = {
        "name": "Music", "price": "10", "currency": "EUR", "cycle_every": "1",
        "cycle_unit": "month", "next_payment": "2026-12-20", "active": "y", "auto_renew": "y",
    }  # fmt: skip
    logged_in.post("/subscriptions/new", data=values)
    logged_in.post("/subscriptions/1/edit", data={**values, "price": "12"})
    with app.app_context():
        music = db.session.get(Subscription, 1)
        assert music is not None
        today = utcnow().date()
        assert music.price_on(today - dt.timedelta(days=40)) == Decimal("10.00")
        assert music.price_on(today) == Decimal("12.00")
        figures = spending([music], "EUR", {}, today)
    earlier = figures.months.index(shift_month(today.replace(day=1), -2))
    later = figures.months.index(shift_month(today.replace(day=1), 1))
    assert figures.month_values[earlier] == [Decimal("10.00")]
    assert figures.month_values[later] == [Decimal("12.00")]
