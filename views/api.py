"""A read-only JSON API for dashboards such as Homepage, and the account's key for it."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models import ApiKey, User, db
from views.dashboard import overview
from views.ratelimit import limiter

bp = Blueprint("api", __name__)

# The key is shown on this page once: no cache may keep it.
NO_STORE = {"Cache-Control": "no-store"}
UPCOMING = 10


def _refused(message: str, status: int) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Dues"'
    return response


def _amount(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


@bp.get("/api/v1/summary")
def summary() -> Response:
    """The account's totals and next payments, for a key in 'Authorization: Bearer …'."""
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    user_id = ApiKey.account_for(key.strip()) if scheme.lower() == "bearer" else None
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        # A wrong key counts against the address, as a wrong password does.
        wait = limiter("login_address").wait_needed([("address", request.remote_addr)])
        if wait:
            return _refused(f"Too many wrong keys: wait {wait} s.", 429)
        return _refused("Give the account's API key as 'Authorization: Bearer <key>'.", 401)
    seen = overview(user)
    totals = seen.totals
    return jsonify(
        currency=user.currency,
        active_subscriptions=len(seen.active),
        monthly_cost=_amount(totals.per_month.amount),
        yearly_cost=_amount(totals.per_year),
        next_30_days=_amount(totals.next_30_days.amount),
        monthly_budget=_amount(totals.budget) if totals.budget is not None else None,
        currencies_without_rate=sorted(totals.missing),
        upcoming=[
            {
                "name": payment.subscription.name,
                "date": payment.date.isoformat(),
                "price": _amount(payment.subscription.price),
                "currency": payment.subscription.currency,
            }
            for payment in seen.upcoming[:UPCOMING]
        ],
    )


@bp.post("/account/api-key")
def make_key() -> tuple[str, int, dict[str, str]]:
    """A new API key, shown once; any earlier key stops working."""
    key = ApiKey.make(current_user.id)
    db.session.commit()
    page = render_template("api_key.html", key=key, url=url_for(".summary", _external=True))
    return page, 200, NO_STORE


@bp.post("/account/api-key/revoke")
def revoke_key() -> Response:
    """The account's API key stops working."""
    ApiKey.revoke(current_user.id)
    db.session.commit()
    flash(_("The API key has been revoked."))
    return redirect(url_for("account.index"))
