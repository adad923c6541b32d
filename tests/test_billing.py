"""Billing-cycle arithmetic at month ends and leap years."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import pytest

from models import CycleUnit, add_cycles, first_on_or_after, monthly_cost, parse_offsets

D = dt.date


@pytest.mark.parametrize(
    ("anchor", "unit", "every", "cycles", "expected"),
    [
        (D(2026, 1, 31), CycleUnit.MONTH, 1, 1, D(2026, 2, 28)),
        (D(2028, 1, 31), CycleUnit.MONTH, 1, 1, D(2028, 2, 29)),
        (D(2026, 1, 31), CycleUnit.MONTH, 1, 2, D(2026, 3, 31)),
        (D(2026, 1, 31), CycleUnit.MONTH, 1, 3, D(2026, 4, 30)),
        (D(2026, 11, 30), CycleUnit.MONTH, 3, 1, D(2027, 2, 28)),
        (D(2028, 2, 29), CycleUnit.YEAR, 1, 1, D(2029, 2, 28)),
        (D(2028, 2, 29), CycleUnit.YEAR, 1, 4, D(2032, 2, 29)),
        (D(2026, 12, 28), CycleUnit.WEEK, 2, 1, D(2027, 1, 11)),
        (D(2026, 12, 31), CycleUnit.DAY, 30, 2, D(2027, 3, 1)),
    ],
)
def test_cycles_are_counted_from_the_anchor(
    anchor: dt.date, unit: CycleUnit, every: int, cycles: int, expected: dt.date
) -> None:
    assert add_cycles(anchor, unit, every, cycles) == expected


def test_the_first_date_on_or_after_keeps_the_31st_anchor() -> None:
    anchor = D(2020, 1, 31)
    assert first_on_or_after(anchor, CycleUnit.MONTH, 1, D(2026, 2, 1)) == D(2026, 2, 28)
    assert first_on_or_after(anchor, CycleUnit.MONTH, 1, D(2026, 3, 1)) == D(2026, 3, 31)
    assert first_on_or_after(anchor, CycleUnit.MONTH, 1, D(2026, 3, 31)) == D(2026, 3, 31)
    assert first_on_or_after(anchor, CycleUnit.YEAR, 1, D(2019, 1, 1)) == anchor
    assert first_on_or_after(D(2000, 1, 1), CycleUnit.DAY, 7, D(2026, 11, 29)) == D(2026, 12, 5)


def test_monthly_cost_is_exact_to_the_cent() -> None:
    assert monthly_cost(Decimal("120.00"), CycleUnit.YEAR, 1) == Decimal("10.00")
    assert monthly_cost(Decimal("12.99"), CycleUnit.MONTH, 1) == Decimal("12.99")
    assert monthly_cost(Decimal("30.00"), CycleUnit.MONTH, 3) == Decimal("10.00")
    assert monthly_cost(Decimal("7.00"), CycleUnit.WEEK, 1) == Decimal("30.44")


def test_offsets_parse_to_distinct_days_largest_first() -> None:
    assert parse_offsets("1, 7;7 ,0") == [7, 1, 0]
    assert parse_offsets("") == []
    for bad in ("x", "-1", "366", "1.5"):
        with pytest.raises(ValueError):
            parse_offsets(bad)


def test_a_month_ahead_of_the_31st_ends_on_that_month_s_last_day_in_every_year() -> None:
    anchor = dt.date(1900, 1, 31)
    for months in range(12 * 500):
        date = add_cycles(anchor, CycleUnit.MONTH, 1, months)
        assert date.day == calendar.monthrange(date.year, date.month)[1], date
