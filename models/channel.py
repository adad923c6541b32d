"""Each account's push channels: what the page stores, and the one Target built of it."""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, LargeBinary, String, Table, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from channels import KINDS, Kind, Target
from models.account_lists import Category
from models.base import Base, db, utcnow
from models.email_settings import address_policy
from models.secrets import decrypt, encrypt

if TYPE_CHECKING:
    from models.subscription import Subscription
    from models.user import User

TRUST_VALUES = ("verify", "ca", "any")
EMAIL_CHANNEL = "email"

channel_category = Table(
    "channel_category",
    Base.metadata,
    Column("channel_id", ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class Channel(Base):
    """One place an account's reminders go besides email: ntfy, Telegram, a webhook…"""

    __tablename__ = "channel"
    __table_args__ = (CheckConstraint(f"trust IN {TRUST_VALUES!r}", name="channel_trust_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship()
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(default=True)
    # The kind's plain fields as JSON; the secret ones are encrypted together.
    settings: Mapped[str] = mapped_column(Text, default="{}")
    secrets_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    trust: Mapped[str] = mapped_column(String(8), default="verify")
    ca_certificates: Mapped[str] = mapped_column(Text, default="")
    only_categories: Mapped[bool] = mapped_column(default=False)
    categories: Mapped[list[Category]] = relationship(secondary=channel_category)
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @staticmethod
    def for_user(user_id: int) -> list[Channel]:
        """The account's channels, in the order they were added."""
        query = select(Channel).where(Channel.user_id == user_id).order_by(Channel.id)
        return list(db.session.scalars(query))

    @staticmethod
    def enabled_ones() -> list[Channel]:
        """Every account's enabled channels: what a reminder run sends to besides email."""
        return list(db.session.scalars(select(Channel).where(Channel.enabled)))

    @staticmethod
    def owned(channel_id: int, user_id: int) -> Channel | None:
        """The channel, if it belongs to this account."""
        query = select(Channel).where(Channel.id == channel_id, Channel.user_id == user_id)
        return db.session.scalar(query)

    @property
    def kind_info(self) -> Kind:
        """The declaration of this channel's kind."""
        return KINDS[self.kind]

    @property
    def key(self) -> str:
        """How delivery records name this channel."""
        return f"channel:{self.id}"

    def values(self) -> dict[str, str]:
        """The plain (not secret) field values."""
        stored = json.loads(self.settings or "{}")
        return {str(name): str(value) for name, value in stored.items()}

    def secret_values(self) -> dict[str, str]:
        """The secret field values in plain text; UndecryptableSecret with another key."""
        if self.secrets_encrypted is None:
            return {}
        return {str(k): str(v) for k, v in json.loads(decrypt(self.secrets_encrypted)).items()}

    def store(self, values: dict[str, str], secrets: dict[str, str]) -> None:
        """Keep the plain values as they are and the secret ones encrypted."""
        self.settings = json.dumps(values, sort_keys=True)
        kept = {name: value for name, value in secrets.items() if value}
        self.secrets_encrypted = encrypt(json.dumps(kept, sort_keys=True)) if kept else None

    @property
    def server(self) -> str:
        """The server the stored secrets belong to."""
        return self.kind_info.server(self.values())

    def wants(self, subscription: Subscription) -> bool:
        """Whether this channel gets the subscription's reminders."""
        if not self.only_categories:
            return True
        return subscription.category_id in {category.id for category in self.categories}

    def target(self) -> Target:
        """The transport's target for this channel: the one place one is built.

        The reminder job and the page's test button (on unsaved values applied to
        a channel that is not saved) both use it.
        """
        kind = self.kind_info
        own_trust = kind.self_hosted  # hosted services are always checked against the system
        values = self.values()
        secrets = self.secret_values()
        url = kind.build({**values, **secrets})
        return Target(
            kind=self.kind,
            url=url,
            secrets=[value for value in secrets.values() if value],
            verify_certificate=not (own_trust and self.trust == "any"),
            ca_certificates=self.ca_certificates if own_trust and self.trust == "ca" else None,
            address_refusal=address_policy(self.user) if kind.self_hosted else None,
            method=values.get("method", "POST"),
            body_template=values.get("body", ""),
        )
