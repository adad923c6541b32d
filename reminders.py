"""The reminder job: find due reminders, claim them, compose, send, record.

Called by `flask send-reminders` and by the in-app scheduler. Safe to run in
several processes at once: each reminder's record is claimed in one UPDATE
before it is sent, and a unique constraint makes a second record impossible.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from mailer import MailError, SmtpConnection
from models import (
    Delivery,
    EmailSettings,
    ReminderKey,
    Subscription,
    UndecryptableSecret,
    User,
    db,
    utcnow,
)
from oauth.client import OAuthFailure
from oauth.tokens import ReconnectNeeded, with_fresh_token
from reminder_email import ReminderItem, compose_reminder

log = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=15)
FIRST_RETRY = datetime.timedelta(minutes=5)
LONGEST_RETRY = datetime.timedelta(hours=6)


@dataclass(frozen=True)
class DueReminder:
    """A reminder whose time has come."""

    key: ReminderKey
    item: ReminderItem
    # Who gets it: the paying household member's email, or the account's.
    recipient: str


@dataclass
class RunSummary:
    """What one run did, in numbers."""

    due: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    accounts_unplanned: int = 0

    def line(self) -> str:
        """The run in one line, for logs and the command's output."""
        unplanned = (
            f", {self.accounts_unplanned} account(s) could not be planned"
            if self.accounts_unplanned
            else ""
        )
        return (
            f"due {self.due}, sent {self.sent}, failed {self.failed} "
            f"({self.retrying} to retry), skipped {self.skipped}{unplanned}"
        )


def send_time(
    date: datetime.date, offset_days: int, hour: int, zone: ZoneInfo
) -> datetime.datetime:
    """When the reminder offset_days before date goes out: at hour, in the account's zone."""
    local_day = date - datetime.timedelta(days=offset_days)
    local = datetime.datetime.combine(local_day, datetime.time(hour), tzinfo=zone)
    return local.astimezone(datetime.UTC)


def roll_forward_renewals(now: datetime.datetime) -> None:
    """Move auto-renewing subscriptions whose date has passed to their next date (uncommitted)."""
    for subscription in Subscription.overdue_auto_renewals(now.date()):
        user_today = now.astimezone(ZoneInfo(subscription.user.timezone)).date()
        subscription.roll_forward(user_today)
        settings = subscription.user.email_settings
        subscription.update_reminder_window(settings.default_offset_list if settings else [])


def _plan_account(
    user: User, subscriptions: Sequence[Subscription], now: datetime.datetime
) -> list[DueReminder]:
    """The account's reminders that are due at now."""
    settings = user.email_settings
    zone = ZoneInfo(user.timezone)
    today = now.astimezone(zone).date()
    default_offsets = settings.default_offset_list
    due = []
    for subscription in subscriptions:
        offsets = subscription.offsets(default_offsets)
        for kind, date in subscription.reminder_dates():
            if date < today:
                continue
            for offset in offsets:
                if send_time(date, offset, settings.send_hour, zone) <= now:
                    item = ReminderItem(
                        subscription.name,
                        kind,
                        date,
                        (date - today).days,
                        subscription.price,
                        subscription.currency,
                    )
                    key = ReminderKey(subscription.id, date, offset, kind)
                    due.append(DueReminder(key, item, _recipient(user, subscription)))
    return due


def _recipient(user: User, subscription: Subscription) -> str:
    payer = subscription.payer
    return payer.email if payer is not None and payer.email else user.email


def due_reminders(
    now: datetime.datetime, summary: RunSummary | None = None
) -> dict[User, list[DueReminder]]:
    """Every reminder due at now, per account with email notifications on.

    Each account is planned on its own: one whose data cannot be planned (a date
    at the end of the calendar, say) is logged and counted, and the others go on.
    """
    slack = datetime.timedelta(days=1)  # time zones run up to 14 h either side of UTC
    by_account: dict[User, list[Subscription]] = defaultdict(list)
    for subscription in Subscription.in_reminder_window(now.date() - slack, now.date() + slack):
        settings = subscription.user.email_settings
        if settings is not None and settings.enabled:
            by_account[subscription.user].append(subscription)
    due: dict[User, list[DueReminder]] = {}
    for user, subscriptions in by_account.items():
        try:
            reminders = _plan_account(user, subscriptions, now)
        except Exception:
            log.exception("could not plan the reminders of account %s", user.username)
            if summary is not None:
                summary.accounts_unplanned += 1
            continue
        if reminders:
            due[user] = reminders
    return due


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


@dataclass(frozen=True)
class Email:
    """One reminder email to send: the records it settles, what it says, and to whom."""

    deliveries: Sequence[Delivery]
    items: Sequence[ReminderItem]
    recipient: str


def _open(settings: EmailSettings, deadline: float) -> SmtpConnection:
    """A logged-in connection; with OAuth, a refused token is refreshed once and tried again."""

    def opened(token: str) -> SmtpConnection:
        connection = SmtpConnection(settings.smtp_config(token))
        connection.open(deadline)
        return connection

    return with_fresh_token(settings, opened)


def _send_account(
    user: User,
    emails: Sequence[Email],
    now: datetime.datetime,
    summary: RunSummary,
) -> None:
    """Send one account's emails over one connection, recording each outcome."""
    settings = user.email_settings
    pending = list(emails)
    # Connecting and the first message share one deadline; each later message has its own.
    first_deadline = time.monotonic() + settings.timeout
    deadline: float | None = first_deadline
    try:
        with contextlib.closing(_open(settings, first_deadline)) as connection:
            config = connection.config
            while pending:
                email = pending[0]
                try:
                    others = [a for a in settings.other_recipient_list if a != email.recipient]
                    message = compose_reminder(
                        config, user, email.items, to=[email.recipient], cc=others
                    )
                    receipt = connection.send(message, deadline)
                except ValueError as exc:
                    _record_failure(
                        email.deliveries,
                        f"The email could not be written: {exc}",
                        True,
                        now,
                        summary,
                    )
                except MailError as error:
                    if not connection.is_open:
                        raise
                    _record_failure(email.deliveries, _reason(error), error.temporary, now, summary)
                else:
                    Delivery.record_sent(
                        email.deliveries, utcnow(), receipt.message_id, receipt.accepted
                    )
                    summary.sent += len(email.deliveries)
                pending.pop(0)
                deadline = None
    except MailError as error:
        log.warning("reminders for %s failed: %s", user.username, error.summary)
        for email in pending:
            _record_failure(email.deliveries, _reason(error), error.temporary, now, summary)
    except (ReconnectNeeded, OAuthFailure) as exc:
        # Kept for retry, never failed for good: once reconnected, they go out.
        reason = f"Reconnect needed: {exc}" if isinstance(exc, ReconnectNeeded) else str(exc)
        log.warning("reminders for %s wait: %s", user.username, reason)
        for email in pending:
            _record_failure(email.deliveries, reason, True, now, summary)


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
        settings.smtp_config()
    except (UndecryptableSecret, ValueError) as exc:
        _record_failure(claimed, f"{exc} Check the email settings.", True, now, summary)
        return
    by_key = {reminder.key: reminder for reminder in reminders}
    # One email per recipient in a digest, else per payment: a run that catches up
    # may find several offsets of one payment due, and one line covers them all.
    groups: dict[tuple[str, object], list[Delivery]] = defaultdict(list)
    for delivery in claimed:
        key, recipient = delivery.key, by_key[delivery.key].recipient
        payment = None if settings.digest else (key.subscription_id, key.payment_date)
        groups[(recipient, payment)].append(delivery)
    emails = [
        Email(group, _in_date_order(by_key[d.key].item for d in group), recipient)
        for (recipient, _), group in groups.items()
    ]
    _send_account(user, emails, now, summary)


def _in_date_order(items: Iterable[ReminderItem]) -> list[ReminderItem]:
    """Each item once, soonest first, then by name: the order a reader expects."""
    return sorted(dict.fromkeys(items), key=lambda item: (item.date, item.name))


def _release_after_crash(
    claimed: Sequence[Delivery], exc: Exception, now: datetime.datetime, summary: RunSummary
) -> None:
    """Record the attempt on each claimed record not yet settled, and back off."""
    db.session.rollback()
    unsettled = [delivery for delivery in claimed if delivery.status == "pending"]
    _record_failure(unsettled, f"Dues failed while sending: {exc!r}", True, now, summary)


def run_reminders(
    now: datetime.datetime, *, dry_run: bool = False, echo: Callable[[str], None] = log.info
) -> RunSummary:
    """Send every due reminder once; a failing account never stops the others.

    A dry run prints exactly what a real run at now would send, and changes nothing.
    """
    summary = RunSummary()
    roll_forward_renewals(now)
    if dry_run:
        plan = due_reminders(now, summary)
        for reminders in plan.values():
            keys = Delivery.claimable([reminder.key for reminder in reminders], now)
            summary.due += len(reminders)
            summary.skipped += len(reminders) - len(keys)
            for reminder in reminders:
                if reminder.key in keys:
                    item = reminder.item
                    echo(f"would remind {reminder.recipient}: {item.name} {item.kind} {item.when}")
        db.session.rollback()
        return summary
    db.session.commit()
    Delivery.give_up_past(now.date() - datetime.timedelta(days=1), now)
    plan = due_reminders(now, summary)
    summary.due = sum(len(reminders) for reminders in plan.values())
    for user, reminders in plan.items():
        Delivery.ensure(user.id, [(r.key, r.item.name) for r in reminders])
        claimed = Delivery.claim([r.key for r in reminders], now, LEASE)
        summary.skipped += len(reminders) - len(claimed)
        if not claimed:
            continue
        try:
            _remind_account(user, reminders, claimed, now, summary)
        except Exception as exc:
            # One account's unexpected failure must not cost the others their
            # reminders, nor leave its own claimed and untried until the lease ends.
            log.exception("reminder run failed for account %s", user.username)
            _release_after_crash(claimed, exc, now, summary)
    return summary
