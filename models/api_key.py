"""An account's key for the read-only API, kept as a digest: it is shown once, when made."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, db, utcnow

PREFIX = "dues_"


def _digest(key: str) -> str:
    # The key is 192 random bits: a fast hash is enough, no stretching needed.
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(Base):
    """The one API key of an account; a new one replaces it."""

    __tablename__ = "api_key"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)

    @staticmethod
    def of(user_id: int) -> ApiKey | None:
        """The account's key, if it has one."""
        return db.session.get(ApiKey, user_id)

    @staticmethod
    def make(user_id: int) -> str:
        """A new key for the account, replacing any earlier one; the key itself (uncommitted)."""
        key = PREFIX + secrets.token_urlsafe(24)
        ApiKey.revoke(user_id)
        db.session.add(ApiKey(user_id=user_id, digest=_digest(key)))
        return key

    @staticmethod
    def revoke(user_id: int) -> None:
        """The account's key stops working (uncommitted)."""
        db.session.execute(delete(ApiKey).where(ApiKey.user_id == user_id))
        db.session.flush()

    @staticmethod
    def account_for(key: str) -> int | None:
        """The id of the account key belongs to, if any."""
        if not key.startswith(PREFIX) or len(key) > 100:
            return None
        return db.session.scalar(select(ApiKey.user_id).where(ApiKey.digest == _digest(key)))
