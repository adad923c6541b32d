"""Where an account is logged in: one row per log-in, so each device logs out on its own."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, delete, func, select, update
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from models.base import Base, db

if TYPE_CHECKING:
    from models.user import User

# A log-in nobody used for this long is over, whether or not its cookie still exists.
IDLE_LIMIT = datetime.timedelta(days=30)
# How stale "last seen" may get before a request writes it again.
SEEN_EVERY = datetime.timedelta(minutes=5)
_SESSION_ID = re.compile(r"^([0-9]{1,18}):([A-Za-z0-9_-]{32})$")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(Base):
    """One log-in of an account: its cookie holds the token, the database only a digest."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    # Whether "Stay logged in" was ticked, so a renewed log-in keeps the choice.
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime.datetime]
    last_seen_at: Mapped[datetime.datetime] = mapped_column(index=True)

    @staticmethod
    def open(user: User, user_agent: str, now: datetime.datetime, remember: bool) -> str:
        """Start a log-in of user; the session id Flask-Login keeps (uncommitted)."""
        db.session.execute(delete(LoginSession).where(LoginSession.last_seen_at < now - IDLE_LIMIT))
        token = secrets.token_urlsafe(24)
        found = LoginSession(
            user=user,
            digest=_digest(token),
            user_agent=user_agent[:200],
            remember=remember,
            created_at=now,
            last_seen_at=now,
        )
        db.session.add(found)
        user.login_session, user.session_id = found, f"{user.id}:{token}"
        return user.session_id

    @staticmethod
    def user_for(session_id: str, now: datetime.datetime) -> User | None:
        """The account a session id logs in, while its log-in lasts."""
        matched = _SESSION_ID.match(session_id)
        if matched is None:
            return None
        found = db.session.scalar(
            select(LoginSession)
            .options(joinedload(LoginSession.user))  # one query for every request
            .where(LoginSession.digest == _digest(matched[2]))
        )
        if found is None or found.user_id != int(matched[1]):
            return None
        if found.last_seen_at < now - IDLE_LIMIT:
            return None
        found.user.login_session, found.user.session_id = found, session_id
        return found.user

    def seen(self, now: datetime.datetime) -> None:
        """Note that the log-in is in use now, at most once every few minutes (commits)."""
        if now - self.last_seen_at > SEEN_EVERY:
            db.session.execute(
                update(LoginSession).where(LoginSession.id == self.id).values(last_seen_at=now)
            )
            db.session.commit()

    @staticmethod
    def of(user_id: int) -> list[LoginSession]:
        """The account's log-ins, the most recently used first."""
        return list(
            db.session.scalars(
                select(LoginSession)
                .where(LoginSession.user_id == user_id)
                .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
            )
        )

    @staticmethod
    def last_uses() -> dict[int, datetime.datetime]:
        """When each account with a log-in last used one, by account id."""
        rows = db.session.execute(
            select(LoginSession.user_id, func.max(LoginSession.last_seen_at)).group_by(
                LoginSession.user_id
            )
        )
        return {user_id: last for user_id, last in rows}

    @staticmethod
    def end(user_id: int, session_id: int | None = None) -> None:
        """End one log-in of the account, or every one (uncommitted)."""
        ending = delete(LoginSession).where(LoginSession.user_id == user_id)
        if session_id is not None:
            ending = ending.where(LoginSession.id == session_id)
        db.session.execute(ending)

    @staticmethod
    def lasts(session_id: int) -> bool:
        """Whether the log-in has not been ended."""
        found = db.session.scalar(select(LoginSession.id).where(LoginSession.id == session_id))
        return found is not None
