"""OAuth 2.0 tokens of an account's mailbox: encrypted, refreshed by one process at a time."""

from __future__ import annotations

import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, select, update
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, db
from models.secrets import decrypt, encrypt


class OAuthToken(Base):
    """The tokens one account's mail settings were connected with."""

    __tablename__ = "oauth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    settings_id: Mapped[int] = mapped_column(
        ForeignKey("email_settings.id", ondelete="CASCADE"), unique=True
    )
    # Real tokens run to several kilobytes; encrypted, a little more.
    access_token_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    refresh_token_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    expires_at: Mapped[datetime.datetime]
    # When the refresh token was issued: a quiet instance renews it before providers
    # forget it (Microsoft: 90 days without use).
    refresh_issued_at: Mapped[datetime.datetime]
    connected_as: Mapped[str] = mapped_column(String(254), default="")
    reconnect_needed: Mapped[bool] = mapped_column(default=False)
    reconnect_reason: Mapped[str] = mapped_column(String(500), default="")
    version: Mapped[int] = mapped_column(default=1)
    refreshing_until: Mapped[datetime.datetime | None] = mapped_column(default=None)

    @property
    def access_token(self) -> str:
        """The access token in plain text."""
        return decrypt(self.access_token_encrypted)

    @property
    def refresh_token(self) -> str:
        """The refresh token in plain text, or '' when the flow gives none (app-only)."""
        token = self.refresh_token_encrypted
        return decrypt(token) if token else ""

    @staticmethod
    def of(settings_id: int) -> OAuthToken | None:
        """The tokens of these settings, read afresh from the database."""
        query = (
            select(OAuthToken)
            .where(OAuthToken.settings_id == settings_id)
            .execution_options(populate_existing=True)
        )
        return db.session.scalar(query)

    @staticmethod
    def save(
        settings_id: int,
        *,
        access_token: str,
        refresh_token: str,
        expires_at: datetime.datetime,
        now: datetime.datetime,
        connected_as: str,
    ) -> None:
        """Store the tokens of a new connection, replacing any earlier ones; commits."""
        row = OAuthToken.of(settings_id) or OAuthToken(settings_id=settings_id, version=0)
        row.access_token_encrypted = encrypt(access_token)
        row.refresh_token_encrypted = encrypt(refresh_token) if refresh_token else None
        row.expires_at = expires_at
        row.refresh_issued_at = now
        row.connected_as = connected_as
        row.reconnect_needed = False
        row.reconnect_reason = ""
        row.version += 1
        row.refreshing_until = None
        db.session.add(row)
        db.session.commit()

    def claim_refresh(
        self, version: int, now: datetime.datetime, lease: datetime.timedelta
    ) -> bool:
        """Become the one refresher of this version; False when another process is."""
        claimed = db.session.execute(
            update(OAuthToken)
            .where(
                OAuthToken.id == self.id,
                OAuthToken.version == version,
                OAuthToken.refreshing_until.is_(None) | (OAuthToken.refreshing_until < now),
            )
            .values(refreshing_until=now + lease)
        )
        db.session.commit()
        return bool(claimed.rowcount)  # type: ignore[attr-defined]

    def store_refreshed(
        self,
        version: int,
        *,
        access_token: str,
        refresh_token: str,
        expires_at: datetime.datetime,
        now: datetime.datetime,
    ) -> None:
        """Store a refresh of the claimed version as the next version, atomically; commits."""
        values: dict[str, object] = {
            "access_token_encrypted": encrypt(access_token),
            "expires_at": expires_at,
            "version": version + 1,
            "refreshing_until": None,
        }
        if refresh_token:
            # A rotated refresh token replaces the old one, which the provider now refuses.
            values["refresh_token_encrypted"] = encrypt(refresh_token)
            values["refresh_issued_at"] = now
        db.session.execute(
            update(OAuthToken)
            .where(OAuthToken.id == self.id, OAuthToken.version == version)
            .values(**values)
        )
        db.session.commit()

    def mark_reconnect_needed(self, reason: str) -> None:
        """The grant is gone (revoked, expired): nothing but a new connection helps; commits."""
        db.session.execute(
            update(OAuthToken)
            .where(OAuthToken.id == self.id)
            .values(reconnect_needed=True, reconnect_reason=reason[:500], refreshing_until=None)
        )
        db.session.commit()

    def release_refresh(self) -> None:
        """Give up the refresh claim after a temporary failure; commits."""
        db.session.execute(
            update(OAuthToken).where(OAuthToken.id == self.id).values(refreshing_until=None)
        )
        db.session.commit()

    @staticmethod
    def forget(settings_id: int) -> None:
        """Disconnect: delete the tokens; commits."""
        row = OAuthToken.of(settings_id)
        if row is not None:
            db.session.delete(row)
            db.session.commit()
