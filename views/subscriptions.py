"""The subscription list, and adding, editing and deleting subscriptions."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Category, HouseholdMember, PaymentMethod, Subscription, db, utcnow
from views.subscription_form import SubscriptionForm
from views.subscription_list import SORTS, STATUSES, ListView

bp = Blueprint("subscriptions", __name__, url_prefix="/subscriptions")


def _owned_or_404(subscription_id: int) -> Subscription:
    subscription = Subscription.owned(subscription_id, current_user.id)
    if subscription is None:
        abort(404)
    return subscription


@bp.get("")
def index() -> str:
    """The subscriptions the URL's search and filters pick, active first, inactive apart."""
    subscriptions = Subscription.for_user(current_user.id)
    view = ListView.from_query(request.args)
    active, inactive = view.apply(subscriptions)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for subscription in active:
        totals[subscription.currency] += subscription.monthly_cost
    return render_template(
        "subscriptions.html",
        any_subscriptions=bool(subscriptions),
        active=active,
        inactive=inactive,
        view=view,
        sorts={key: label for key, (label, _) in SORTS.items()},
        statuses=STATUSES,
        lists={
            "category": Category.for_user(current_user.id),
            "method": PaymentMethod.for_user(current_user.id),
            "payer": HouseholdMember.for_user(current_user.id),
        },
        monthly_totals=sorted(totals.items()),
        today=utcnow().date(),
    )


@bp.get("/<id:subscription_id>/logo")
def logo(subscription_id: int) -> tuple[bytes, int, dict[str, str]]:
    """The subscription's logo, for an <img>: never run as a document, even if opened."""
    subscription = _owned_or_404(subscription_id)
    if not subscription.logo:
        abort(404)
    headers = {
        "Content-Type": subscription.logo_type,
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
        "Cache-Control": "private, max-age=3600",
    }
    return subscription.logo, 200, headers


def _save(form: SubscriptionForm, subscription: Subscription, message: str) -> Response:
    form.fill(subscription)
    settings = current_user.email_settings
    subscription.update_reminder_window(settings.default_offset_list if settings else [])
    db.session.add(subscription)
    db.session.commit()
    flash(str(message) % {"name": subscription.name})
    return redirect(url_for(".index"))


@bp.route("/new", methods=["GET", "POST"])
def add() -> Response | tuple[str, int]:
    """Add a subscription."""
    form = SubscriptionForm(user_id=current_user.id, editing=None)
    if form.validate_on_submit():
        return _save(form, Subscription(user_id=current_user.id), _l("Added %(name)s."))
    status = 422 if form.is_submitted() else 200
    return render_template("subscription_form.html", form=form, subscription=None), status


@bp.route("/<id:subscription_id>/edit", methods=["GET", "POST"])
def edit(subscription_id: int) -> Response | tuple[str, int]:
    """Change a subscription."""
    subscription = _owned_or_404(subscription_id)
    form = SubscriptionForm(obj=subscription, user_id=current_user.id, editing=subscription)
    if form.validate_on_submit():
        return _save(form, subscription, _l("Saved %(name)s."))
    status = 422 if form.is_submitted() else 200
    return render_template("subscription_form.html", form=form, subscription=subscription), status


@bp.route("/<id:subscription_id>/delete", methods=["GET", "POST"])
def delete(subscription_id: int) -> Response | str:
    """Ask, then delete a subscription; its notification log stays."""
    subscription = _owned_or_404(subscription_id)
    if request.method != "POST":
        return render_template("subscription_delete.html", subscription=subscription)
    db.session.delete(subscription)
    db.session.commit()
    flash(_("Deleted %(name)s.", name=subscription.name))
    return redirect(url_for(".index"))
