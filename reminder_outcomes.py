"""What every channel of a reminder run shares: due reminders, counts and retry waits."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from models import Delivery, ReminderKey, db
from reminder_email import ReminderItem
from translations import _, ngettext

FIRST_RETRY = datetime.timedelta(minutes=5)
LONGEST_RETRY = datetime.timedelta(hours=6)


@dataclass(frozen=True)
class DueReminder:
    """A reminder whose time has come, for one channel."""

    key: ReminderKey
    item: ReminderItem
    # Who gets it by email: the paying household member's address, or the account's.
    recipient: str
    channel_name: str


@dataclass
class RunSummary:
    """What one run did, in numbers."""

    due: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    skipped: int = 0
    accounts_unplanned: int = 0

    def add(self, other: RunSummary) -> None:
        """Count in what another part of the run did (a worker's account)."""
        self.sent += other.sent
        self.failed += other.failed
        self.retrying += other.retrying
        self.skipped += other.skipped

    def line(self) -> str:
        """The run in one line, for logs and the command's output."""
        line = _(
            "due %(due)d, sent %(sent)d, failed %(failed)d (%(retrying)d to retry), "
            "skipped %(skipped)d",
            due=self.due,
            sent=self.sent,
            failed=self.failed,
            retrying=self.retrying,
            skipped=self.skipped,
        )
        if self.accounts_unplanned:
            line += ", " + ngettext(
                "%(num)d account could not be planned",
                "%(num)d accounts could not be planned",
                self.accounts_unplanned,
            )
        return line


def retry_at(
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


def record_failure(
    deliveries: Sequence[Delivery],
    reason: str,
    temporary: bool,
    now: datetime.datetime,
    summary: RunSummary,
) -> None:
    """Record one failed attempt on each record: retried later, or failed for good."""
    for delivery in deliveries:
        delivery.mark_failed(reason, retry_at=retry_at(delivery, temporary, now))
        summary.failed += 1
        summary.retrying += delivery.status == "pending"
    db.session.commit()


def release_after_crash(
    claimed: Sequence[Delivery], exc: Exception, now: datetime.datetime, summary: RunSummary
) -> None:
    """Record the attempt on each claimed record not yet settled, and back off."""
    db.session.rollback()
    unsettled = [delivery for delivery in claimed if delivery.status == "pending"]
    reason = _("Dues failed while sending: %(problem)s", problem=repr(exc))
    record_failure(unsettled, reason, True, now, summary)
