"""Currencies and budget: the main currency's rates, by hand or from the ECB, and a budget."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, DecimalField
from wtforms.validators import NumberRange, Optional

from models import ExchangeRate, Subscription, db, utcnow
from models.money import STALE_AFTER
from views.subscription_form import finite_amount

bp = Blueprint("money", __name__, url_prefix="/money")
_RATE = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,10})?$")


class MoneyForm(FlaskForm):
    """The budget and where rates come from; the rates themselves are one input each."""

    monthly_budget = DecimalField(
        _l("Monthly budget"),
        places=2,
        validators=[Optional(), finite_amount, NumberRange(0, 10**9, _l("Enter 0 or more."))],
    )
    ecb_rates = BooleanField(_l("Fetch rates daily from the European Central Bank"))


def _currencies() -> list[str]:
    """The currencies the account's subscriptions use, other than the main one."""
    used = db.session.scalars(
        select(Subscription.currency).where(Subscription.user_id == current_user.id).distinct()
    )
    return sorted(set(used) - {current_user.currency})


def _page(form: MoneyForm, errors: dict[str, str], status: int = 200) -> tuple[str, int]:
    rates = ExchangeRate.for_user(current_user.id)
    today = utcnow().date()
    page = render_template(
        "money.html",
        form=form,
        currencies=_currencies(),
        rates=rates,
        stale={c for c, rate in rates.items() if today - rate.as_of > STALE_AFTER},
        typed={key[5:]: value for key, value in request.form.items() if key.startswith("rate-")},
        errors=errors,
    )
    return page, status


@bp.get("")
def index() -> tuple[str, int]:
    """The rates of every currency in use, and the budget."""
    return _page(MoneyForm(obj=current_user), {})


@bp.post("")
def save() -> Response | tuple[str, int]:
    """Save the budget, the ECB switch, and the rates typed by hand."""
    form = MoneyForm()
    rates = ExchangeRate.for_user(current_user.id)
    typed: dict[str, Decimal] = {}
    errors: dict[str, str] = {}
    for currency in _currencies():
        text = request.form.get(f"rate-{currency}", "").strip()
        rate = rates.get(currency)
        if not text or (rate is not None and text == f"{rate.per_main.normalize():f}"):
            continue
        try:
            value = Decimal(text) if _RATE.match(text) else Decimal(0)
        except InvalidOperation:
            value = Decimal(0)
        if value <= 0:
            errors[currency] = _("Enter a number above 0, such as 1.0825.")
        else:
            typed[currency] = value
    if not form.validate() or errors:
        return _page(form, errors, 422)
    current_user.monthly_budget = form.monthly_budget.data
    current_user.ecb_rates = bool(form.ecb_rates.data)
    for currency, value in typed.items():
        ExchangeRate.put(current_user.id, currency, value, utcnow().date(), "manual")
    db.session.commit()
    flash(_("Currencies and budget saved."))
    return redirect(url_for(".index"))
