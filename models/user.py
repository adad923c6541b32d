"""Accounts: the first one is the administrator."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from models.base import Base, db, utcnow

if TYPE_CHECKING:
    from models.email_settings import EmailSettings


class User(Base):
    """A person with a login, their own email settings and subscriptions."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_admin: Mapped[bool] = mapped_column(default=False)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    email_settings: Mapped[EmailSettings] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login's interface, spelled out so the class stays fully typed.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session."""
        return str(self.id)

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Whether password is this account's."""
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def any_exist() -> bool:
        """Whether any account has been created yet."""
        return bool(db.session.scalar(select(func.count()).select_from(User)))

    @staticmethod
    def by_username(username: str) -> User | None:
        """The account with this username, if any."""
        return db.session.scalar(select(User).where(User.username == username))
