"""Connecting a mailbox with OAuth 2.0 from the settings page: sign in, then a test email."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from mailer.oauth_diagnosis import token_claims
from models import Delivery, EmailSettings, OAuthToken, address_policy, db
from models.secrets import decrypt, encrypt
from oauth import client
from oauth.client import AuthorizationPending, OAuthFailure, TokenSet
from oauth.tokens import account_endpoints, now
from views.forms import NotificationSettingsForm
from views.notifications import (
    account_settings,
    apply_form,
    bp,
    callback_url,
    form_from_settings,
    render_page,
)
from views.sending import deliver, test_message


def _connected(settings: EmailSettings, tokens: TokenSet) -> tuple[str, int]:
    """Keep the tokens, then send a test email with them at once and show both."""
    claims = token_claims(tokens.access_token) or {}
    who = (
        str(claims.get("upn") or claims.get("preferred_username") or claims.get("email") or "")
        or settings.oauth_sign_in
    )
    OAuthToken.save(
        settings.id,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        now=now(),
        connected_as=who,
    )
    # What waited for the reconnection goes out at the next run, not after its back-off.
    Delivery.retry_now(settings.user_id)
    recipient = current_user.email
    try:
        outcome = deliver(
            settings,
            True,
            _("Test email"),
            recipient,
            settings.smtp_config,
            lambda config: test_message(config, recipient),
        )
    except OAuthFailure as failure:
        return _failed(settings, failure)
    return render_page(
        form_from_settings(settings),
        settings,
        notice=_("Connected as %(account)s.", account=who),
        outcome=outcome,
    )


def _failed(settings: EmailSettings, failure: OAuthFailure, status: int = 422) -> tuple[str, int]:
    return render_page(
        form_from_settings(settings),
        settings,
        status=status,
        notice=f"{failure.summary} {failure.hint}",
    )


@bp.post("/oauth/connect")
def oauth_connect() -> tuple[str, int]:
    """Save the form, then start the chosen sign-in; "reconnect" uses the saved settings."""
    settings = account_settings()
    if "reconnect" not in request.form:
        form = NotificationSettingsForm()
        form.auth_method.data = "oauth"
        valid = form.validate() & form.require_sending_fields(for_test=False)
        if not (valid and form.refuse_internal_host(address_policy(current_user))):
            db.session.rollback()
            return render_page(form, settings, status=422)
        apply_form(form, settings)
        db.session.commit()
    endpoints = account_endpoints(settings)
    try:
        if settings.oauth_flow == "app":
            tokens = client.app_token(
                endpoints, settings.oauth_client_id, settings.client_secret(), now()
            )
            return _connected(settings, tokens)
        if settings.oauth_flow == "device":
            device = client.start_device_flow(endpoints, settings.oauth_client_id)
            session["oauth_device"] = encrypt(device.device_code).decode()
            return render_page(
                form_from_settings(settings),
                settings,
                device=device,
                notice=_(
                    "Go to %(url)s and enter the code %(code)s, then press “Continue”.",
                    url=device.verification_uri,
                    code=device.user_code,
                ),
            )
    except OAuthFailure as failure:
        return _failed(settings, failure)
    url, state, verifier = client.authorization_url(
        endpoints, settings.oauth_client_id, callback_url()
    )
    session["oauth_state"] = state
    session["oauth_verifier"] = encrypt(verifier).decode()
    # A page that goes on to the provider, not a redirect: a form's post may not
    # end on another site (CSP form-action 'self'), a link may.
    return render_template("oauth_continue.html", url=url), 200


@bp.get("/oauth/callback")
def oauth_callback() -> tuple[str, int]:
    """Where the provider sends the browser back: trade the code for tokens."""
    settings = account_settings()
    state = session.pop("oauth_state", None)
    verifier = session.pop("oauth_verifier", None)
    if request.args.get("error"):
        failure = OAuthFailure(
            _(
                "The sign-in was not completed: %(error)s",
                error=f"{request.args.get('error')} {request.args.get('error_description', '')}",
            ).strip(),
            hint=_("Press “Connect” to try again."),
            error=str(request.args.get("error")),
            reconnect=False,
        )
        return _failed(settings, failure)
    if not state or not verifier or request.args.get("state") != state:
        return render_page(
            form_from_settings(settings),
            settings,
            status=400,
            notice='That sign-in did not start here, or was already used: press "Connect" again.',
        )
    try:
        tokens = client.exchange_code(
            account_endpoints(settings),
            settings.oauth_client_id,
            settings.client_secret(),
            redirect_uri=callback_url(),
            code=request.args.get("code", ""),
            verifier=decrypt(verifier.encode()),
            now=now(),
        )
    except OAuthFailure as failure:
        return _failed(settings, failure)
    return _connected(settings, tokens)


@bp.post("/oauth/device")
def oauth_device() -> tuple[str, int]:
    """After signing in with the code elsewhere: fetch the tokens."""
    settings = account_settings()
    pending = session.get("oauth_device")
    if not pending:
        return render_page(
            form_from_settings(settings), settings, status=400, notice='Press "Connect" first.'
        )
    try:
        tokens = client.finish_device_flow(
            account_endpoints(settings),
            settings.oauth_client_id,
            settings.client_secret(),
            decrypt(pending.encode()),
            now(),
        )
    except AuthorizationPending:
        return render_page(
            form_from_settings(settings),
            settings,
            status=202,
            notice='Not signed in yet: finish signing in with the code, then press "Continue".',
        )
    except OAuthFailure as failure:
        session.pop("oauth_device", None)
        return _failed(settings, failure)
    session.pop("oauth_device", None)
    return _connected(settings, tokens)


@bp.post("/oauth/use")
def use_oauth() -> tuple[str, int]:
    """Switch the form to OAuth 2.0 with Microsoft 365, without saving."""
    settings = account_settings()
    form = NotificationSettingsForm()
    form.auth_method.data = "oauth"
    form.oauth_provider.data = "microsoft"
    return render_page(
        form,
        settings,
        notice=_(
            "Switched to OAuth 2.0 with Microsoft 365: fill in “Client ID” and “Sign-in "
            "address”, then press “Connect”."
        ),
    )


@bp.post("/oauth/disconnect")
def oauth_disconnect() -> Response:
    """Forget the tokens."""
    OAuthToken.forget(account_settings().id)
    flash(_("Disconnected: the tokens are forgotten."))
    return redirect(url_for(".settings_page"))
