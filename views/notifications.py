"""The email notification settings page, "Send test email" and "Send a sample reminder"."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from mailer import (
    Security,
    SmtpConfig,
    port_mismatch,
)
from models import (
    SECURITY_VALUES,
    EmailSettings,
    OAuthToken,
    Subscription,
    address_policy,
    db,
    fallback_ehlo_name,
)
from oauth.providers import PROVIDERS
from views.forms import STORED_SETTINGS, NotificationSettingsForm

bp = Blueprint("notifications", __name__, url_prefix="/settings")

_COMMON_PORTS = (25, 465, 587, 2525)


def trust_texts() -> dict[str, str]:
    """What "Certificate check" says for each way of trusting; the script follows the form."""
    return {
        "any": _("any certificate is accepted, because “Ignore SSL verification” is ticked."),
        "pinned": _("only the certificate you trusted is accepted:"),
        "ca": _("certificates signed by your CA are accepted."),
        "system": _("certificates signed by an authority this system trusts are accepted."),
    }


def ui_text() -> dict[str, str]:
    """What the page's script writes, in the page's language."""
    return {
        "sending": _("Sending…"),
        "copied": _("Copied"),
        "fix": _("Not sent: correct the highlighted fields."),
        "no_answer": _("Not sent: Dues did not answer (%(error)s)."),
        "copied_settings": _(
            "%(security)s on port %(port)s copied into the form: press Save to keep it."
        ),
        "certificate_check": _("Certificate check:"),
    }


def account_settings() -> EmailSettings:
    """The logged-in account's email settings, created on first use."""
    settings: EmailSettings | None = current_user.email_settings
    if settings is None:
        settings = EmailSettings(user=current_user)
        db.session.add(settings)
    return settings


def callback_url() -> str:
    """The address to register at the provider: the page the browser comes back to."""
    base = str(current_app.config["BASE_URL"]).rstrip("/")
    return base + url_for("notifications.oauth_callback")


def form_from_settings(settings: EmailSettings) -> NotificationSettingsForm:
    """The form showing the stored settings; the password never leaves the server."""
    data = {name: getattr(settings, name) for name in STORED_SETTINGS}
    data["from_email"] = settings.from_email or current_user.email
    return NotificationSettingsForm(
        data={**data, "test_recipient": current_user.email, "timezone": current_user.timezone}
    )


def apply_form(form: NotificationSettingsForm, settings: EmailSettings) -> None:
    """Put the form's valid values on settings, uncommitted: the one way the form is stored.

    A blank password keeps the stored one only while the server it belongs to
    (host, port, username) stays the same; otherwise it means no password. The
    OAuth client secret likewise belongs to its provider, tenant, client and token URL.
    """
    identity, client = settings.server_identity, settings.oauth_client_identity
    for name in STORED_SETTINGS:
        if not form[name].errors:
            setattr(settings, name, form[name].data)
    if form.forget_pinned.data:
        settings.pinned_fingerprint = None
    if form.password.data:
        settings.store_password(form.password.data)
    elif form.clear_password.data or settings.server_identity != identity:
        settings.forget_password()
    if form.oauth_client_secret.data:
        settings.store_client_secret(form.oauth_client_secret.data)
    elif settings.oauth_client_identity != client:
        settings.forget_client_secret()


@contextlib.contextmanager
def _applied(form: NotificationSettingsForm, settings: EmailSettings) -> Iterator[EmailSettings]:
    """settings with the form's values for the length of the block; nothing is saved."""
    with db.session.no_autoflush:
        try:
            apply_form(form, settings)
            yield settings
        finally:
            db.session.rollback()


def config_from_form(
    form: NotificationSettingsForm, settings: EmailSettings, oauth_token: str = ""
) -> SmtpConfig:
    """The mailer's config for the values on the page, saved or not."""
    with _applied(form, settings) as unsaved:
        return unsaved.smtp_config(oauth_token)


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
        trust_texts=trust_texts(),
        trust_texts_json=json.dumps(trust_texts()),
        ui_text_json=json.dumps(ui_text()),
        default_ehlo=fallback_ehlo_name(),
        oauth_connection=OAuthToken.of(settings.id) if settings.id else None,
        callback_url=callback_url(),
        providers_json=json.dumps(
            {p.key: [p.host, p.port, p.security.value, list(p.flows)] for p in PROVIDERS.values()}
        ),
        **result,
    )
    return page, status


@bp.get("/notifications")
def settings_page() -> tuple[str, int]:
    """Show the settings as stored; the password never leaves the server."""
    settings = account_settings()
    return render_page(form_from_settings(settings), settings)


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
    offsets_before = settings.default_offset_list if settings.default_offsets else None
    apply_form(form, settings)
    current_user.timezone = form.timezone.data
    if settings.default_offset_list != offsets_before:
        # Only the windows of subscriptions that follow the default move.
        for subscription in Subscription.for_user(current_user.id):
            subscription.update_reminder_window(settings.default_offset_list)
    db.session.commit()
    flash(_("Settings saved."))
    return redirect(url_for(".settings_page"))
