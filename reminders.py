"""The reminder job: find due reminders, claim them, compose, send, record.

Called by `flask send-reminders` and by the in-app scheduler. Safe to run in
several processes at once: each reminder's record is claimed in one UPDATE
before it is sent, and a unique constraint makes a second record impossible.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from email.message import Message
from zoneinfo import ZoneInfo

from flask import current_app, render_template

from mailer import MailError, SmtpConfig, SmtpConnection, compose
from models import (
    Delivery,
    ReminderKey,
    Subscription,
    UndecryptableSecret,
    User,
    db,
)

log = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=15)
FIRST_RETRY = datetime.timedelta(minutes=5)
LONGEST_RETRY = datetime.timedelta(hours=6)


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
        return f"{self.price} {self.currency}"

    @property
    def when(self) -> str:
        if self.days_left == 0:
            return "today"
        return "tomorrow" if self.days_left == 1 else f"in {self.days_left} days"


@dataclass(frozen=True)
class DueReminder:
    """A reminder whose time has come."""

    key: ReminderKey
    item: ReminderItem


@dataclass
class RunSummary:
    """What one run did, in numbers."""

    due: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0

    def line(self) -> str:
        return (
            f"due {self.due}, sent {self.sent}, failed {self.failed} "
            f"({self.retrying} to retry), skipped {self.skipped}"
        )


def send_time(
    date: datetime.date, offset_days: int, hour: int, zone: ZoneInfo
) -> datetime.datetime:
    """When the reminder offset_days before date goes out: at hour, in the account's zone."""
    local_day = date - datetime.timedelta(days=offset_days)
    local = datetime.datetime.combine(local_day, datetime.time(hour), tzinfo=zone)
    return local.astimezone(datetime.UTC)


def roll_forward_renewals(now: datetime.datetime) -> None:
    """Move auto-renewing subscriptions whose date has passed to their next date."""
    for subscription in Subscription.overdue_auto_renewals(now.date()):
        user_today = now.astimezone(ZoneInfo(subscription.user.timezone)).date()
        subscription.roll_forward(user_today)
        settings = subscription.user.email_settings
        subscription.update_reminder_window(settings.default_offset_list if settings else [])
    db.session.commit()


def due_reminders(now: datetime.datetime) -> dict[User, list[DueReminder]]:
    """Every reminder due at now, per account with email notifications on."""
    slack = datetime.timedelta(days=1)  # time zones run up to 14 h either side of UTC
    candidates = Subscription.in_reminder_window(now.date() - slack, now.date() + slack)
    due: dict[User, list[DueReminder]] = defaultdict(list)
    for subscription in candidates:
        user = subscription.user
        settings = user.email_settings
        if settings is None or not settings.enabled:
            continue
        zone = ZoneInfo(user.timezone)
        today = now.astimezone(zone).date()
        offsets = subscription.offsets(settings.default_offset_list)
        for kind, date in subscription.reminder_dates():
            if date < today:
                continue
            for offset in offsets:
                if send_time(date, offset, settings.send_hour, zone) <= now:
                    due[user].append(
                        DueReminder(
                            ReminderKey(subscription.id, date, offset, kind),
                            ReminderItem(
                                subscription.name,
                                kind,
                                date,
                                (date - today).days,
                                subscription.price,
                                subscription.currency,
                            ),
                        )
                    )
    return due


def compose_reminder(
    config: SmtpConfig,
    user: User,
    items: Sequence[ReminderItem],
    *,
    to: Sequence[str],
    cc: Sequence[str],
) -> Message:
    """The reminder email for items: subject, text and HTML from the templates."""
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
        to=[user.email],
        cc=[
            address for address in user.email_settings.other_recipient_list if address != user.email
        ],
        subject=subject,
        text=render_template("email/reminder.txt", **context),
        html=render_template("email/reminder.html", **context),
    )


def _retry_at(
    delivery: Delivery, temporary: bool, now: datetime.datetime
) -> datetime.datetime | None:
    """When to try again, with growing waits; None once the payment date would be past."""
    if not temporary:
        return None
    retry = now + min(FIRST_RETRY * 3 ** max(delivery.attempts - 1, 0), LONGEST_RETRY)
    last_chance = datetime.datetime.combine(
        delivery.payment_date, datetime.time.max, tzinfo=datetime.UTC
    )
    return retry if retry <= last_chance else None


def _record_failure(
    deliveries: Sequence[Delivery],
    reason: str,
    temporary: bool,
    now: datetime.datetime,
    summary: RunSummary,
) -> None:
    for delivery in deliveries:
        delivery.mark_failed(reason, retry_at=_retry_at(delivery, temporary, now))
        summary.failed += 1
        summary.retrying += delivery.status == "pending"
    db.session.commit()


def _send_account(
    user: User,
    batches: Sequence[tuple[Sequence[Delivery], Message]],
    config: SmtpConfig,
    now: datetime.datetime,
    summary: RunSummary,
) -> None:
    """Send one account's messages over one connection, recording each outcome."""
    pending = list(batches)
    try:
        with SmtpConnection(config) as connection:
            while pending:
                deliveries, message = pending[0]
                try:
                    receipt = connection.send(message)
                except MailError as error:
                    if not connection.is_open:
                        raise
                    _record_failure(deliveries, _reason(error), error.temporary, now, summary)
                else:
                    Delivery.record_sent(deliveries, now, receipt.message_id, receipt.accepted)
                    summary.sent += len(deliveries)
                pending.pop(0)
    except MailError as error:
        log.warning("reminders for %s failed: %s", user.username, error.summary)
        for deliveries, _ in pending:
            _record_failure(deliveries, _reason(error), error.temporary, now, summary)


def _reason(error: MailError) -> str:
    return f"{error.summary} {error.hint}"


def _remind_account(
    user: User,
    reminders: Sequence[DueReminder],
    claimed: Sequence[Delivery],
    now: datetime.datetime,
    summary: RunSummary,
) -> None:
    """Compose and send the claimed reminders of one account."""
    settings = user.email_settings
    try:
        config = settings.smtp_config()
    except (UndecryptableSecret, ValueError) as exc:
        _record_failure(claimed, f"{exc} Check the email settings.", True, now, summary)
        return
    items = {reminder.key: reminder.item for reminder in reminders}
    # One email per account in a digest, else per payment: a run that catches up
    # may find several offsets of one payment due, and one line covers them all.
    emails: dict[object, list[Delivery]] = defaultdict(list)
    for delivery in claimed:
        key = delivery.key
        emails[None if settings.digest else (key.subscription_id, key.payment_date)].append(
            delivery
        )
    others = [address for address in settings.other_recipient_list if address != user.email]
    batches = []
    for group in emails.values():
        lines = list(dict.fromkeys(items[delivery.key] for delivery in group))
        message = compose_reminder(config, user, lines, to=[user.email], cc=others)
        batches.append((group, message))
    _send_account(user, batches, config, now, summary)


def run_reminders(
    now: datetime.datetime, *, dry_run: bool = False, echo: Callable[[str], None] = log.info
) -> RunSummary:
    """Send every due reminder once; a failing account never stops the others."""
    summary = RunSummary()
    if not dry_run:
        roll_forward_renewals(now)
        Delivery.give_up_past(now.date() - datetime.timedelta(days=1))
    plan = due_reminders(now)
    summary.due = sum(len(reminders) for reminders in plan.values())
    for user, reminders in plan.items():
        if dry_run:
            for reminder in reminders:
                item = reminder.item
                echo(f"would remind {user.email}: {item.name} {item.kind} {item.when}")
            continue
        Delivery.ensure(user.id, [(r.key, r.item.name) for r in reminders])
        claimed = Delivery.claim([r.key for r in reminders], now, LEASE)
        summary.skipped += len(reminders) - len(claimed)
        if not claimed:
            continue
        try:
            _remind_account(user, reminders, claimed, now, summary)
        except Exception:
            # One account's unexpected failure must not cost the others their
            # reminders; its claimed records are retried once the lease ends.
            db.session.rollback()
            log.exception("reminder run failed for account %s", user.username)
            summary.failed += len(claimed)
    return summary
