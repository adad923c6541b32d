"""The dashboard: what is due in the next 30 days, what it all costs, what needs attention."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from models import Delivery, EmailSettings, OAuthToken, Subscription, db, utcnow

bp = Blueprint("dashboard", __name__)

HORIZON_DAYS = 30


@dataclass(frozen=True)
class Payment:
    """One upcoming payment."""

    date: datetime.date
    days_left: int
    subscription: Subscription


@dataclass(frozen=True)
class CurrencyTotal:
    """What the active subscriptions in one currency cost."""

    currency: str
    per_month: Decimal
    next_30_days: Decimal

    @property
    def per_year(self) -> Decimal:
        return self.per_month * 12


def _totals(
    subscriptions: list[Subscription], payments: list[Payment], main_currency: str
) -> list[CurrencyTotal]:
    per_month: dict[str, Decimal] = defaultdict(Decimal)
    upcoming: dict[str, Decimal] = defaultdict(Decimal)
    for subscription in subscriptions:
        per_month[subscription.currency] += subscription.monthly_cost
    for payment in payments:
        upcoming[payment.subscription.currency] += payment.subscription.price
    currencies = sorted(per_month, key=lambda currency: (currency != main_currency, currency))
    return [CurrencyTotal(c, per_month[c], upcoming[c]) for c in currencies]


def _reconnect_reason(settings: EmailSettings | None) -> str | None:
    """Why the mail account must be connected again, when it must."""
    if settings is None or not settings.enabled or not settings.uses_oauth:
        return None
    connection = OAuthToken.of(settings.id)
    if connection is None:
        return "the mailbox is not connected yet."
    return connection.reconnect_reason if connection.reconnect_needed else None


@bp.get("/")
def index() -> str:
    """Upcoming payments, totals per currency, and banners for what needs attention."""
    today = utcnow().astimezone(ZoneInfo(current_user.timezone)).date()
    last = today + datetime.timedelta(days=HORIZON_DAYS)
    active = [s for s in Subscription.for_user(current_user.id) if s.active]
    payments = sorted(
        (
            Payment(date, (date - today).days, subscription)
            for subscription in active
            for date in subscription.payments_between(today, last)
        ),
        key=lambda payment: (payment.date, payment.subscription.name),
    )
    last_delivery = db.session.scalar(
        select(Delivery)
        .where(Delivery.user_id == current_user.id, Delivery.attempts > 0)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(1)
    )
    settings = current_user.email_settings
    return render_template(
        "dashboard.html",
        payments=payments,
        totals=_totals(active, payments, current_user.currency),
        subscription_count=len(active),
        notifications_on=bool(settings and settings.enabled),
        reconnect=_reconnect_reason(settings),
        last_failure=last_delivery if last_delivery and last_delivery.status != "sent" else None,
        horizon=HORIZON_DAYS,
    )
