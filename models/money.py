"""Exchange rates per account, and amounts converted into the account's main currency."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, db

# A rate older than this is still used, but the page says so.
STALE_AFTER = datetime.timedelta(days=7)
CENT = Decimal("0.01")


class ExchangeRate(Base):
    """How many units of a currency one unit of the account's main currency buys."""

    __tablename__ = "exchange_rate"
    __table_args__ = (UniqueConstraint("user_id", "currency", name="exchange_rate_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    per_main: Mapped[Decimal] = mapped_column(Numeric(24, 10))
    as_of: Mapped[datetime.date] = mapped_column(Date)
    # "manual" (typed by the account) or "ecb" (the European Central Bank's feed).
    source: Mapped[str] = mapped_column(String(8), default="manual")

    @staticmethod
    def for_user(user_id: int) -> dict[str, ExchangeRate]:
        """The account's rates by currency."""
        rows = db.session.scalars(select(ExchangeRate).where(ExchangeRate.user_id == user_id))
        return {rate.currency: rate for rate in rows}

    @staticmethod
    def put(
        user_id: int, currency: str, per_main: Decimal, as_of: datetime.date, source: str
    ) -> None:
        """Set the account's rate for currency (uncommitted)."""
        rate = ExchangeRate.for_user(user_id).get(currency)
        if rate is None:
            rate = ExchangeRate(user_id=user_id, currency=currency)
            db.session.add(rate)
        rate.per_main, rate.as_of, rate.source = per_main, as_of, source


@dataclass
class Total:
    """A sum in the main currency, and what could not be counted right."""

    currency: str
    amount: Decimal = Decimal(0)
    missing: set[str] = field(default_factory=set)
    stale: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        """Whether every amount was converted with a rate."""
        return not self.missing


def total_in(
    main: str,
    amounts: Iterable[tuple[Decimal, str]],
    rates: dict[str, ExchangeRate],
    today: datetime.date,
) -> Total:
    """The sum of amounts in the main currency; currencies without a rate are left out, named."""
    total = Total(main)
    for amount, currency in amounts:
        if currency == main:
            total.amount += amount
            continue
        rate = rates.get(currency)
        if rate is None or not rate.per_main:
            total.missing.add(currency)
            continue
        if today - rate.as_of > STALE_AFTER:
            total.stale.add(currency)
        total.amount += amount / rate.per_main
    total.amount = total.amount.quantize(CENT)
    return total
