"""The email notification settings page, "Send test email" and "Send a sample reminder"."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from mailer import (
    MailError,
    Security,
    SendReceipt,
    SmtpConfig,
    compose,
    port_mismatch,
    send_message,
)
from models import (
    SECURITY_VALUES,
    EmailSettings,
    Subscription,
    UndecryptableSecret,
    db,
    format_offsets,
    utcnow,
)
from reminders import ReminderItem, compose_reminder
from views.forms import NotificationSettings, NotificationSettingsForm

bp = Blueprint("notifications", __name__, url_prefix="/settings")

_COMMON_PORTS = (25, 465, 587, 2525)
_SAMPLE_ITEMS = [
    ("Streaming service", Decimal("12.99"), 3),
    ("Cloud storage", Decimal("2.99"), 5),
]


@dataclass(frozen=True)
class SendOutcome:
    """What happened when a message was sent from the page: a receipt or an error."""

    what: str
    recipient: str
    elapsed: float
    receipt: SendReceipt | None = None
    error: MailError | None = None

    @property
    def transcript(self) -> str:
        return self.error.transcript.render() if self.error else ""


def account_settings() -> EmailSettings:
    """The logged-in account's email settings, created on first use."""
    settings: EmailSettings | None = current_user.email_settings
    if settings is None:
        settings = EmailSettings(user=current_user)
        db.session.add(settings)
    return settings


def _form_from(settings: EmailSettings) -> NotificationSettingsForm:
    return NotificationSettingsForm(
        data={
            "enabled": settings.enabled,
            "host": settings.host,
            "port": settings.port,
            "security": settings.security,
            "ignore_verification": not settings.verify_certificate,
            "username": settings.username,
            "from_email": settings.from_email or current_user.email,
            "from_name": settings.from_name,
            "other_recipients": settings.other_recipients,
            "timeout": settings.timeout,
            "test_recipient": current_user.email,
            "default_offsets": settings.default_offsets,
            "send_hour": settings.send_hour,
            "timezone": current_user.timezone,
            "digest": settings.digest,
        }
    )


def _render(
    form: NotificationSettingsForm,
    settings: EmailSettings,
    outcome: SendOutcome | None = None,
    status: int = 200,
) -> tuple[str, int]:
    security = Security(form.security.data) if form.security.data in SECURITY_VALUES else None
    port = form.port.data if isinstance(form.port.data, int) else None
    port_warnings = {
        f"{choice.value}:{common}": port_mismatch(choice, common)
        for choice in Security
        for common in _COMMON_PORTS
    }
    page = render_template(
        "notifications.html",
        form=form,
        settings=settings,
        outcome=outcome,
        port_warning=port_mismatch(security, port) if security and port else None,
        port_warnings_json=json.dumps({key: text for key, text in port_warnings.items() if text}),
        conventional_ports_json=json.dumps({s.value: s.conventional_port for s in Security}),
        plain_password_warning=security is Security.NONE and bool(form.username.data),
    )
    return page, status


@bp.get("/notifications")
def settings_page() -> tuple[str, int]:
    """Show the settings as stored; the password never leaves the server."""
    settings = account_settings()
    return _render(_form_from(settings), settings)


def _store(values: NotificationSettings, settings: EmailSettings) -> None:
    settings.enabled = values.enabled
    settings.host = values.host
    settings.port = values.port
    settings.security = values.security.value
    settings.verify_certificate = values.verify_certificate
    settings.username = values.username
    if values.new_password:
        settings.store_password(values.new_password)
    elif values.clear_password:
        settings.forget_password()
    settings.from_email = values.from_email
    settings.from_name = values.from_name
    settings.other_recipients = ", ".join(values.other_recipients)
    settings.timeout = values.timeout
    settings.default_offsets = format_offsets(values.default_offsets)
    settings.send_hour = values.send_hour
    settings.digest = values.digest
    current_user.timezone = values.timezone
    for subscription in Subscription.for_user(current_user.id):
        subscription.update_reminder_window(values.default_offsets)


@bp.post("/notifications")
def save() -> Response | tuple[str, int]:
    """Validate and store the settings, or show each field's error and store nothing."""
    settings = account_settings()
    form = NotificationSettingsForm()
    valid = form.validate()
    if valid and form.enabled.data:
        valid = form.require_sending_fields(for_test=False)
    if not valid:
        db.session.rollback()
        return _render(form, settings, status=422)
    _store(form.cleaned(), settings)
    db.session.commit()
    flash("Settings saved.")
    return redirect(url_for(".settings_page"))


def _send_from_form(
    what: str, build: Callable[[SmtpConfig, NotificationSettings], EmailMessage]
) -> tuple[str, int]:
    """Send what build makes with the form's values, saved or not, and show the outcome."""
    settings = account_settings()
    form = NotificationSettingsForm()
    valid = form.validate()
    complete = form.require_sending_fields(for_test=True)
    if not (valid and complete):
        return _render(form, settings, status=422)
    values = form.cleaned()
    try:
        config = values.smtp_config(settings.stored_password)
    except UndecryptableSecret as exc:
        form.password.errors = [str(exc)]
        return _render(form, settings, status=422)
    message = build(config, values)
    started = time.monotonic()
    try:
        receipt = send_message(config, message)
    except MailError as error:
        outcome = SendOutcome(what, values.test_recipient, time.monotonic() - started, error=error)
    else:
        outcome = SendOutcome(
            what, values.test_recipient, time.monotonic() - started, receipt=receipt
        )
    return _render(form, settings, outcome)


def _test_message(config: SmtpConfig, values: NotificationSettings) -> EmailMessage:
    return compose(
        config,
        to=[values.test_recipient],
        subject="Dues test email",
        text=render_template("email/test.txt", config=config),
        html=render_template("email/test.html", config=config),
    )


def _sample_reminder(config: SmtpConfig, values: NotificationSettings) -> EmailMessage:
    today = utcnow().date()
    upcoming = [s for s in Subscription.for_user(current_user.id) if s.active][:5]
    items = [
        ReminderItem(
            s.name, "renewal", s.next_payment, (s.next_payment - today).days, s.price, s.currency
        )
        for s in upcoming
        if s.next_payment >= today
    ] or [
        ReminderItem(name, "renewal", today + datetime.timedelta(days=days), days, price, "EUR")
        for name, price, days in _SAMPLE_ITEMS
    ]
    return compose_reminder(config, current_user, items, to=[values.test_recipient], cc=[])


@bp.post("/notifications/test")
def send_test() -> tuple[str, int]:
    """Send a test email and show what happened."""
    return _send_from_form("Test email", _test_message)


@bp.post("/notifications/sample")
def send_sample() -> tuple[str, int]:
    """Send the real reminder email, with the next payments or sample data."""
    return _send_from_form("Sample reminder", _sample_reminder)
