"""What a reminder says: its lines, its headline, the email and the push notification.

One function writes each: the job and the page's sample and test buttons call them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from email.message import Message
from typing import Any

from flask import current_app, render_template

from channels import Notification
from localization import day, money, relative_days
from mailer import SmtpConfig, compose
from models import Subscription, User
from translations import _, ngettext

TEXT_TEMPLATE, HTML_TEMPLATE, PUSH_TEMPLATE = (
    "email/reminder.txt",
    "email/reminder.html",
    "push/reminder.md",
)


def compile_templates() -> None:
    """Compile the reminder templates now, so that workers starting at once do not each."""
    for name in (TEXT_TEMPLATE, HTML_TEMPLATE, PUSH_TEMPLATE):
        current_app.jinja_env.get_template(name)


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
        """The price with its currency, as the current language writes it: €12.99, 12,99 €."""
        return money(self.price, self.currency)

    @property
    def when(self) -> str:
        """How far off the date is, in words: tomorrow, in 3 days, 3 天后."""
        return relative_days(self.days_left)


_SAMPLE_ITEMS = (("Streaming service", Decimal("12.99"), 3), ("Cloud storage", Decimal("2.99"), 5))


def sample_items(user: User, today: datetime.date) -> list[ReminderItem]:
    """What a sample reminder lists: the account's next payments, or two made-up ones."""
    upcoming = [s for s in Subscription.for_user(user.id) if s.active][:5]
    return [
        ReminderItem(
            s.name, "renewal", s.next_payment, (s.next_payment - today).days, s.price, s.currency
        )
        for s in upcoming
        if s.next_payment >= today
    ] or [
        ReminderItem(name, "renewal", today + datetime.timedelta(days=days), days, price, "EUR")
        for name, price, days in _SAMPLE_ITEMS
    ]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()#<>!|~])")


def markdown_text(text: str) -> str:
    """text with Markdown's special characters escaped, so a name is shown as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def headline(items: Sequence[ReminderItem]) -> str:
    """The reminder in one line: the email's subject and the notification's title."""
    first = items[0]
    if len(items) > 1:
        return ngettext(
            "%(num)d payment coming up — first: %(name)s %(when)s",
            "%(num)d payments coming up — first: %(name)s %(when)s",
            len(items),
            name=first.name,
            when=first.when,
        )
    if first.kind == "cancellation":
        return _(
            "Cancel %(name)s by %(date)s (%(when)s)",
            name=first.name,
            date=day(first.date),
            when=first.when,
        )
    return _("%(name)s renews %(when)s", name=first.name, when=first.when)


def compose_notification(user: User, items: Sequence[ReminderItem]) -> Notification:
    """The push notification for items: a short title and a Markdown body from the template."""
    base_url = current_app.config["BASE_URL"]
    fields = {
        "url": base_url,
        "count": len(items),
        "items": [
            {
                "name": item.name,
                "kind": item.kind,
                "date": item.date.isoformat(),
                "days_left": item.days_left,
                "price": str(item.price),
                "currency": item.currency,
            }
            for item in items
        ],
    }
    body = render_template(PUSH_TEMPLATE, items=items, user=user, base_url=base_url)
    return Notification(title=headline(items), body=body.strip(), fields=fields)


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
    subject = headline(items)
    if len(items) == 1 and first.kind != "cancellation":
        subject = f"{subject} — {first.amount}"
    context: dict[str, Any] = {
        "items": items,
        "user": user,
        "base_url": current_app.config["BASE_URL"],
    }
    # Both parts from one context: render_template would run every context
    # processor (catalog, locale, user, navigation) once for each.
    current_app.update_template_context(context)
    environment = current_app.jinja_env
    return compose(
        config,
        to=to,
        cc=cc,
        subject=subject,
        text=environment.get_template(TEXT_TEMPLATE).render(context),
        html=environment.get_template(HTML_TEMPLATE).render(context),
    )
