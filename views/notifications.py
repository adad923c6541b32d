"""The email notification settings page, "Send test email" and "Send a sample reminder"."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from mailer import (
    Security,
    port_mismatch,
)
from models import (
    SECURITY_VALUES,
    EmailSettings,
    Subscription,
    address_policy,
    db,
    format_offsets,
)
from views.forms import NotificationSettings, NotificationSettingsForm

bp = Blueprint("notifications", __name__, url_prefix="/settings")

_COMMON_PORTS = (25, 465, 587, 2525)


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
            "ca_certificates": settings.ca_certificates,
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


def render_page(
    form: NotificationSettingsForm,
    settings: EmailSettings,
    status: int = 200,
    **result: object,
) -> tuple[str, int]:
    """The page with the form as given and, in its result panel, what result holds."""
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
        port_warning=port_mismatch(security, port) if security and port else None,
        port_warnings_json=json.dumps({key: text for key, text in port_warnings.items() if text}),
        conventional_ports_json=json.dumps({s.value: s.conventional_port for s in Security}),
        plain_password_warning=security is Security.NONE and bool(form.username.data),
        **result,
    )
    return page, status


@bp.get("/notifications")
def settings_page() -> tuple[str, int]:
    """Show the settings as stored; the password never leaves the server."""
    settings = account_settings()
    return render_page(_form_from(settings), settings)


def _store(values: NotificationSettings, settings: EmailSettings) -> None:
    settings.enabled = values.enabled
    settings.host = values.host
    settings.port = values.port
    settings.security = values.security.value
    settings.verify_certificate = values.verify_certificate
    settings.ca_certificates = values.ca_certificates
    if values.forget_pinned:
        settings.pinned_fingerprint = None
    settings.username = values.username
    if values.new_password:
        settings.store_password(values.new_password)
    elif values.clear_password:
        settings.forget_password()
    settings.from_email = values.from_email
    settings.from_name = values.from_name
    settings.other_recipients = ", ".join(values.other_recipients)
    settings.timeout = values.timeout
    offsets_changed = values.default_offsets != settings.default_offset_list
    settings.default_offsets = format_offsets(values.default_offsets)
    settings.send_hour = values.send_hour
    settings.digest = values.digest
    current_user.timezone = values.timezone
    if offsets_changed:
        # Only the windows of subscriptions that follow the default move.
        for subscription in Subscription.for_user(current_user.id):
            subscription.update_reminder_window(values.default_offsets)


@bp.post("/notifications")
def save() -> Response | tuple[str, int]:
    """Validate and store the settings, or show each field's error and store nothing."""
    settings = account_settings()
    form = NotificationSettingsForm()
    valid = form.validate()
    allowed = form.refuse_internal_host(address_policy(current_user))
    valid = valid and allowed
    if valid and form.enabled.data:
        valid = form.require_sending_fields(for_test=False)
    if not valid:
        db.session.rollback()
        return render_page(form, settings, status=422)
    _store(form.cleaned(), settings)
    db.session.commit()
    flash("Settings saved.")
    return redirect(url_for(".settings_page"))
