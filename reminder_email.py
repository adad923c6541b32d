"""What a reminder says: its lines, and the one function that writes the email."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from email.message import Message

from flask import current_app, render_template

from mailer import SmtpConfig, compose
from models import User


@dataclass(frozen=True)
class ReminderItem:
    """One line of a reminder email."""

    name: str
    kind: str
    date: datetime.date
    days_left: int
    price: Decimal
    currency: str

    @property
    def amount(self) -> str:
        """The price with its currency."""
        return f"{self.price} {self.currency}"

    @property
    def when(self) -> str:
        """How far off the date is, in words."""
        if self.days_left == 0:
            return "today"
        return "tomorrow" if self.days_left == 1 else f"in {self.days_left} days"


def compose_reminder(
    config: SmtpConfig,
    user: User,
    items: Sequence[ReminderItem],
    *,
    to: Sequence[str],
    cc: Sequence[str],
) -> Message:
    """The reminder email for items, to and cc: subject, text and HTML from the templates.

    The one way a reminder is written: the job and the "sample reminder" button call it.
    """
    first = items[0]
    if len(items) > 1:
        subject = f"{len(items)} payments coming up — first: {first.name} {first.when}"
    elif first.kind == "cancellation":
        subject = f"Cancel {first.name} by {first.date.isoformat()} ({first.when})"
    else:
        subject = f"{first.name} renews {first.when} — {first.amount}"
    context = {"items": items, "user": user, "base_url": current_app.config["BASE_URL"]}
    return compose(
        config,
        to=to,
        cc=cc,
        subject=subject,
        text=render_template("email/reminder.txt", **context),
        html=render_template("email/reminder.html", **context),
    )
