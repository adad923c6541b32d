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


def _totals(subscriptions: list[Subscription], payments: list[Payment], today: date) -> Totals:
    main = current_user.currency
    rates = ExchangeRate.for_user(current_user.id)
    monthly = [(s.monthly_cost, s.currency) for s in subscriptions]
    upcoming = [(p.subscription.price, p.subscription.currency) for p in payments]
    return Totals(
        total_in(main, monthly, rates, today),
        total_in(main, upcoming, rates, today),
        current_user.monthly_budget,
    )


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
    today = utcnow().astimezone(ZoneInfo(current_user.timezone)).date()
    last = today + datetime.timedelta(days=HORIZON_DAYS)
    active = [s for s in Subscription.for_user(current_user.id) if s.active]
    upcoming = payments(active, today, last, today)
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
        payments=upcoming,
        totals=_totals(active, upcoming, today),
        subscription_count=len(active),
        notifications_on=bool(settings and settings.enabled),
        reconnect=_reconnect_reason(settings),
        last_failure=last_delivery if last_delivery and last_delivery.status != "sent" else None,
        horizon=HORIZON_DAYS,
        spark=spark(totals_ahead, _("What the next 12 months cost, month by month")),
        spark_months=[month for month, total in ahead],
        spark_totals=totals_ahead,
    )
