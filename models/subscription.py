"""Subscriptions: what is paid, how often, and when to be reminded."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from models.account_lists import Category, HouseholdMember, ListEntry, PaymentMethod
from models.base import Base, db, utcnow
from models.billing import (
    CycleUnit,
    add_cycles,
    days_before,
    first_on_or_after,
    monthly_cost,
    parse_offsets,
)
from models.user import User


class PriceChange(Base):
    """What a subscription cost until a day: kept when its price is changed."""

    __tablename__ = "price_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("subscription.id", ondelete="CASCADE"), index=True
    )
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    until: Mapped[datetime.date] = mapped_column(Date)


class Subscription(Base):
    """Something paid for again and again."""

    __tablename__ = "subscription"
    __table_args__ = (
        CheckConstraint("cycle_every >= 1", name="subscription_cycle_positive"),
        CheckConstraint("price >= 0", name="subscription_price_not_negative"),
        Index("subscription_reminder_window", "remind_from", "remind_until"),
        UniqueConstraint("user_id", "ref", name="subscription_ref_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()
    # A stable reference across exports and imports: "wallos:…" for a subscription
    # imported from Wallos, a random one for a subscription made in Dues.
    ref: Mapped[str] = mapped_column(String(80), default=lambda: uuid.uuid4().hex)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    cycle_every: Mapped[int] = mapped_column(default=1)
    cycle_unit: Mapped[str] = mapped_column(String(5), default=CycleUnit.MONTH.value)
    billing_anchor: Mapped[datetime.date] = mapped_column(Date)
    next_payment: Mapped[datetime.date] = mapped_column(Date, index=True)
    start_date: Mapped[datetime.date | None] = mapped_column(Date, default=None)
    auto_renew: Mapped[bool] = mapped_column(default=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL"), default=None, index=True
    )
    category: Mapped[Category | None] = relationship(lazy="joined")
    payment_method_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_method.id", ondelete="SET NULL"), default=None, index=True
    )
    payment_method: Mapped[PaymentMethod | None] = relationship(lazy="joined")
    payer_id: Mapped[int | None] = mapped_column(
        ForeignKey("household_member.id", ondelete="SET NULL"), default=None, index=True
    )
    payer: Mapped[HouseholdMember | None] = relationship(lazy="joined")
    # A small PNG or a sanitised SVG (logos.py), never fetched from elsewhere.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    logo_type: Mapped[str] = mapped_column(String(32), default="")
    # The subscription that took this one's place, as Wallos links them.
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription.id", ondelete="SET NULL"), default=None, index=True
    )
    replaced_by: Mapped[Subscription | None] = relationship(remote_side=[id])
    url: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    notify: Mapped[bool] = mapped_column(default=True)
    reminder_offsets: Mapped[str] = mapped_column(String(100), default="")
    cancellation_date: Mapped[datetime.date | None] = mapped_column(Date, default=None)
    # The window in which any of its reminders can be due, kept so that the
    # reminder job reads only subscriptions near a reminder, never all of them.
    remind_from: Mapped[datetime.date | None] = mapped_column(Date, default=None)
    remind_until: Mapped[datetime.date | None] = mapped_column(Date, default=None)
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    price_changes: Mapped[list[PriceChange]] = relationship(
        order_by=PriceChange.until, cascade="all, delete-orphan", lazy="selectin"
    )

    def change_price(self, price: Decimal, today: datetime.date) -> None:
        """Set a new price from today on; the old one is kept for the days before."""
        if self.price is not None and price != self.price:
            self.price_changes.append(PriceChange(price=self.price, until=today))
        self.price = price

    def price_on(self, date: datetime.date) -> Decimal:
        """What a payment on date cost: the price then, or the current one."""
        for change in self.price_changes:
            if date < change.until:
                return change.price
        return self.price

    def anchor_from_dates(self) -> datetime.date:
        """The date billing cycles are counted from, given the next payment and start date.

        The start date, when the next payment is on its cycle: that keeps a
        subscription started on the 31st on the 31st after short months.
        """
        start, payment = self.start_date, self.next_payment
        if start is None or start > payment:
            return payment
        on_cycle = first_on_or_after(start, self.unit, self.cycle_every, payment)
        return start if on_cycle == payment else payment

    @property
    def unit(self) -> CycleUnit:
        return CycleUnit(self.cycle_unit)

    @property
    def monthly_cost(self) -> Decimal:
        """The price per month on average."""
        return monthly_cost(self.price, self.unit, self.cycle_every)

    def offsets(self, account_default: Sequence[int]) -> list[int]:
        """Its own reminder offsets, or the account's when it has none."""
        return parse_offsets(self.reminder_offsets) or list(account_default)

    def roll_forward(self, today: datetime.date) -> None:
        """Move an auto-renewing subscription whose date has passed to its next date."""
        if self.auto_renew and self.next_payment < today:
            self.next_payment = first_on_or_after(
                self.billing_anchor, self.unit, self.cycle_every, today
            )

    def reminder_dates(self) -> list[tuple[str, datetime.date]]:
        """The dates reminders lead up to: the payment, and the cancellation date if set."""
        dates = [("renewal", self.next_payment)]
        if self.cancellation_date is not None:
            dates.append(("cancellation", self.cancellation_date))
        return dates

    def update_reminder_window(self, account_default: Sequence[int]) -> None:
        """Recompute the dates between which a reminder may be due."""
        offsets = self.offsets(account_default)
        if not (self.active and self.notify and offsets):
            self.remind_from = self.remind_until = None
            return
        dates = [date for _, date in self.reminder_dates()]
        self.remind_from = days_before(min(dates), max(offsets))
        self.remind_until = max(dates)

    def payments_between(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        """Its payment dates from first to last, both included."""
        if not self.auto_renew:
            return [self.next_payment] if first <= self.next_payment <= last else []
        dates: list[datetime.date] = []
        day = max(first, self.next_payment)
        while True:
            date = first_on_or_after(self.billing_anchor, self.unit, self.cycle_every, day)
            if date > last:
                return dates
            dates.append(date)
            day = date + datetime.timedelta(days=1)

    def charges_between(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        """Its payment dates from first to last, past ones too: from its start date (or, without
        one, the whole span) and never after its cancellation date."""
        if not self.auto_renew:
            return [self.next_payment] if first <= self.next_payment <= last else []
        begin = max(first, self.start_date) if self.start_date else first
        end = min(last, self.cancellation_date) if self.cancellation_date else last
        anchor, unit, every = self.billing_anchor, self.unit, self.cycle_every
        # Step back from the anchor past begin in one jump, with the shortest cycle length.
        shortest = {CycleUnit.DAY: 1, CycleUnit.WEEK: 7, CycleUnit.MONTH: 28, CycleUnit.YEAR: 365}
        cycle = -((anchor - begin).days // (shortest[unit] * every) + 1) if anchor > begin else 0
        dates: list[datetime.date] = []
        while (date := add_cycles(anchor, unit, every, cycle)) <= end:
            if date >= begin:
                dates.append(date)
            cycle += 1
        return dates

    @staticmethod
    def for_user(user_id: int) -> list[Subscription]:
        """The account's subscriptions, next payment first."""
        query = (
            select(Subscription)
            .where(Subscription.user_id == user_id)
            .order_by(Subscription.active.desc(), Subscription.next_payment, Subscription.name)
        )
        return list(db.session.scalars(query))

    @staticmethod
    def move_to(entry: ListEntry, replacement: ListEntry | None) -> None:
        """Point the subscriptions that use entry at replacement (or at nothing); uncommitted."""
        column = getattr(Subscription, entry.subscription_column)
        db.session.execute(
            update(Subscription)
            .where(column == entry.id)
            .values({entry.subscription_column: replacement.id if replacement else None})
        )

    @staticmethod
    def owned(subscription_id: int, user_id: int) -> Subscription | None:
        """The subscription, if it belongs to this account."""
        return db.session.scalar(
            select(Subscription).where(
                Subscription.id == subscription_id, Subscription.user_id == user_id
            )
        )

    @staticmethod
    def in_reminder_window(first_day: datetime.date, last_day: datetime.date) -> list[Subscription]:
        """Subscriptions with a reminder window touching first_day..last_day (index-backed)."""
        query = (
            select(Subscription)
            .where(Subscription.remind_from <= last_day, Subscription.remind_until >= first_day)
            .options(selectinload(Subscription.user).selectinload(User.email_settings))
        )
        return list(db.session.scalars(query))

    @staticmethod
    def overdue_auto_renewals(today: datetime.date) -> list[Subscription]:
        """Auto-renewing subscriptions whose payment date has passed."""
        query = select(Subscription).where(
            Subscription.auto_renew.is_(True),
            Subscription.active.is_(True),
            Subscription.next_payment < today,
        )
        return list(db.session.scalars(query))
