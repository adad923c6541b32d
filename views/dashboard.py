"""The dashboard: what is due in the next 30 days, what it all costs, what needs attention."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from models import (
    Delivery,
    EmailSettings,
    ExchangeRate,
    OAuthToken,
    Subscription,
    Total,
    User,
    db,
    total_in,
    utcnow,
)
from spending import Payment, months_ahead, payments
from views.charts import spark

bp = Blueprint("dashboard", __name__)

HORIZON_DAYS = 30


@dataclass(frozen=True)
class Totals:
    """What the active subscriptions cost, in the main currency."""

    per_month: Total
    next_30_days: Total
    budget: Decimal | None

    @property
    def per_year(self) -> Decimal:
        return self.per_month.amount * 12

    @property
    def missing(self) -> set[str]:
        """Currencies left out of a total for want of a rate."""
        return self.per_month.missing | self.next_30_days.missing

    @property
    def stale(self) -> set[str]:
        """Currencies whose rate is older than a week."""
        return self.per_month.stale | self.next_30_days.stale

    @property
    def over_budget(self) -> bool:
        """Whether the next 30 days' payments exceed the monthly budget."""
        return self.budget is not None and self.next_30_days.amount > self.budget


@dataclass(frozen=True)
class Overview:
    """What the dashboard and the API show of an account today."""

    today: date
    active: list[Subscription]
    upcoming: list[Payment]
    totals: Totals


def overview(user: User) -> Overview:
    """The account's active subscriptions, its next 30 days, and what they cost."""
    today = utcnow().astimezone(ZoneInfo(user.timezone)).date()
    active = [s for s in Subscription.for_user(user.id) if s.active]
    upcoming = payments(active, today, today + datetime.timedelta(days=HORIZON_DAYS), today)
    rates = ExchangeRate.for_user(user.id)
    monthly = [(s.monthly_cost, s.currency) for s in active]
    due = [(p.subscription.price, p.subscription.currency) for p in upcoming]
    totals = Totals(
        total_in(user.currency, monthly, rates, today),
        total_in(user.currency, due, rates, today),
        user.monthly_budget,
    )
    return Overview(today, active, upcoming, totals)


def _reconnect_reason(settings: EmailSettings | None) -> str | None:
    """Why the mail account must be connected again, when it must."""
    if settings is None or not settings.enabled or not settings.uses_oauth:
        return None
    connection = OAuthToken.of(settings.id)
    if connection is None:
        return str(_("the mailbox is not connected yet."))
    return connection.reconnect_reason if connection.reconnect_needed else None


@bp.get("/")
def index() -> str:
    """Upcoming payments, totals per currency, and banners for what needs attention."""
    seen = overview(current_user)
    today, active = seen.today, seen.active
    last_delivery = db.session.scalar(
        select(Delivery)
        .where(Delivery.user_id == current_user.id, Delivery.attempts > 0)
        .order_by(Delivery.created_at.desc(), Delivery.id.desc())
        .limit(1)
    )
    settings = current_user.email_settings
    ahead = months_ahead(
        active, current_user.currency, ExchangeRate.for_user(current_user.id), today
    )
    totals_ahead = [total for month, total in ahead]
    return render_template(
        "dashboard.html",
        payments=seen.upcoming,
        totals=seen.totals,
        subscription_count=len(active),
        notifications_on=bool(settings and settings.enabled),
        reconnect=_reconnect_reason(settings),
        last_failure=last_delivery if last_delivery and last_delivery.status != "sent" else None,
        horizon=HORIZON_DAYS,
        spark=spark(totals_ahead, _("What the next 12 months cost, month by month")),
        spark_months=[month for month, total in ahead],
        spark_totals=totals_ahead,
    )
