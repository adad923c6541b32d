"""The email notification settings page and its "Send test email" button."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from mailer import (
    MailError,
    Security,
    SendReceipt,
    compose,
    port_mismatch,
    send_message,
)
from models import SECURITY_VALUES, EmailSettings, UndecryptableSecret, db
from views.forms import NotificationSettingsForm

bp = Blueprint("notifications", __name__, url_prefix="/settings")

_COMMON_PORTS = (25, 465, 587, 2525)


@dataclass(frozen=True)
class TestOutcome:
    """What happened when a test email was sent: a receipt or an error."""

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
        }
    )


def _render(
    form: NotificationSettingsForm,
    settings: EmailSettings,
    outcome: TestOutcome | None = None,
    status: int = 200,
) -> tuple[str, int]:
    security = Security(form.security.data) if form.security.data in SECURITY_VALUES else None
    port_warnings = {
        f"{choice.value}:{port}": port_mismatch(choice, port)
        for choice in Security
        for port in _COMMON_PORTS
    }
    page = render_template(
        "notifications.html",
        form=form,
        settings=settings,
        outcome=outcome,
        port_warning=port_mismatch(security, form.port.data)
        if security and isinstance(form.port.data, int)
        else None,
        port_warnings_json=json.dumps({k: v for k, v in port_warnings.items() if v}),
        conventional_ports_json=json.dumps({s.value: s.conventional_port for s in Security}),
        plain_password_warning=security is Security.NONE and bool(form.username.data),
    )
    return page, status


@bp.get("/notifications")
def settings_page() -> tuple[str, int]:
    """Show the settings as stored; the password never leaves the server."""
    settings = account_settings()
    return _render(_form_from(settings), settings)


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
    values = form.cleaned()
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
    db.session.commit()
    flash("Settings saved.")
    return redirect(url_for(".settings_page"))


@bp.post("/notifications/test")
def send_test() -> tuple[str, int]:
    """Send a test email with the form's values, saved or not, and show what happened."""
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
    message = compose(
        config,
        to=[values.test_recipient],
        subject="Dues test email",
        text=render_template("email/test.txt", config=config),
        html=render_template("email/test.html", config=config),
    )
    started = time.monotonic()
    try:
        receipt = send_message(config, message)
    except MailError as error:
        outcome = TestOutcome(values.test_recipient, time.monotonic() - started, error=error)
    else:
        outcome = TestOutcome(values.test_recipient, time.monotonic() - started, receipt=receipt)
    return _render(form, settings, outcome)
