"""The statistics page: where the money goes, as charts with the same figures as tables."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template
from flask_babel import gettext as _
from flask_login import current_user

from localization import money, short_month
from models import ExchangeRate, Subscription, utcnow
from spending import spending
from views.charts import bars, stacked_columns

bp = Blueprint("statistics", __name__, url_prefix="/statistics")


@bp.get("")
def index() -> str:
    """Monthly cost by category and payer, the dearest five, and 24 months by category."""
    today = utcnow().date()
    figures = spending(
        Subscription.for_user(current_user.id),
        current_user.currency,
        ExchangeRate.for_user(current_user.id),
        today,
    )

    def written(amount: Decimal) -> str:
        return money(amount, figures.currency)

    return render_template(
        "statistics.html",
        figures=figures,
        today=today,
        category_chart=bars(figures.by_category, _("Monthly cost by category"), written),
        payer_chart=bars(figures.by_payer, _("Monthly cost by payer"), written),
        dearest_chart=bars(figures.dearest, _("The five most expensive subscriptions"), written),
        months_chart=stacked_columns(
            [short_month(month) for month in figures.months],
            figures.categories,
            figures.month_values,
            _("Cost per month, 12 months back and 12 ahead, by category"),
        ),
    )
