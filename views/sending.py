"""The settings page's buttons that talk to the mail server: test, sample, trust, detect."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message

from flask import current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from mailer import (
    USUAL_PORTS,
    CertificateInfo,
    CertificateRefused,
    MailError,
    PortReport,
    Security,
    SendReceipt,
    SmtpConfig,
    Step,
    TokenRejected,
    best,
    compose,
    detect,
    normalize_fingerprint,
    send_message,
    server_certificate,
    trust_description,
)
from models import EmailSettings, UndecryptableSecret, address_policy, db, utcnow
from oauth.client import OAuthFailure
from oauth.tokens import ReconnectNeeded, access_token
from reminder_email import compose_reminder, sample_items
from views.forms import NotificationSettingsForm
from views.notifications import account_settings, bp, config_from_form, render_page
from views.ratelimit import TalksBusy, server_talks, too_often

_DETECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class SendOutcome:
    """What happened when a message was sent from the page: a receipt or an error."""

    what: str
    recipient: str
    elapsed: float
    trust: str
    receipt: SendReceipt | None = None
    error: MailError | None = None
    certificate: CertificateInfo | None = None

    @property
    def steps(self) -> list[Step]:
        transcript = (
            self.error.transcript if self.error else self.receipt and self.receipt.transcript
        )
        return transcript.steps if transcript else []

    @property
    def transcript(self) -> str:
        return self.error.transcript.render() if self.error else ""


def _refused_certificate(
    config: SmtpConfig, error: MailError, deadline: float
) -> CertificateInfo | None:
    """The certificate a refusal was about, fetched within the attempt's deadline, to show it."""
    if not isinstance(error, CertificateRefused):
        return None
    try:
        return server_certificate(config, deadline)
    except MailError:
        return None


def _attempt(what: str, config: SmtpConfig, message: Message, recipient: str) -> SendOutcome:
    """Send message and, if a certificate was refused, fetch it: all within one timeout."""
    started = time.monotonic()
    deadline = started + config.timeout
    trust = trust_description(config) if config.security is not Security.NONE else "no TLS"
    try:
        receipt = send_message(config, message, deadline)
    except MailError as error:
        certificate = _refused_certificate(config, error, deadline)
        elapsed = time.monotonic() - started
        return SendOutcome(what, recipient, elapsed, trust, error=error, certificate=certificate)
    return SendOutcome(what, recipient, time.monotonic() - started, trust, receipt=receipt)


def deliver(
    settings: EmailSettings,
    oauth: bool,
    what: str,
    recipient: str,
    config_for: Callable[[str], SmtpConfig],
    message_for: Callable[[SmtpConfig], Message],
) -> SendOutcome:
    """Send and report; with OAuth, a refused token is refreshed once and tried again.

    ReconnectNeeded and OAuthFailure reach the caller: nothing was sent.
    """
    token = access_token(settings) if oauth else ""
    config = config_for(token)
    with server_talks().slot(current_user.id):
        outcome = _attempt(what, config, message_for(config), recipient)
        if oauth and isinstance(outcome.error, TokenRejected):
            config = config_for(access_token(settings, force_refresh=True))
            outcome = _attempt(what, config, message_for(config), recipient)
    return outcome


def _send_from_form(
    what: str, build: Callable[[SmtpConfig, NotificationSettingsForm], Message]
) -> tuple[str, int]:
    """Send what build makes with the form's values, saved or not, and show the outcome."""
    # Nothing is written before the shared limiter's own write: on SQLite, a write
    # of this session would hold the lock that the limiter's connection waits for.
    with db.session.no_autoflush:
        settings = account_settings()
        form = NotificationSettingsForm()
        valid = form.validate()
        complete = form.require_sending_fields(for_test=True)
        allowed = form.refuse_internal_host(address_policy(current_user))
    if not (valid and complete and allowed):
        return render_page(form, settings, status=422)
    if refusal := too_often("messages"):
        return render_page(form, settings, status=429, notice=refusal)
    try:
        outcome = deliver(
            settings,
            form.auth_method.data == "oauth",
            what,
            form.test_recipient.data or "",
            lambda token: config_from_form(form, settings, token),
            lambda config: build(config, form),
        )
    except UndecryptableSecret as exc:
        form.password.errors = [str(exc)]
        return render_page(form, settings, status=422)
    except ValueError as exc:
        return render_page(form, settings, status=422, notice=_("Not sent: %(reason)s", reason=exc))
    except TalksBusy as busy:
        return render_page(form, settings, status=429, notice=str(busy))
    except ReconnectNeeded as exc:
        return render_page(
            form, settings, status=422, notice=_("Not sent: %(reason)s", reason=f"{exc} {exc.hint}")
        )
    except OAuthFailure as failure:
        return render_page(
            form,
            settings,
            status=422,
            notice=_("Not sent: %(reason)s", reason=f"{failure.summary} {failure.hint}"),
        )
    return render_page(form, settings, outcome=outcome)


def test_message(config: SmtpConfig, recipient: str) -> Message:
    """The test email to recipient."""
    return compose(
        config,
        to=[recipient],
        subject=_("Dues test email"),
        text=render_template("email/test.txt", config=config),
        html=render_template("email/test.html", config=config),
    )


def _sample_reminder(config: SmtpConfig, form: NotificationSettingsForm) -> Message:
    items = sample_items(current_user, utcnow().date())
    return compose_reminder(config, current_user, items, to=[form.test_recipient.data or ""], cc=[])


@bp.post("/notifications/test")
def send_test() -> tuple[str, int]:
    """Send a test email and show what happened."""
    return _send_from_form(
        _("Test email"), lambda config, form: test_message(config, form.test_recipient.data or "")
    )


@bp.post("/notifications/sample")
def send_sample() -> tuple[str, int]:
    """Send the real reminder email, with the next payments or sample data."""
    return _send_from_form(_("Sample reminder"), _sample_reminder)


@bp.post("/notifications/trust")
def trust_certificate() -> tuple[str, int]:
    """Trust exactly the certificate the admin saw; the rest of the form stays unsaved."""
    settings = account_settings()
    form = NotificationSettingsForm()
    try:
        pinned = normalize_fingerprint(request.form.get("trust_fingerprint", ""))
    except ValueError:
        return render_page(
            form, settings, status=400, notice=_("That is not a certificate fingerprint.")
        )
    settings.pinned_fingerprint = pinned
    db.session.commit()
    form.forget_pinned.data = False
    notice = _(
        "Trusted the certificate with SHA-256 %(fingerprint)s. Send the test email again.",
        fingerprint=pinned,
    )
    if form.password.data and request.headers.get("X-Dues-In-Place") != "1":
        # A password is never written back into a page; the script keeps the typed one.
        notice += " " + _("Type the password again first: it is not sent back to the page.")
    return render_page(form, settings, notice=notice)


@dataclass(frozen=True)
class Detection:
    """What each probed port answered, and the proposal."""

    host: str
    reports: list[PortReport]
    proposal: PortReport | None


@bp.post("/notifications/detect")
def detect_settings() -> tuple[str, int]:
    """Probe the usual ports of the host in parallel and propose the best settings."""
    with db.session.no_autoflush:  # as in _send_from_form: nothing written before the limiter
        settings = account_settings()
        form = NotificationSettingsForm()
        form.validate()
        form.refuse_internal_host(address_policy(current_user))
    host = form.host.data
    if not host or form.host.errors:
        form.host.errors = form.host.errors or [_("Enter the SMTP host to detect its settings.")]
        return render_page(form, settings, status=422)
    if refusal := too_often("probes"):
        return render_page(form, settings, status=429, notice=refusal)
    try:
        config = config_from_form(form, settings)
    except UndecryptableSecret as exc:
        form.password.errors = [str(exc)]
        return render_page(form, settings, status=422)
    # The same trust as sending (ignored, a trusted certificate, a CA), no log-in.
    base = dataclasses.replace(
        config, timeout=min(config.timeout, _DETECT_TIMEOUT), username="", password=""
    )
    ports = current_app.config.get("DETECT_PORTS", USUAL_PORTS)
    try:
        with server_talks().slot(current_user.id):
            reports = detect(base, ports)
    except TalksBusy as busy:
        return render_page(form, settings, status=429, notice=str(busy))
    return render_page(form, settings, detection=Detection(host, reports, best(reports)))


@bp.post("/notifications/use")
def use_detected() -> tuple[str, int]:
    """Copy a detected encryption and port into the form, without saving."""
    settings = account_settings()
    form = NotificationSettingsForm()
    chosen = re.fullmatch(r"(none|ssl|tls):([0-9]{1,5})", request.form.get("use_detected", ""))
    if chosen is None or not 1 <= int(chosen[2]) <= 65535:
        return render_page(form, settings, status=422, notice=_("Nothing to copy."))
    security, port = chosen[1], chosen[2]
    form.security.data = security
    form.port.data = int(port)
    form.port.raw_data = [port]  # what the input shows, ahead of data
    form.ignore_verification.data = False
    label = Security(security).label
    return render_page(
        form,
        settings,
        notice=_(
            "%(security)s on port %(port)s copied into the form: press Save to keep it.",
            security=label,
            port=port,
        ),
    )
