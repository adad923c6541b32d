"""The forms, with validation that names the field and never lets CR/LF through."""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.fields.core import UnboundField
from wtforms.validators import (
    URL,
    DataRequired,
    Length,
    Optional,
)

from mailer import Security, host_refusal
from models import MAX_USERNAME_LENGTH, User, format_offsets, parse_offsets, split_list
from oauth.providers import FLOW_LABELS, PROVIDERS
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

# "None" is a word to translate; SSL and TLS are names that stay.
SECURITY_CHOICES = [
    SelectChoice(Security.NONE.value, _l("None")),
    SelectChoice(Security.SSL.value, "SSL"),
    SelectChoice(Security.STARTTLS.value, "TLS"),
]


def refuse_json_bodies() -> tuple[str, int] | None:
    """Answer 415 to a JSON body: every page takes a form.

    Flask-WTF would read a JSON body as the form's data, with values of any type
    (a number where a field expects text), which no validator is written for.
    """
    if request.is_json:
        return _("Dues takes forms, not JSON.") + "\n", 415
    return None


def _stripped(value: str | None) -> str:
    return (value or "").strip()


def _address_list(value: str | None) -> str:
    return ", ".join(split_list(value or ""))


def _offset_list(value: str | None) -> str | None:
    """'1,7' as '7, 1'; left as typed when it does not parse, for the validator to name."""
    try:
        return format_offsets(parse_offsets(value)) if isinstance(value, str) else value
    except ValueError:
        return value


def _url_field(label: str) -> URLField:
    return URLField(
        label,
        filters=[_stripped],
        validators=[
            Optional(),
            Length(max=500),
            URL(require_tld=False, message=_l("Enter a URL.")),
        ],
    )


class StoredSettingsForm(FlaskForm):
    """The settings kept in EmailSettings: each field is the column of the same name.

    Declared once here; loading, saving and the test buttons all go by this list,
    so adding a setting is this field plus its column.
    """

    enabled = BooleanField(_l("Enable email notifications"))
    host = StringField(
        _l("SMTP host"), filters=[_stripped], validators=[Length(max=253), valid_host]
    )
    port = whole_number(_l("Port"), 587, 1, 65535, _l("Enter a port from 1 to 65535."))
    security = SelectField(
        _l("Encryption"),
        choices=SECURITY_CHOICES,
        default=Security.STARTTLS.value,
        validate_choice=True,
    )
    ignore_verification = BooleanField(_l("Ignore SSL verification"))
    ca_certificates = TextAreaField(
        _l("Trusted CA certificate (PEM)"),
        filters=[_stripped],
        validators=[Length(max=100_000), valid_ca_bundle],
    )
    username = StringField(
        _l("Username"), filters=[_stripped], validators=[Length(max=254), no_control_characters]
    )
    from_email = EmailAddressField(_l("From email"), validators=[Optional(), valid_address])
    from_name = StringField(
        _l("From name"), filters=[_stripped], validators=[Length(max=100), no_control_characters]
    )
    other_recipients = TextAreaField(
        _l("Other recipients"), filters=[_address_list], validators=[Length(max=2000), address_list]
    )
    timeout = whole_number(
        _l("Timeout (seconds)"), 15, 1, 120, _l("Enter a timeout from 1 to 120 seconds.")
    )
    ehlo_name = StringField(
        _l("EHLO name"), filters=[_stripped], validators=[Length(max=253), valid_host]
    )
    default_offsets = StringField(
        _l("Remind me (days before)"),
        default="1",
        filters=[_offset_list],
        validators=[DataRequired(_l("Enter at least one day, such as 1.")), valid_offsets],
    )
    send_hour = SelectField(
        _l("Send at"),
        choices=[SelectChoice(hour, f"{hour:02d}:00") for hour in range(24)],
        coerce=int,
        default=9,
        validate_choice=True,
    )
    digest = BooleanField(_l("Combine the reminders of a run into one email"), default=True)
    auth_method = SelectField(
        _l("Authentication"),
        choices=[SelectChoice("password", _l("Password")), SelectChoice("oauth", _l("OAuth 2.0"))],
        default="password",
        validate_choice=True,
    )
    oauth_provider = SelectField(
        _l("Provider"),
        choices=[SelectChoice(p.key, _l(p.label)) for p in PROVIDERS.values()],
        default="microsoft",
        validate_choice=True,
    )
    oauth_flow = SelectField(
        _l("How to sign in"),
        choices=[SelectChoice(key, _l(label)) for key, label in FLOW_LABELS.items()],
        default="browser",
        validate_choice=True,
    )
    oauth_client_id = StringField(
        _l("Client ID"), filters=[_stripped], validators=[Length(max=255), no_control_characters]
    )
    oauth_tenant = StringField(
        _l("Tenant"), filters=[_stripped], validators=[Length(max=100), no_control_characters]
    )
    oauth_sign_in = EmailAddressField(_l("Sign-in address"), validators=[Optional(), valid_address])
    oauth_authorize_url = _url_field(_l("Authorization URL"))
    oauth_token_url = _url_field(_l("Token URL"))
    oauth_device_url = _url_field(_l("Device authorization URL (optional)"))
    oauth_scopes = StringField(
        _l("Scopes"), filters=[_stripped], validators=[Length(max=500), no_control_characters]
    )


STORED_SETTINGS = tuple(
    name for name, value in vars(StoredSettingsForm).items() if isinstance(value, UnboundField)
)


class NotificationSettingsForm(StoredSettingsForm):
    """The stored settings, and what the page does with them once: password, trust, test."""

    forget_pinned = BooleanField(_l("Stop trusting this certificate"))
    password = PasswordField(_l("Password"), validators=[Length(max=512), no_control_characters])
    clear_password = BooleanField(_l("Remove the stored password"))
    oauth_client_secret = PasswordField(
        _l("Client secret"), validators=[Length(max=1000), no_control_characters]
    )
    test_recipient = EmailAddressField(_l("Test recipient"), validators=[Optional(), valid_address])
    timezone = SelectField(
        _l("Time zone"),
        default="UTC",
        validate_choice=True,
        # Built once, like the widget's options: each form copies only the list.
        choices=[SelectChoice(name, name) for name in time_zone_choices()],
        widget=TimeZoneSelect(),
    )

    def refuse_internal_host(self, policy: Callable[[str], str | None] | None) -> bool:
        """Add an error to host when policy refuses every address it resolves to."""
        if self.host.errors:
            return True
        refusal = host_refusal(self.host.data or "", policy)
        if refusal:
            self.host.errors = [*self.host.errors, refusal]
            return False
        return True

    def require_sending_fields(self, *, for_test: bool) -> bool:
        """Add an error to each field sending cannot do without; True if none is missing."""
        required: list[tuple[Field, str]] = [
            (self.host, _("Enter the SMTP host.")),
            (self.from_email, _("Enter a From email.")),
        ]
        if self.auth_method.data == "oauth":
            required += self._oauth_requirements()
        if for_test:
            required.append((self.test_recipient, _("Enter who should get the test email.")))
        missing = [(field, message) for field, message in required if not field.data]
        for field, message in missing:
            field.errors = [*field.errors, message]
        return not missing and not self.oauth_flow.errors

    def _oauth_requirements(self) -> list[tuple[Field, str]]:
        """The OAuth fields the chosen provider and flow need."""
        flow = self.oauth_flow.data
        provider = PROVIDERS.get(str(self.oauth_provider.data))
        if provider is not None and flow not in provider.flows:
            self.oauth_flow.errors = [
                *self.oauth_flow.errors,
                _(
                    "%(provider)s does not offer this way of signing in for mail.",
                    provider=provider.label,
                ),
            ]
        required: list[tuple[Field, str]] = [
            (self.oauth_client_id, _("Enter the app's client ID.")),
            (self.oauth_sign_in, _("Enter the mailbox that signs in.")),
        ]
        if self.oauth_provider.data == "other":
            required.append((self.oauth_token_url, _("Enter the token URL.")))
            if flow == "browser":
                required.append((self.oauth_authorize_url, _("Enter the authorization URL.")))
            if flow == "device":
                required.append((self.oauth_device_url, _("Enter the device authorization URL.")))
        return required


class SetupForm(FlaskForm):
    """The first account: the administrator."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Choose a username.")),
            Length(max=MAX_USERNAME_LENGTH),
            no_control_characters,
        ],
    )
    email = EmailAddressField(
        _l("Email"), validators=[DataRequired(_l("Enter your email.")), valid_address]
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(min=8, max=512, message=_l("Use 8 to 512 characters.")),
        ],
    )


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(_l("Enter your username.")),
            Length(max=MAX_USERNAME_LENGTH, message=_l("Wrong username or password.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Enter your password.")),
            Length(max=512, message=_l("Wrong username or password.")),
        ],
    )
    remember = BooleanField(_l("Stay logged in on this device for 30 days"))


class CurrentPasswordForm(FlaskForm):
    """The current password, which every change to how the account logs in asks for."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )

    def confirms(self, user: User) -> bool:
        """Whether the typed password is user's; if not, the field says so."""
        if user.check_password(self.current_password.data or ""):
            return True
        self.current_password.errors = [_("That is not your current password.")]
        return False


class NewPasswordForm(FlaskForm):
    """A new password, as long as a password may be."""

    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Choose a new password.")),
            Length(min=8, max=512, message=_l("Use 8 to 512 characters.")),
        ],
    )
