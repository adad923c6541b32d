"""What an account manages as lists: categories, payment methods and household members."""

from __future__ import annotations

from typing import Self

from sqlalchemy import ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from models.base import Base, db


class ListEntry(Base):
    """One named entry of an account's list, in the order the account chose."""

    __abstract__ = True

    # The Subscription column that points at entries of this list.
    subscription_column: str

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:  # noqa: N805 - SQLAlchemy's hook
        return (UniqueConstraint("user_id", "name", name=f"{cls.__tablename__}_name_once"),)

    @classmethod
    def for_user(cls, user_id: int) -> list[Self]:
        """The account's entries, in their order."""
        query = select(cls).where(cls.user_id == user_id).order_by(cls.position, cls.id)
        return list(db.session.scalars(query))

    @classmethod
    def owned(cls, entry_id: int, user_id: int) -> Self | None:
        """The entry, if it belongs to this account."""
        return db.session.scalar(select(cls).where(cls.id == entry_id, cls.user_id == user_id))

    @classmethod
    def named(cls, user_id: int, name: str) -> Self | None:
        """The account's entry with this name, if any."""
        return db.session.scalar(select(cls).where(cls.user_id == user_id, cls.name == name))

    @classmethod
    def add(cls, user_id: int, name: str) -> Self:
        """A new entry at the end of the account's list (uncommitted)."""
        last = db.session.scalar(select(func.max(cls.position)).where(cls.user_id == user_id))
        entry = cls(user_id=user_id, name=name, position=(last or 0) + 1)
        db.session.add(entry)
        return entry

    def move(self, step: int) -> None:
        """Swap places with the neighbour above (-1) or below (+1), if there is one."""
        entries = type(self).for_user(self.user_id)
        index = entries.index(self)
        other = index + step
        if 0 <= other < len(entries):
            entries[index], entries[other] = entries[other], entries[index]
            for position, entry in enumerate(entries, start=1):
                entry.position = position


class Category(ListEntry):
    """What a subscription is for: streaming, software, insurance…"""

    __tablename__ = "category"
    subscription_column = "category_id"


class PaymentMethod(ListEntry):
    """How a subscription is paid: a card, PayPal, a bank transfer…"""

    __tablename__ = "payment_method"
    subscription_column = "payment_method_id"


class HouseholdMember(ListEntry):
    """Someone in the household who pays for subscriptions, and gets their reminders."""

    __tablename__ = "household_member"
    subscription_column = "payer_id"

    email: Mapped[str] = mapped_column(String(254), default="")
