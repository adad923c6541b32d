"""The month calendar of payments, and the private ICS feed a calendar app subscribes to."""

from __future__ import annotations

import calendar
import datetime
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from icalendar import Alarm, Calendar, Event
from werkzeug.wrappers import Response

from localization import first_weekday, money
from models import Subscription, User, db, shift_month, utcnow
from spending import Payment, payments

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FEED_MONTHS_BACK = 1
FEED_MONTHS_AHEAD = 12


def _month(text: str | None, today: datetime.date) -> datetime.date:
    found = _MONTH.match(text or "")
    if found and 1900 <= int(found[1]) <= 2200 and 1 <= int(found[2]) <= 12:
        return datetime.date(int(found[1]), int(found[2]), 1)
    return today.replace(day=1)


@bp.get("")
def month() -> str:
    """A month, week by week, with each payment on its day."""
    today = utcnow().date()
    first = _month(request.args.get("month"), today)
    last = shift_month(first, 1) - datetime.timedelta(days=1)
    by_day: dict[datetime.date, list[Payment]] = {}
    for payment in payments(Subscription.for_user(current_user.id), first, last, today):
        by_day.setdefault(payment.date, []).append(payment)
    weeks = calendar.Calendar(first_weekday()).monthdatescalendar(first.year, first.month)
    feed = (
        url_for("calendar.feed", token=current_user.ics_token, _external=False)
        if current_user.ics_token
        else None
    )
    return render_template(
        "calendar.html",
        first=first,
        weeks=weeks,
        by_day=by_day,
        today=today,
        previous=shift_month(first, -1),
        following=shift_month(first, 1),
        feed_url=str(current_app.config["BASE_URL"]).rstrip("/") + feed if feed else None,
    )


@bp.post("/feed")
def new_feed() -> Response:
    """Make a new private feed address; the old one stops working."""
    current_user.new_ics_token()
    db.session.commit()
    flash(_("A new calendar address is ready; the old one no longer works."))
    return redirect(url_for(".month"))


@bp.get("/feed/<token>.ics")
def feed(token: str) -> tuple[bytes, int, dict[str, str]]:
    """The account's payments as RFC 5545 events with reminder alarms; no session needed."""
    user = User.by_ics_token(token)
    if user is None:
        abort(404)
    # No session here: the feed is written in its owner's language.
    with force_locale(user.locale):
        return (
            _calendar(user),
            200,
            {
                "Content-Type": "text/calendar; charset=utf-8",
                "Cache-Control": "no-store",
            },
        )


def _calendar(user: User) -> bytes:
    """The account's payments of 12 months either side, as an iCalendar document."""
    today = utcnow().date()
    first, last = (
        shift_month(today.replace(day=1), -FEED_MONTHS_BACK),
        shift_month(today, FEED_MONTHS_AHEAD),
    )
    settings = user.email_settings
    default_days = settings.default_offset_list if settings else [1]
    cal = Calendar()
    cal.add("prodid", "-//Dues//Subscription payments//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Dues payments"))
    stamp = datetime.datetime.now(datetime.UTC)
    for subscription in Subscription.for_user(user.id):
        if not subscription.active:
            continue
        for date in subscription.payments_between(first, last):
            event = Event()
            event.add("uid", f"{subscription.id}-{date.isoformat()}@dues")
            event.add("dtstamp", stamp)
            event.add("dtstart", date)
            event.add("dtend", date + datetime.timedelta(days=1))
            amount = money(subscription.price, subscription.currency)
            event.add("summary", f"{subscription.name}: {amount}")
            event.add("transp", "TRANSPARENT")
            for days in subscription.offsets(default_days) if subscription.notify else []:
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", _("%(name)s renews", name=subscription.name))
                alarm.add("trigger", datetime.timedelta(days=-days))
                event.add_component(alarm)
            cal.add_component(event)
    ical: bytes = cal.to_ical()
    return ical
