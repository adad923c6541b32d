"""Dates, amounts, numbers and relative days as each offered locale writes them (Babel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask

from localization import day, force_locale, money, month, per_cycle, relative_days

DATE = dt.date(2026, 12, 3)
CASES = {
    # locale: (12.99 EUR, 1234 JPY, medium date, long date, in 3 days, 3 months)
    "en": ("€12.99", "¥1,234", "Dec 3, 2026", "December 3, 2026", "in 3 days", "3 months"),
    "en_GB": ("€12.99", "JP¥1,234", "3 Dec 2026", "3 December 2026", "in 3 days", "3 months"),
    "de": ("12,99\xa0€", "1.234\xa0¥", "03.12.2026", "3. Dezember 2026", "in 3 Tagen", "3 Monate"),
    "es": (
        "12,99\xa0€",
        "1.234\xa0JPY",
        "3 dic 2026",
        "3 de diciembre de 2026",
        "dentro de 3 días",
        "3 meses",
    ),
    "fr": (
        "12,99\xa0€",
        "1\u202f234\xa0JPY",
        "3 déc. 2026",
        "3 décembre 2026",
        "dans 3 jours",
        "3 mois",
    ),
    "zh_Hans": ("€12.99", "JP¥1,234", "2026年12月3日", "2026年12月3日", "3天后", "3 个月"),
}


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.test_request_context():
        yield app


@pytest.mark.parametrize("locale", sorted(CASES))
def test_amounts_dates_and_relative_days_follow_the_locale(ctx: Flask, locale: str) -> None:
    euros, yen, medium, long, in_three_days, three_months = CASES[locale]
    with force_locale(locale):
        assert money(Decimal("12.99"), "EUR") == euros
        assert money(Decimal("1234"), "JPY") == yen, "yen have no decimals"
        assert day(DATE) == medium
        assert day(DATE, "long") == long
        assert relative_days(3) == in_three_days
        assert per_cycle(3, "month") == three_months


def test_today_tomorrow_and_months_in_chinese_and_german(ctx: Flask) -> None:
    with force_locale("zh_Hans"):
        assert (relative_days(0), relative_days(1), month(DATE)) == ("今天", "明天", "2026年12月")
    with force_locale("de"):
        assert (relative_days(0), relative_days(1), month(DATE)) == (
            "heute",
            "morgen",
            "Dezember 2026",
        )
        assert relative_days(45) == "in 45 Tagen", "days stay days, not 'in 2 Monaten'"
