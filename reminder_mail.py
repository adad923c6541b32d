"""The email channel of a reminder run: one connection per account, each message recorded."""

from __future__ import annotations

import contextlib
import datetime
import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from mailer import MailError, SmtpConnection
from models import Delivery, EmailSettings, ReminderKey, UndecryptableSecret, User, utcnow
from oauth.client import OAuthFailure
from oauth.tokens import ReconnectNeeded, with_fresh_token
from reminder_email import ReminderItem, compose_reminder
from reminder_outcomes import DueReminder, RunSummary, record_failure
from translations import _

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """One reminder email to send: the records it settles, what it says, and to whom."""

    deliveries: Sequence[Delivery]
    items: Sequence[ReminderItem]
    recipient: str


def in_date_order(items: Iterable[ReminderItem]) -> list[ReminderItem]:
    """Each item once, soonest first, then by name: the order a reader expects."""
    return sorted(dict.fromkeys(items), key=lambda item: (item.date, item.name))


def batches(
    claimed: Sequence[Delivery], due: Mapping[ReminderKey, DueReminder], digest: bool
) -> list[tuple[str, list[Delivery]]]:
    """The claimed records grouped into messages: per recipient, and per payment unless digest.

    A run that catches up may find several offsets of one payment due; one message
    covers them all.
    """
    groups: dict[tuple[str, object], list[Delivery]] = defaultdict(list)
    for delivery in claimed:
        key = delivery.key
        payment = None if digest else (key.subscription_id, key.payment_date)
        groups[(due[key].recipient, payment)].append(delivery)
    return [(recipient, group) for (recipient, _), group in groups.items()]


def _open(settings: EmailSettings, deadline: float) -> SmtpConnection:
    """A logged-in connection; with OAuth, a refused token is refreshed once and tried again."""

    def opened(token: str) -> SmtpConnection:
        connection = SmtpConnection(settings.smtp_config(token))
        connection.open(deadline)
        return connection

    return with_fresh_token(settings, opened)


def _reason(error: MailError) -> str:
    return f"{error.summary} {error.hint}"


def _send_all(
    user: User, emails: Sequence[Email], now: datetime.datetime, summary: RunSummary
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
                    record_failure(
                        email.deliveries,
                        _("The email could not be written: %(problem)s", problem=exc),
                        True,
                        now,
                        summary,
                    )
                except MailError as error:
                    if not connection.is_open:
                        raise
                    record_failure(email.deliveries, _reason(error), error.temporary, now, summary)
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
            record_failure(email.deliveries, _reason(error), error.temporary, now, summary)
    except (UndecryptableSecret, ValueError) as exc:
        # From building the connection's config; a message that cannot be written
        # is caught above, for that message alone.
        reason = _("%(problem)s Check the email settings.", problem=exc)
        for email in pending:
            record_failure(email.deliveries, reason, True, now, summary)
    except (ReconnectNeeded, OAuthFailure) as exc:
        # Kept for retry, never failed for good: once reconnected, they go out.
        # Each says what happened ("Reconnect needed: …", "Not connected yet: …").
        reason = str(exc)
        log.warning("reminders for %s wait: %s", user.username, reason)
        for email in pending:
            record_failure(email.deliveries, reason, True, now, summary)


def send_emails(
    user: User,
    claimed: Sequence[Delivery],
    due: Mapping[ReminderKey, DueReminder],
    now: datetime.datetime,
    summary: RunSummary,
) -> None:
    """Compose and send the account's claimed email reminders."""
    emails = [
        Email(group, in_date_order(due[d.key].item for d in group), recipient)
        for recipient, group in batches(claimed, due, user.email_settings.digest)
    ]
    _send_all(user, emails, now, summary)
