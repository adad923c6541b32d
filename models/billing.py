"""Billing-cycle arithmetic: month ends done right, costs per month."""

from __future__ import annotations

import calendar
import datetime
import enum
import re
from collections.abc import Sequence
from decimal import Decimal

from models.lists import split_list


class CycleUnit(enum.Enum):
    """The unit a billing cycle is counted in."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


# Average lengths, so that a weekly or yearly price can be shown per month.
_PER_MONTH = {
    CycleUnit.DAY: Decimal("30.436875"),
    CycleUnit.WEEK: Decimal("30.436875") / 7,
    CycleUnit.MONTH: Decimal(1),
    CycleUnit.YEAR: Decimal(1) / 12,
}


# calendar.monthrange works out the month's first weekday too, which no charge needs;
# a dashboard counts a year of charges for every subscription.
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    return 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month]


def add_months(anchor: datetime.date, months: int) -> datetime.date:
    """anchor plus whole months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = anchor.month - 1 + months
    year, month = anchor.year + month_index // 12, month_index % 12 + 1
    day = min(anchor.day, _days_in_month(year, month))
    return datetime.date(year, month, day)


def add_cycles(anchor: datetime.date, unit: CycleUnit, every: int, cycles: int) -> datetime.date:
    """The date `cycles` billing cycles after anchor, always counted from the anchor.

    Counting from the anchor rather than from the previous date is what brings a
    31st-anchored subscription back to the 31st after a short month.
    """
    if unit is CycleUnit.DAY:
        return anchor + datetime.timedelta(days=every * cycles)
    if unit is CycleUnit.WEEK:
        return anchor + datetime.timedelta(weeks=every * cycles)
    if unit is CycleUnit.MONTH:
        return add_months(anchor, every * cycles)
    return add_months(anchor, 12 * every * cycles)


def shift_month(month: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after month's."""
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def first_on_or_after(
    anchor: datetime.date, unit: CycleUnit, every: int, day: datetime.date
) -> datetime.date:
    """The first billing date, counted from anchor, that is on or after day."""
    if anchor >= day:
        return anchor
    # Underestimate the cycles with the longest month and year, then step forward.
    cycle_days = {CycleUnit.DAY: 1, CycleUnit.WEEK: 7, CycleUnit.MONTH: 31, CycleUnit.YEAR: 366}
    cycles = max(0, (day - anchor).days // (cycle_days[unit] * every) - 1)
    while (date := add_cycles(anchor, unit, every, cycles)) < day:
        cycles += 1
    return date


def days_before(date: datetime.date, days: int) -> datetime.date:
    """date minus days, or the first date there is when that would be before it."""
    if (date - datetime.date.min).days < days:
        return datetime.date.min
    return date - datetime.timedelta(days=days)


def monthly_cost(price: Decimal, unit: CycleUnit, every: int) -> Decimal:
    """What a price per cycle costs per month on average, to the cent."""
    return (price * _PER_MONTH[unit] / every).quantize(Decimal("0.01"))


MAX_OFFSET_DAYS = 365


def parse_offsets(text: str) -> list[int]:
    """Reminder offsets such as '7, 1' as distinct days, largest first; ValueError if bad."""
    offsets: set[int] = set()
    for part in split_list(text):
        if not re.fullmatch(r"[0-9]{1,3}", part):
            raise ValueError(f"{part!r} is not a whole number of days")
        days = int(part)
        if not 0 <= days <= MAX_OFFSET_DAYS:
            raise ValueError(f"{days} is outside 0 to {MAX_OFFSET_DAYS} days")
        offsets.add(days)
    return sorted(offsets, reverse=True)


def format_offsets(offsets: Sequence[int]) -> str:
    """Offsets as the form shows them, e.g. '7, 1'."""
    return ", ".join(str(days) for days in offsets)
