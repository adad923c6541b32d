"""Each account's SMTP settings and reminder preferences."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mailer import Security, SmtpConfig, default_ehlo_name
from models.app_settings import AppSettings
from models.base import Base, utcnow
from models.billing import parse_offsets
from models.lists import split_list
from models.secrets import decrypt, encrypt

if TYPE_CHECKING:
    from models.user import User

SECURITY_VALUES = tuple(security.value for security in Security)


def address_policy(user: User) -> Callable[[str], str | None] | None:
    """What the mailer may connect to for user: anything for the admin, else public hosts."""
    return None if user.is_admin else AppSettings.current().address_refusal


def fallback_ehlo_name() -> str:
    """The EHLO name used when none is set: the machine's FQDN, else the host of BASE_URL."""
    return default_ehlo_name(urlsplit(str(current_app.config["BASE_URL"])).hostname or "localhost")


class EmailSettings(Base):
    """How to reach this account's mail server, and whom to tell."""

    __tablename__ = "email_settings"
    __table_args__ = (
        CheckConstraint(f"security IN {SECURITY_VALUES!r}", name="email_settings_security_known"),
        CheckConstraint("port BETWEEN 1 AND 65535", name="email_settings_port_range"),
        CheckConstraint("timeout BETWEEN 1 AND 120", name="email_settings_timeout_range"),
        CheckConstraint("send_hour BETWEEN 0 AND 23", name="email_settings_send_hour_range"),
        CheckConstraint(
            "auth_method IN ('password', 'oauth')", name="email_settings_auth_method_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), unique=True)
    user: Mapped[User] = relationship(back_populates="email_settings")
    enabled: Mapped[bool] = mapped_column(default=False)
    host: Mapped[str] = mapped_column(String(253), default="")
    port: Mapped[int] = mapped_column(default=587)
    security: Mapped[str] = mapped_column(String(8), default=Security.STARTTLS.value)
    verify_certificate: Mapped[bool] = mapped_column(default=True)
    ca_certificates: Mapped[str] = mapped_column(Text, default="")
    pinned_fingerprint: Mapped[str | None] = mapped_column(String(95), default=None)
    username: Mapped[str] = mapped_column(String(254), default="")
    password_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    from_email: Mapped[str] = mapped_column(String(254), default="")
    from_name: Mapped[str] = mapped_column(String(100), default="Dues")
    other_recipients: Mapped[str] = mapped_column(Text, default="")
    timeout: Mapped[int] = mapped_column(default=15)
    ehlo_name: Mapped[str] = mapped_column(String(253), default="")
    # "password", or "oauth": then Dues logs in as oauth_sign_in with an OAuth 2.0 token.
    auth_method: Mapped[str] = mapped_column(String(8), default="password")
    oauth_provider: Mapped[str] = mapped_column(String(16), default="microsoft")
    oauth_flow: Mapped[str] = mapped_column(String(8), default="browser")
    oauth_client_id: Mapped[str] = mapped_column(String(255), default="")
    oauth_client_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    oauth_tenant: Mapped[str] = mapped_column(String(100), default="")
    oauth_sign_in: Mapped[str] = mapped_column(String(254), default="")
    oauth_authorize_url: Mapped[str] = mapped_column(String(500), default="")
    oauth_token_url: Mapped[str] = mapped_column(String(500), default="")
    oauth_device_url: Mapped[str] = mapped_column(String(500), default="")
    oauth_scopes: Mapped[str] = mapped_column(String(500), default="")
    default_offsets: Mapped[str] = mapped_column(String(100), default="1")
    send_hour: Mapped[int] = mapped_column(default=9)
    digest: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def ignore_verification(self) -> bool:
        """Whether any certificate is accepted: the form's "Ignore SSL verification"."""
        return not self.verify_certificate

    @ignore_verification.setter
    def ignore_verification(self, ignore: bool) -> None:
        self.verify_certificate = not ignore

    @property
    def server_identity(self) -> tuple[str, int, str]:
        """What the stored password belongs to: it is kept only while these stay the same."""
        return (self.host, self.port, self.username)

    @property
    def uses_oauth(self) -> bool:
        """Whether Dues logs in with an OAuth 2.0 token rather than a password."""
        return self.auth_method == "oauth"

    @property
    def oauth_client_identity(self) -> tuple[str, str, str, str]:
        """What the client secret belongs to: kept only while these stay the same."""
        return (self.oauth_provider, self.oauth_tenant, self.oauth_client_id, self.oauth_token_url)

    @property
    def has_client_secret(self) -> bool:
        """Whether an OAuth client secret is stored."""
        return self.oauth_client_secret_encrypted is not None

    def store_client_secret(self, secret: str) -> None:
        """Keep the OAuth client secret, encrypted."""
        self.oauth_client_secret_encrypted = encrypt(secret)

    def forget_client_secret(self) -> None:
        """Remove the stored OAuth client secret."""
        self.oauth_client_secret_encrypted = None

    def client_secret(self) -> str:
        """The stored client secret in plain text, or '' when none is stored."""
        secret = self.oauth_client_secret_encrypted
        return decrypt(secret) if secret else ""

    @property
    def has_password(self) -> bool:
        """Whether a password is stored."""
        return self.password_encrypted is not None

    def store_password(self, password: str) -> None:
        """Keep the password, encrypted."""
        self.password_encrypted = encrypt(password)

    def forget_password(self) -> None:
        """Remove the stored password."""
        self.password_encrypted = None

    def stored_password(self) -> str:
        """The stored password in plain text, or '' when none is stored."""
        return decrypt(self.password_encrypted) if self.password_encrypted else ""

    @property
    def default_offset_list(self) -> list[int]:
        """The days before a payment that subscriptions without their own are reminded."""
        return parse_offsets(self.default_offsets)

    @property
    def trust(self) -> str:
        """Which certificates these settings accept, in the order that decides."""
        if not self.verify_certificate:
            return "any"
        if self.pinned_fingerprint:
            return "pinned"
        return "ca" if self.ca_certificates else "system"

    @property
    def other_recipient_list(self) -> list[str]:
        """The extra addresses that get every reminder."""
        return split_list(self.other_recipients)

    def smtp_config(self, oauth_token: str = "") -> SmtpConfig:
        """The mailer's config for these settings: the stored password, or the OAuth token.

        The one place an SmtpConfig is built: the reminder job, and the page's test
        buttons (on the unsaved values applied to these settings), both use it.
        """
        return SmtpConfig(
            host=self.host,
            port=self.port,
            security=Security(self.security),
            verify_certificate=self.verify_certificate,
            ca_certificates=self.ca_certificates or None,
            pinned_sha256=self.pinned_fingerprint,
            username=self.oauth_sign_in if self.uses_oauth else self.username,
            password="" if self.uses_oauth else self.stored_password(),
            oauth_token=oauth_token if self.uses_oauth else "",
            timeout=self.timeout,
            sender=self.from_email,
            sender_name=self.from_name,
            ehlo_name=self.ehlo_name or fallback_ehlo_name(),
            address_refusal=address_policy(self.user),
        )
