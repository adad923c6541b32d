"""Delivery records: one per reminder, claimed before sending so it is sent once."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    inspect,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UtcDateTime, db, utcnow


class DeliveryStatus(enum.Enum):
    """Where a reminder stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class ReminderKey:
    """What identifies a reminder: it is sent at most once per key."""

    subscription_id: int
    payment_date: datetime.date
    offset_days: int
    kind: str
    # "email", or a push channel's key ("channel:<id>"): each gets its own record.
    channel: str = "email"


_REMINDER_IDENTITY = ("subscription_id", "payment_date", "offset_days", "kind", "channel")


class Delivery(Base):
    """The record of one reminder: pending until sent, or failed for good."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint(*_REMINDER_IDENTITY, name="delivery_reminder_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription.id", ondelete="SET NULL")
    )
    subscription_name: Mapped[str] = mapped_column(String(100))
    payment_date: Mapped[datetime.date] = mapped_column(Date)
    offset_days: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(24), default="email", server_default="email")
    channel_name: Mapped[str] = mapped_column(String(100), default="Email", server_default="Email")
    status: Mapped[str] = mapped_column(String(8), default=DeliveryStatus.PENDING.value, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime.datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime.datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime.datetime | None] = mapped_column(default=None)
    message_id: Mapped[str] = mapped_column(String(255), default="")
    recipients: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)

    @staticmethod
    def ensure(user_id: int, keys: Iterable[tuple[ReminderKey, str, str]]) -> None:
        """Add a pending record for each reminder that has none; existing ones stay.

        keys holds each reminder's key, its subscription's name and its channel's name.
        Left uncommitted: the claim that follows commits both in one write.
        """
        rows = [
            {
                "user_id": user_id,
                "subscription_id": key.subscription_id,
                "subscription_name": name,
                "payment_date": key.payment_date,
                "offset_days": key.offset_days,
                "kind": key.kind,
                "channel": key.channel,
                "channel_name": channel_name,
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "last_error": "",
                "message_id": "",
                "recipients": "",
                "created_at": utcnow(),
            }
            for key, name, channel_name in keys
        ]
        if not rows:
            return
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(Delivery).on_conflict_do_nothing(index_elements=_REMINDER_IDENTITY)
        db.session.execute(statement, rows)

    @staticmethod
    def claim(
        keys: Sequence[ReminderKey], now: datetime.datetime, lease: datetime.timedelta
    ) -> list[Delivery]:
        """Take the records of keys that are pending, unclaimed and not backing off.

        One UPDATE decides, so a concurrent run's UPDATE finds them claimed and takes none.
        """
        if not keys:
            return []
        # On the session's connection, not through the ORM's bulk-update machinery,
        # which costs more than the statement: this runs for every account of a run.
        claimed_ids = (
            db.session.connection()
            .execute(
                _CLAIM,
                {
                    "subscription_ids": list({key.subscription_id for key in keys}),
                    "keys": [
                        tuple(getattr(key, name) for name in _REMINDER_IDENTITY) for key in keys
                    ],
                    "now": now,
                    "until": now + lease,
                },
            )
            .scalars()
            .all()
        )
        db.session.commit()
        if not claimed_ids:
            return []
        return list(db.session.scalars(_CLAIMED, {"ids": claimed_ids}))

    @staticmethod
    def _of(keys: Sequence[ReminderKey]) -> list[Delivery]:
        """The existing records of keys."""
        wanted = set(keys)
        candidates = db.session.scalars(
            select(Delivery).where(
                Delivery.subscription_id.in_({key.subscription_id for key in keys})
            )
        ).all()
        return [delivery for delivery in candidates if delivery.key in wanted]

    @staticmethod
    def _claimable_at(
        now: datetime.datetime | BindParameter[datetime.datetime],
    ) -> tuple[ColumnElement[bool], ...]:
        """What a record must be for a run at now to take it: pending, free, not waiting."""
        return (
            Delivery.status == DeliveryStatus.PENDING.value,
            Delivery.claimed_until.is_(None) | (Delivery.claimed_until < now),
            Delivery.next_attempt_at.is_(None) | (Delivery.next_attempt_at <= now),
        )

    @staticmethod
    def claimable(keys: Sequence[ReminderKey], now: datetime.datetime) -> list[ReminderKey]:
        """The keys a claim at now would take (those with no record yet included); no write."""
        existing = {delivery.id: delivery.key for delivery in Delivery._of(keys)}
        free = set(
            db.session.scalars(
                select(Delivery.id).where(
                    Delivery.id.in_(list(existing)), *Delivery._claimable_at(now)
                )
            )
        )
        blocked = {key for delivery_id, key in existing.items() if delivery_id not in free}
        return [key for key in keys if key not in blocked]

    @staticmethod
    def retry_now(user_id: int) -> None:
        """Let the account's reminders that wait for a retry go out at the next run."""
        db.session.execute(
            update(Delivery)
            .where(
                Delivery.user_id == user_id,
                Delivery.status == DeliveryStatus.PENDING.value,
                Delivery.next_attempt_at.is_not(None),
            )
            .values(next_attempt_at=None)
        )
        db.session.commit()

    @staticmethod
    def give_up_past(today: datetime.date, now: datetime.datetime) -> int:
        """Fail the pending records whose payment date has passed; how many there were.

        A record still claimed by a run in progress is left to that run; one whose
        claim expired (its run died) is given up like any other.
        """
        result = db.session.execute(
            update(Delivery)
            .where(
                Delivery.status == DeliveryStatus.PENDING.value,
                Delivery.payment_date < today,
                Delivery.claimed_until.is_(None) | (Delivery.claimed_until < now),
            )
            .values(
                status=DeliveryStatus.FAILED.value,
                last_error=Delivery.last_error + " Given up: the date has passed.",
            )
        )
        db.session.commit()
        return int(result.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def channels_of(user_id: int) -> list[tuple[str, str]]:
        """The (key, name) of every channel the account's records name, for the log's filter."""
        query = (
            select(Delivery.channel, func.max(Delivery.channel_name))
            .where(Delivery.user_id == user_id)
            .group_by(Delivery.channel)
        )
        rows = [(str(key), str(name)) for key, name in db.session.execute(query)]
        return sorted(rows, key=lambda row: (row[0] != "email", row[1].casefold()))

    @property
    def key(self) -> ReminderKey:
        assert self.subscription_id is not None
        return ReminderKey(
            self.subscription_id, self.payment_date, self.offset_days, self.kind, self.channel
        )

    @staticmethod
    def record_sent(
        deliveries: Sequence[Delivery],
        accepted_at: datetime.datetime,
        message_id: str,
        recipients: Sequence[str],
    ) -> None:
        """Record that the server accepted, at accepted_at, one message carrying these."""
        ids = [identity[0] for d in deliveries if (identity := inspect(d).identity)]
        # As the claim: the session's connection, without the ORM's bulk update.
        db.session.connection().execute(
            _RECORD_SENT,
            {
                "ids": ids,
                "sent_at": accepted_at,
                "message_id": message_id,
                "recipients": ", ".join(recipients),
            },
        )
        db.session.commit()

    def mark_failed(self, error: str, *, retry_at: datetime.datetime | None) -> None:
        """Record a failure: retried from retry_at, or failed for good when None."""
        self.attempts += 1
        self.last_error = error
        self.claimed_until = None
        if retry_at is None:
            self.status = DeliveryStatus.FAILED.value
        else:
            self.next_attempt_at = retry_at

    @staticmethod
    def log_for(user_id: int, channel: str | None = None, limit: int = 200) -> list[Delivery]:
        """The account's delivery records (of one channel, if given), newest first."""
        query = select(Delivery).where(Delivery.user_id == user_id)
        if channel:
            query = query.where(Delivery.channel == channel)
        query = query.order_by(Delivery.created_at.desc(), Delivery.id.desc()).limit(limit)
        return list(db.session.scalars(query))


# Built once, as is the claim below: they run for every account and message of a
# run, and building a statement costs more than executing it.
_RECORD_SENT = (
    update(Delivery)
    .where(Delivery.id.in_(bindparam("ids", expanding=True)))
    .values(
        attempts=Delivery.attempts + 1,
        status=DeliveryStatus.SENT.value,
        sent_at=bindparam("sent_at"),
        message_id=bindparam("message_id"),
        recipients=bindparam("recipients"),
        last_error="",
        claimed_until=None,
    )
)

_CLAIMED = (
    select(Delivery)
    .where(Delivery.id.in_(bindparam("ids", expanding=True)))
    .order_by(Delivery.payment_date)
)

_CLAIM = (
    update(Delivery)
    .where(
        Delivery.subscription_id.in_(bindparam("subscription_ids", expanding=True)),
        tuple_(*(getattr(Delivery, name) for name in _REMINDER_IDENTITY)).in_(
            bindparam("keys", expanding=True)
        ),
        *Delivery._claimable_at(bindparam("now", type_=UtcDateTime)),
    )
    .values(claimed_until=bindparam("until"))
    .returning(Delivery.id)
)
