"""Accounts: the first one is the administrator."""

from __future__ import annotations

import datetime
import functools
import re
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Index, Numeric, String, func, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import Base, db, utcnow

if TYPE_CHECKING:
    from models.email_settings import EmailSettings

MAX_USERNAME_LENGTH = 64


def new_session_stamp() -> str:
    """A fresh random stamp; sessions carrying an older one are no longer valid."""
    return secrets.token_hex(16)


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown usernames against, so they cost as much time as known ones."""
    return generate_password_hash(secrets.token_hex(16))


class User(Base):
    """A person with a login, their own email settings and subscriptions."""

    __tablename__ = "user"
    __table_args__ = (
        # Exactly one administrator, the first account: concurrent set-ups cannot make two.
        Index(
            "user_one_admin",
            "is_admin",
            unique=True,
            sqlite_where=text("is_admin"),
            postgresql_where=text("is_admin"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(MAX_USERNAME_LENGTH), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    # How amounts are written: "en" (€12.99), "de" (12,99 €)…
    locale: Mapped[str] = mapped_column(String(16), default="en")
    # What the account means to spend a month, in its main currency.
    monthly_budget: Mapped[Decimal | None] = mapped_column(Numeric(12, 2), default=None)
    # Whether exchange rates come from the European Central Bank's daily feed.
    ecb_rates: Mapped[bool] = mapped_column(default=True)
    # The secret in the private calendar feed's address; a new one revokes the old.
    ics_token: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # Part of every session's id: changing it ends every session of the account.
    session_stamp: Mapped[str] = mapped_column(String(32), default=new_session_stamp)
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    email_settings: Mapped[EmailSettings] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login's interface, spelled out so the class stays fully typed.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: the account and its session stamp."""
        return f"{self.id}:{self.session_stamp}"

    def end_sessions(self) -> None:
        """Make every existing session of this account invalid."""
        self.session_stamp = new_session_stamp()

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password; sessions from before end."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def check_password(self, password: str) -> bool:
        """Whether password is this account's."""
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def authenticate(username: str, password: str) -> User | None:
        """The account these credentials open, in the same time whether it exists or not."""
        user = User.by_username(username)
        if user is None:
            check_password_hash(_dummy_hash(), password)
            return None
        return user if user.check_password(password) else None

    @staticmethod
    def by_session_id(session_id: str) -> User | None:
        """The account a session id names, if its stamp is still current."""
        user_id, _, stamp = session_id.partition(":")
        if not re.fullmatch(r"[0-9]{1,18}", user_id) or not stamp:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not secrets.compare_digest(user.session_stamp, stamp):
            return None
        return user

    def new_ics_token(self) -> str:
        """Give the calendar feed a new address; the old one stops working (uncommitted)."""
        self.ics_token = secrets.token_urlsafe(32)
        return self.ics_token

    @staticmethod
    def by_ics_token(token: str) -> User | None:
        """The account whose calendar feed this token opens."""
        if len(token) < 32:
            return None
        return db.session.scalar(select(User).where(User.ics_token == token))

    @staticmethod
    def any_exist() -> bool:
        """Whether any account has been created yet."""
        return bool(db.session.scalar(select(func.count()).select_from(User)))

    @staticmethod
    def by_username(username: str) -> User | None:
        """The account with this username, if any."""
        return db.session.scalar(select(User).where(User.username == username))
