"""Where the money goes: monthly cost by category and payer, month by month, the dearest.

Amounts are converted into the account's main currency with its rates; what has
no rate is left out and named, as on the dashboard.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from models import ExchangeRate, Subscription, shift_month, total_in
from translations import _


@dataclass(frozen=True)
class Payment:
    """One payment of a subscription, and how far off it is."""

    date: datetime.date
    days_left: int
    subscription: Subscription


def payments(
    subscriptions: Iterable[Subscription],
    first: datetime.date,
    last: datetime.date,
    today: datetime.date,
) -> list[Payment]:
    """The active subscriptions' payments from first to last, by date, then name."""
    found = [
        Payment(date, (date - today).days, subscription)
        for subscription in subscriptions
        if subscription.active
        for date in subscription.payments_between(first, last)
    ]
    return sorted(found, key=lambda payment: (payment.date, payment.subscription.name))


@dataclass
class Spending:
    """The figures of the statistics page, all in one currency."""

    currency: str
    by_category: list[tuple[str, Decimal]] = field(default_factory=list)
    by_payer: list[tuple[str, Decimal]] = field(default_factory=list)
    dearest: list[tuple[str, Decimal]] = field(default_factory=list)
    months: list[datetime.date] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    # One row per month, one value per category, in the order of `categories`.
    month_values: list[list[Decimal]] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)


def _summed(
    pairs: Iterable[tuple[str, Decimal, str]],
    main: str,
    rates: dict[str, ExchangeRate],
    today: datetime.date,
    spending: Spending,
) -> list[tuple[str, Decimal]]:
    """(label, amount, currency) summed per label in the main currency, largest first."""
    grouped: dict[str, list[tuple[Decimal, str]]] = defaultdict(list)
    for label, amount, currency in pairs:
        grouped[label].append((amount, currency))
    sums = []
    for label, amounts in grouped.items():
        total = total_in(main, amounts, rates, today)
        spending.missing |= total.missing
        if all(currency in total.missing for _, currency in amounts):
            continue  # nothing of it could be counted: named among the missing instead
        sums.append((label, total.amount))
    return sorted(sums, key=lambda pair: (-pair[1], pair[0]))


def spending(
    subscriptions: Sequence[Subscription],
    main: str,
    rates: dict[str, ExchangeRate],
    today: datetime.date,
) -> Spending:
    """The account's figures: monthly costs now, and 12 months back and ahead by category."""
    result = Spending(main)
    active = [s for s in subscriptions if s.active]

    no_category = _("No category")  # once: this runs for every charge of two years

    def category(s: Subscription) -> str:
        return s.category.name if s.category else no_category

    def summed(pairs: Iterable[tuple[str, Decimal, str]]) -> list[tuple[str, Decimal]]:
        return _summed(pairs, main, rates, today, result)

    result.by_category = summed((category(s), s.monthly_cost, s.currency) for s in active)
    result.by_payer = summed(
        (s.payer.name if s.payer else _("Me"), s.monthly_cost, s.currency) for s in active
    )
    result.dearest = summed((s.name, s.monthly_cost, s.currency) for s in active)[:5]

    first = shift_month(today.replace(day=1), -12)
    result.months = [shift_month(first, n) for n in range(24)]
    charges = _charges_by_month(active, first, 24, category)
    result.categories = [name for name, _ in result.by_category]
    for month in result.months:
        row = []
        for name in result.categories:
            total = total_in(main, charges.get((month, name), []), rates, today)
            result.missing |= total.missing
            row.append(total.amount)
        result.month_values.append(row)
    return result


def _charges_by_month(
    subscriptions: Iterable[Subscription],
    first: datetime.date,
    months: int,
    label: Callable[[Subscription], str],
) -> dict[tuple[datetime.date, str], list[tuple[Decimal, str]]]:
    """Every charge of the months from first's on, as (price, currency), per month and label."""
    last = shift_month(first, months) - datetime.timedelta(days=1)
    charges: dict[tuple[datetime.date, str], list[tuple[Decimal, str]]] = defaultdict(list)
    for s in subscriptions:
        for date in s.charges_between(first, last):
            charges[(date.replace(day=1), label(s))].append((s.price_on(date), s.currency))
    return charges


def months_ahead(
    subscriptions: Sequence[Subscription],
    main: str,
    rates: dict[str, ExchangeRate],
    today: datetime.date,
    months: int = 12,
) -> list[tuple[datetime.date, Decimal]]:
    """What each month from this one on costs in main, without what has no rate."""
    first = today.replace(day=1)
    active = [s for s in subscriptions if s.active]
    charges = _charges_by_month(active, first, months, lambda s: "")
    return [
        (month, total_in(main, charges.get((month, ""), []), rates, today).amount)
        for month in (shift_month(first, n) for n in range(months))
    ]
