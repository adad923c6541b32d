"""Accounts: the first one is the administrator."""

from __future__ import annotations

import datetime
import functools
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import Index, Numeric, String, func, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import Base, db, utcnow
from models.login_session import LoginSession

if TYPE_CHECKING:
    from models.email_settings import EmailSettings

MAX_USERNAME_LENGTH = 64


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
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    email_settings: Mapped[EmailSettings] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Not columns: the log-in this object was loaded through (the current user's), and
    # the id Flask-Login keeps for it.
    __allow_unmapped__ = True
    login_session: LoginSession | None = None
    session_id: str = ""

    # Flask-Login's interface, spelled out so the class stays fully typed.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: the account and its log-in's token."""
        return self.session_id

    def end_sessions(self) -> None:
        """End every log-in of this account, on every device (uncommitted)."""
        if self.id is not None:  # an account not yet stored has none
            LoginSession.end(self.id)

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
