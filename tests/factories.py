"""Accounts and subscriptions made directly in the database, for the reminder tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from models import (
    AppSettings,
    Category,
    Channel,
    Delivery,
    EmailSettings,
    Subscription,
    User,
    db,
    parse_offsets,
)
from tests.smtp_servers import LOOPBACK


def make_account(
    username: str,
    *,
    port: int,
    timezone: str = "UTC",
    send_hour: int = 9,
    default_offsets: str = "1",
    digest: bool = True,
    other_recipients: str = "",
    email: str | None = None,
    is_admin: bool | None = None,
    timeout: int = 5,
) -> User:
    """An account whose reminders go, unencrypted, to the SMTP server on port.

    The first one is the administrator. Unless is_admin is given, the later ones
    may send through 127.0.0.1 because the administrator allowed its network.
    """
    if is_admin is None:
        is_admin = not User.any_exist()
        if not is_admin:
            AppSettings.current().allowed_networks = "127.0.0.0/8"
    user = User(
        username=username,
        email=email or f"{username}@example.test",
        timezone=timezone,
        is_admin=is_admin,
    )
    user.set_password("password123")
    user.email_settings = EmailSettings(
        enabled=True,
        host=LOOPBACK,
        port=port,
        security="none",
        from_email="dues@example.test",
        from_name="Dues",
        timeout=timeout,
        send_hour=send_hour,
        default_offsets=default_offsets,
        digest=digest,
        other_recipients=other_recipients,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_subscription(user: User, name: str, next_payment: dt.date, **fields: Any) -> Subscription:
    """A monthly subscription of user's, with its reminder window computed as the page does."""
    for name_, default in (("active", True), ("notify", True), ("auto_renew", True)):
        fields.setdefault(name_, default)
    fields.setdefault("reminder_offsets", "")
    if category := fields.pop("category", None):
        entry = Category.named(user.id, category) or Category.add(user.id, category)
        db.session.flush()
        fields["category_id"] = entry.id
    subscription = Subscription(
        user_id=user.id,
        name=name,
        price=Decimal(fields.pop("price", "12.99")),
        currency=fields.pop("currency", "EUR"),
        cycle_every=fields.pop("cycle_every", 1),
        cycle_unit=fields.pop("cycle_unit", "month"),
        billing_anchor=fields.pop("billing_anchor", next_payment),
        next_payment=next_payment,
        **fields,
    )
    subscription.user = user
    subscription.update_reminder_window(parse_offsets(user.email_settings.default_offsets))
    db.session.add(subscription)
    db.session.commit()
    return subscription


def make_channel(
    user: User,
    kind: str,
    name: str,
    *,
    values: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
    categories: list[str] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Channel:
    """A push channel of user's, stored as the page stores one."""
    channel = Channel(user=user, kind=kind, name=name, **fields)
    channel.store(values or {}, secrets or {})
    if categories:
        channel.only_categories = True
        channel.categories = [
            Category.named(user.id, category) or Category.add(user.id, category)
            for category in categories
        ]
    db.session.add(channel)
    db.session.commit()
    return channel


def record_failed_reminder(user: User, subscription_id: int | None, error: str) -> None:
    """A reminder for Netflix that could not be sent, as the job records one."""
    db.session.add(
        Delivery(
            user_id=user.id,
            subscription_id=subscription_id,
            subscription_name="Netflix",
            payment_date=dt.date.today() + dt.timedelta(days=3),
            offset_days=1,
            kind="renewal",
            status="failed",
            attempts=1,
            last_error=error,
        )
    )
    db.session.commit()
