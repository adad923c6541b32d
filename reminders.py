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
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy.orm import joinedload

from localization import force_locale
from models import (
    EMAIL_CHANNEL,
    Channel,
    Delivery,
    ReminderKey,
    Subscription,
    User,
    db,
)
from reminder_email import ReminderItem, compile_templates
from reminder_mail import send_emails
from reminder_outcomes import DueReminder, RunSummary, release_after_crash
from reminder_push import send_notifications
from translations import _

log = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=15)


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
    user: User,
    subscriptions: Sequence[Subscription],
    channels: Sequence[Channel],
    now: datetime.datetime,
) -> list[DueReminder]:
    """The account's reminders that are due at now, one per channel that wants each."""
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
                    recipient = _recipient(user, subscription)
                    if settings.enabled:
                        key = ReminderKey(subscription.id, date, offset, kind)
                        due.append(DueReminder(key, item, recipient, "Email"))
                    for channel in channels:
                        if channel.wants(subscription):
                            key = ReminderKey(subscription.id, date, offset, kind, channel.key)
                            due.append(DueReminder(key, item, recipient, channel.name))
    return due


def _recipient(user: User, subscription: Subscription) -> str:
    payer = subscription.payer
    return payer.email if payer is not None and payer.email else user.email


def due_reminders(
    now: datetime.datetime, summary: RunSummary | None = None
) -> dict[User, list[DueReminder]]:
    """Every reminder due at now, per account with email or a channel on.

    Each account is planned on its own: one whose data cannot be planned (a date
    at the end of the calendar, say) is logged and counted, and the others go on.
    """
    slack = datetime.timedelta(days=1)  # time zones run up to 14 h either side of UTC
    channels: dict[int, list[Channel]] = defaultdict(list)
    for channel in Channel.enabled_ones():
        channels[channel.user_id].append(channel)
    by_account: dict[User, list[Subscription]] = defaultdict(list)
    for subscription in Subscription.in_reminder_window(now.date() - slack, now.date() + slack):
        settings = subscription.user.email_settings
        if settings is not None and (settings.enabled or subscription.user_id in channels):
            by_account[subscription.user].append(subscription)
    due: dict[User, list[DueReminder]] = {}
    for user, subscriptions in by_account.items():
        try:
            reminders = _plan_account(user, subscriptions, channels[user.id], now)
        except Exception:
            log.exception("could not plan the reminders of account %s", user.username)
            if summary is not None:
                summary.accounts_unplanned += 1
            continue
        if reminders:
            due[user] = reminders
    return due


def _remind_account(
    user: User,
    reminders: Sequence[DueReminder],
    claimed: Sequence[Delivery],
    now: datetime.datetime,
    summary: RunSummary,
) -> None:
    """Send the account's claimed reminders, channel by channel.

    One channel's failure, even an unexpected one, never costs another channel its
    reminders, nor leaves its own claimed and untried until the lease ends.
    """
    due = {reminder.key: reminder for reminder in reminders}
    by_channel: dict[str, list[Delivery]] = defaultdict(list)
    for delivery in claimed:
        by_channel[delivery.channel].append(delivery)
    # Most accounts remind by email alone: their channels are not read at all.
    pushed = by_channel.keys() - {EMAIL_CHANNEL}
    channels = {c.key: c for c in Channel.for_user(user.id)} if pushed else {}
    for channel_key, deliveries in by_channel.items():
        try:
            if channel_key == EMAIL_CHANNEL:
                send_emails(user, deliveries, due, now, summary)
            else:
                send_notifications(channels[channel_key], deliveries, due, now, summary)
        except Exception as exc:
            log.exception("reminder run failed for account %s (%s)", user.username, channel_key)
            release_after_crash(deliveries, exc, now, summary)


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
                    who = (
                        reminder.recipient
                        if reminder.key.channel == EMAIL_CHANNEL
                        else (reminder.channel_name)
                    )
                    echo(
                        _(
                            "would remind %(who)s: %(name)s %(kind)s %(when)s",
                            who=who,
                            name=item.name,
                            kind=item.kind,
                            when=item.when,
                        )
                    )
        db.session.rollback()
        return summary
    db.session.commit()
    Delivery.give_up_past(now.date() - datetime.timedelta(days=1), now)
    plan = due_reminders(now, summary)
    summary.due = sum(len(reminders) for reminders in plan.values())
    work = [(user.id, reminders) for user, reminders in plan.items()]
    # End the planning read before the workers write: SQLite cannot upgrade it.
    db.session.commit()
    if not work:
        return summary
    workers = min(current_app.config["SEND_CONCURRENCY"], len(work))
    compile_templates()
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def in_own_context(item: tuple[int, list[DueReminder]]) -> RunSummary:
        # Each worker has its own app context, so its own session and connection.
        with app.app_context():
            return _run_account(item[0], item[1], now)

    # One account's slow or dead server holds one worker, up to its timeout; the
    # claim in one UPDATE keeps each reminder to one sender, whatever runs at once.
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reminders") as pool:
        for part in pool.map(in_own_context, work):
            summary.add(part)
    return summary


def _run_account(user_id: int, reminders: list[DueReminder], now: datetime.datetime) -> RunSummary:
    """Record, claim and send one account's due reminders; what it did, in numbers."""
    part = RunSummary()
    # The worker's own session: what it read stays loaded across its commits instead
    # of being read again after each; a rollback still expires everything.
    db.session().expire_on_commit = False
    # Its email settings come with it: every account that has reminders has them.
    user = db.session.get(User, user_id, options=[joinedload(User.email_settings)])
    if user is None:  # deleted since it was planned
        return part
    Delivery.ensure(user.id, [(r.key, r.item.name, r.channel_name) for r in reminders])
    claimed = Delivery.claim([r.key for r in reminders], now, LEASE)
    part.skipped += len(reminders) - len(claimed)
    if claimed:
        # Each account's emails and notifications are written in its own language.
        with force_locale(user.locale):
            _remind_account(user, reminders, claimed, now, part)
    return part
