"""The push channels of a reminder run: each channel's claimed reminders, each recorded."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence

from channels import ChannelError, FieldProblem, Unreachable, deliver
from models import Channel, Delivery, ReminderKey, UndecryptableSecret, utcnow
from reminder_email import compose_notification
from reminder_mail import batches, in_date_order
from reminder_outcomes import DueReminder, RunSummary, record_failure
from translations import _

log = logging.getLogger(__name__)


def send_notifications(
    channel: Channel,
    claimed: Sequence[Delivery],
    due: Mapping[ReminderKey, DueReminder],
    now: datetime.datetime,
    summary: RunSummary,
) -> None:
    """Send one channel's claimed reminders: per payment, or one digest."""
    user = channel.user
    try:
        target = channel.target()
    except (UndecryptableSecret, FieldProblem) as exc:
        reason = _("%(problem)s Check the channel's settings.", problem=exc)
        record_failure(claimed, reason, True, now, summary)
        return
    groups = [group for _, group in batches(claimed, due, user.email_settings.digest)]
    for index, group in enumerate(groups):
        notification = compose_notification(user, in_date_order(due[d.key].item for d in group))
        try:
            receipt = deliver(target, notification)
        except ChannelError as error:
            log.warning("reminders for %s to %s failed: %s", user.username, channel.name, error)
            reason = f"{error.summary} {error.hint}"
            if isinstance(error, Unreachable):
                # The service is down for all of them: the rest wait for the retry too.
                unsent = [d for rest in groups[index:] for d in rest]
                record_failure(unsent, reason, error.temporary, now, summary)
                return
            record_failure(group, reason, error.temporary, now, summary)
        else:
            Delivery.record_sent(group, utcnow(), "", [receipt.service])
            summary.sent += len(group)
