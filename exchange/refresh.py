"""Bring the accounts' rates up to date from the ECB, once a day."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from exchange.ecb import FeedUnavailable, fetch
from models import ExchangeRate, Subscription, User, db

log = logging.getLogger("dues")


def refresh_rates() -> int:
    """Fetch today's euro rates and set the ECB rates of every account that wants them.

    Rates typed by hand are kept. Returns how many rates were set; 0 (and a log
    line) when fetching is off or the feed cannot be had.
    """
    if not current_app.config["RATES_FETCH"]:
        return 0
    try:
        rates = fetch(str(current_app.config["RATES_URL"]))
    except FeedUnavailable as exc:
        log.warning("exchange rates not refreshed: %s", exc)
        return 0
    updated = 0
    for user in db.session.scalars(select(User).where(User.ecb_rates.is_(True))):
        used = set(
            db.session.scalars(
                select(Subscription.currency).where(Subscription.user_id == user.id).distinct()
            )
        ) - {user.currency}
        existing = ExchangeRate.for_user(user.id)
        for currency in sorted(used):
            if currency in existing and existing[currency].source == "manual":
                continue
            per_main = rates.per(user.currency, currency)
            if per_main is not None:
                ExchangeRate.put(user.id, currency, per_main, rates.day, "ecb")
                updated += 1
    db.session.commit()
    log.info("exchange rates of %s set from the ECB feed of %s", updated, rates.day)
    return updated
