"""The forms, with validation that names the field and never lets CR/LF through."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
)

from mailer import Security, SmtpConfig
from models import EmailSettings, address_policy, parse_offsets, split_addresses
from views.fields import (
    EmailAddressField,
    TimeZoneSelect,
    address_list,
    no_control_characters,
    time_zone_choices,
    valid_address,
    valid_ca_bundle,
    valid_host,
    valid_offsets,
    whole_number,
)


@dataclass(frozen=True, kw_only=True)
class NotificationSettings:
    """What the settings form holds once it is valid."""

    enabled: bool
    host: str
    port: int
    security: Security
    verify_certificate: bool
    ca_certificates: str
    forget_pinned: bool
    username: str
    new_password: str = dataclasses.field(repr=False)
    clear_password: bool
    from_email: str
    from_name: str
    other_recipients: list[str]
    timeout: int
    test_recipient: str
    default_offsets: list[int]
    send_hour: int
    timezone: str
    digest: bool

    def smtp_config(self, stored: EmailSettings) -> SmtpConfig:
        """The mailer's config: these values, with what only the server keeps."""
        if self.new_password:
            password = self.new_password
        elif self.clear_password:
            password = ""
        else:
            password = stored.stored_password()
        return SmtpConfig(
            host=self.host,
            port=self.port,
            security=self.security,
            verify_certificate=self.verify_certificate,
            ca_certificates=self.ca_certificates or None,
            pinned_sha256=None if self.forget_pinned else stored.pinned_fingerprint,
            username=self.username,
            password=password,
            timeout=self.timeout,
            sender=self.from_email,
            sender_name=self.from_name,
            address_refusal=address_policy(stored.user),
        )


SECURITY_CHOICES = [SelectChoice(security.value, security.label) for security in Security]


class NotificationSettingsForm(FlaskForm):
    """The email notification settings, and the test recipient."""

    enabled = BooleanField("Enable email notifications")
    host = StringField("SMTP host", validators=[Length(max=253), valid_host])
    port = whole_number("Port", 587, 1, 65535, "Enter a port from 1 to 65535.")
    security = SelectField(
        "Encryption",
        choices=SECURITY_CHOICES,
        default=Security.STARTTLS.value,
        validate_choice=True,
    )
    ignore_verification = BooleanField("Ignore SSL verification")
    ca_certificates = TextAreaField(
        "Trusted CA certificate (PEM)", validators=[Length(max=100_000), valid_ca_bundle]
    )
    forget_pinned = BooleanField("Stop trusting this certificate")
    username = StringField("Username", validators=[Length(max=254), no_control_characters])
    password = PasswordField("Password", validators=[Length(max=512), no_control_characters])
    clear_password = BooleanField("Remove the stored password")
    from_email = EmailAddressField("From email", validators=[Optional(), valid_address])
    from_name = StringField("From name", validators=[Length(max=100), no_control_characters])
    other_recipients = TextAreaField(
        "Other recipients", validators=[Length(max=2000), address_list]
    )
    timeout = whole_number(
        "Timeout (seconds)", 15, 1, 120, "Enter a timeout from 1 to 120 seconds."
    )
    test_recipient = EmailAddressField("Test recipient", validators=[Optional(), valid_address])
    default_offsets = StringField(
        "Remind me (days before)",
        default="1",
        validators=[DataRequired("Enter at least one day, such as 1."), valid_offsets],
    )
    send_hour = SelectField(
        "Send at",
        choices=[SelectChoice(hour, f"{hour:02d}:00") for hour in range(24)],
        coerce=int,
        default=9,
        validate_choice=True,
    )
    timezone = SelectField(
        "Time zone", default="UTC", validate_choice=True, widget=TimeZoneSelect()
    )
    digest = BooleanField("Combine the reminders of a run into one email", default=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(name, name) for name in time_zone_choices()]

    def cleaned(self) -> NotificationSettings:
        """The validated values, typed; call only after validation passed."""
        return NotificationSettings(
            enabled=bool(self.enabled.data),
            host=self.host.data or "",
            port=int(self.port.data or 0),
            security=Security(self.security.data),
            verify_certificate=not self.ignore_verification.data,
            ca_certificates=(self.ca_certificates.data or "").strip(),
            forget_pinned=bool(self.forget_pinned.data),
            username=(self.username.data or "").strip(),
            new_password=self.password.data or "",
            clear_password=bool(self.clear_password.data),
            from_email=self.from_email.data or "",
            from_name=(self.from_name.data or "").strip(),
            other_recipients=split_addresses(self.other_recipients.data or ""),
            timeout=int(self.timeout.data or 0),
            test_recipient=self.test_recipient.data or "",
            default_offsets=parse_offsets(self.default_offsets.data or ""),
            send_hour=int(self.send_hour.data),
            timezone=str(self.timezone.data),
            digest=bool(self.digest.data),
        )

    def refuse_internal_host(self, policy: Callable[[str], str | None] | None) -> bool:
        """Add an error to host when policy refuses every address it resolves to."""
        if policy is None or not self.host.data or self.host.errors:
            return True
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(self.host.data, None)}
        except OSError:
            return True  # unknown now; the mailer checks again when it connects
        reasons = [policy(str(address)) for address in addresses]
        if all(reasons):
            self.host.errors = [*self.host.errors, str(reasons[0])]
            return False
        return True

    def require_sending_fields(self, *, for_test: bool) -> bool:
        """Add an error to each field sending cannot do without; True if none is missing."""
        required = [(self.host, "Enter the SMTP host."), (self.from_email, "Enter a From email.")]
        if for_test:
            required.append((self.test_recipient, "Enter who should get the test email."))
        missing = [(field, message) for field, message in required if not field.data]
        for field, message in missing:
            field.errors = [*field.errors, message]
        return not missing


class SetupForm(FlaskForm):
    """The first account: the administrator."""

    username = StringField(
        "Username",
        validators=[DataRequired("Choose a username."), Length(max=64), no_control_characters],
    )
    email = EmailAddressField(
        "Email", validators=[DataRequired("Enter your email."), valid_address]
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Choose a password."),
            Length(min=8, max=512, message="Use 8 to 512 characters."),
        ],
    )


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired("Enter your username.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
