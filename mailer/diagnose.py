"""The one place where low-level SMTP, TLS and socket errors become MailErrors."""

from __future__ import annotations

import smtplib
import socket
import ssl

from mailer.config import SmtpConfig
from mailer.errors import (
    AddressNotSupported,
    AuthenticationFailed,
    CertificateRefused,
    ConnectionFailed,
    MailError,
    PasswordsRefused,
    ProtocolError,
    SenderRefused,
    TimedOut,
    TlsFailed,
    TokenRejected,
)
from mailer.explanations import (
    certificate_explanation,
    certificate_problem,
    recipients_refused,
    reply_text,
    sender_explanation,
    timeout_explanation,
    tls_explanation,
)
from mailer.oauth_diagnosis import basic_auth_disabled, explain_token_refusal
from mailer.session import AddressNotAllowed, TokenRefused
from mailer.tls import PinnedCertificateMismatch
from mailer.transcript import Stage, scrub
from mailer.wire import InternationalAddressRefused, OversizedReply
from translations import _


def translate(
    exc: smtplib.SMTPException | OSError | OversizedReply,
    *,
    stage: Stage,
    config: SmtpConfig,
    timed_out: bool,
) -> MailError:
    """The MailError that explains exc, raised at stage, to the admin; no secret in it."""
    error = _explain(exc, stage=stage, config=config, timed_out=timed_out)
    secrets = [config.password, config.oauth_token]
    error.summary = scrub(error.summary, secrets)
    error.hint = scrub(error.hint, secrets)
    error.detail = scrub(error.detail, secrets)
    return error


def _explain(
    exc: smtplib.SMTPException | OSError | OversizedReply,
    *,
    stage: Stage,
    config: SmtpConfig,
    timed_out: bool,
) -> MailError:
    detail = f"{type(exc).__name__}: {exc}"
    where = _("%(host)s port %(port)s", host=config.host, port=config.port)

    def build(kind: type[MailError], summary: str, hint: str, code: int | None = None) -> MailError:
        return kind(summary, hint=hint, stage=stage, detail=detail, smtp_code=code)

    if isinstance(exc, OversizedReply):
        return build(
            ProtocolError,
            _(
                "%(where)s sent an oversized reply (%(problem)s) during the %(step)s step.",
                where=where,
                problem=str(exc),
                step=stage.label,
            ),
            _(
                "No mail server answers like this: check that the host and port are your mail "
                "server's."
            ),
        )
    if timed_out or isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return build(TimedOut, *timeout_explanation(stage, config, where))
    if isinstance(exc, PinnedCertificateMismatch):
        return CertificateRefused(
            _("The server's certificate changed: it is not the one you trusted."),
            hint=_(
                "If the server got a new certificate, check it and trust it again; "
                "otherwise someone may be intercepting the connection."
            ),
            stage=stage,
            detail=detail,
            reason="changed",
            expected_fingerprint=exc.expected,
            actual_fingerprint=exc.actual,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        summary, hint = certificate_explanation(exc, config)
        problem = certificate_problem(exc.verify_code, _("not trusted"))
        return CertificateRefused(summary, hint=hint, stage=stage, detail=detail, reason=problem)
    if isinstance(exc, ssl.SSLError):
        return build(TlsFailed, *tls_explanation(exc, config, where))
    if isinstance(exc, InternationalAddressRefused):
        return build(
            AddressNotSupported,
            _(
                "The address %(address)s has non-ASCII letters before the @, and the server "
                "does not offer SMTPUTF8, which such addresses need.",
                address=exc.address,
            ),
            _(
                "Use an address with only ASCII letters before the @, or a server that offers "
                "SMTPUTF8."
            ),
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if "STARTTLS" in str(exc):
            return build(
                TlsFailed,
                _("%(where)s does not offer STARTTLS, so TLS cannot be used there.", where=where),
                _(
                    "Choose “SSL” if the server speaks TLS on another port (usually 465), "
                    "or “None” if you trust the network between Dues and the server."
                ),
            )
        return build(
            AuthenticationFailed,
            _("The server does not offer log-in (AUTH) on this connection."),
            _(
                "Many servers offer log-in only once the connection is encrypted: choose “TLS” "
                "or “SSL”. If the server needs no log-in, clear “Username”."
            ),
        )
    if isinstance(exc, TokenRefused):
        summary, hint = explain_token_refusal(exc, config)
        return TokenRejected(
            summary, hint=hint, stage=stage, detail=detail, smtp_code=exc.smtp_code
        )
    if isinstance(exc, smtplib.SMTPResponseException) and basic_auth_disabled(
        exc.smtp_code, reply_text(exc.smtp_error)
    ):
        return PasswordsRefused(
            _(
                "The server no longer accepts passwords: %(reply)s",
                reply=f"{exc.smtp_code} {reply_text(exc.smtp_error)}",
            ),
            hint=_(
                "Microsoft 365 turned basic authentication off. Choose “OAuth 2.0” under "
                "“Authentication”, with the provider “Microsoft 365”, and press “Connect”."
            ),
            stage=stage,
            detail=detail,
            smtp_code=exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return build(
            AuthenticationFailed,
            _("The server refused the username or password (%(code)s).", code=exc.smtp_code),
            _(
                "Check “Username” and “Password”. Providers such as Gmail need an app "
                "password, not the account's own password."
            ),
            exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return build(SenderRefused, *sender_explanation(exc, config), exc.smtp_code)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return recipients_refused(exc, stage, detail)
    if isinstance(exc, smtplib.SMTPDataError):
        return build(
            ProtocolError,
            _(
                "The server refused the message: %(reply)s",
                reply=f"{exc.smtp_code} {reply_text(exc.smtp_error)}",
            ),
            _("The server's reply says why; often the From email is not allowed for this account."),
            exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPConnectError):
        return build(
            ConnectionFailed,
            _(
                "The server refused the session: %(reply)s",
                reply=f"{exc.smtp_code} {reply_text(exc.smtp_error)}",
            ),
            _("The server may be limiting connections, or not accept mail from this address."),
            exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if stage in (Stage.CONNECT, Stage.GREETING):
            return build(
                ConnectionFailed,
                _("%(where)s closed the connection without a greeting.", where=where),
                _(
                    "Check the port and the encryption; if the port expects SSL (usually 465), "
                    "choose “SSL”."
                ),
            )
        return build(
            ProtocolError,
            _("The server closed the connection during the %(step)s step.", step=stage.label),
            _("Try again; if it keeps happening, the server's log says why it hung up."),
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return build(
            ProtocolError,
            _(
                "The server answered %(reply)s during the %(step)s step.",
                reply=f"{exc.smtp_code} {reply_text(exc.smtp_error)}",
                step=stage.label,
            ),
            _("The server's reply says what it expected."),
            exc.smtp_code,
        )
    if isinstance(exc, AddressNotAllowed):
        return build(
            ConnectionFailed,
            _(
                "Dues may not connect to “%(host)s” for this account: %(reason)s",
                host=config.host,
                reason=str(exc),
            ),
            _(
                "Use your provider's public mail server, or ask the administrator to allow "
                "the network."
            ),
        )
    if isinstance(exc, ConnectionRefusedError):
        return build(
            ConnectionFailed,
            _("Connection refused by %(where)s: nothing is accepting mail there.", where=where),
            _("Check “SMTP host” and “Port”, and that the mail server is running."),
        )
    if isinstance(exc, socket.gaierror):
        return build(
            ConnectionFailed,
            _("The host name “%(host)s” could not be found.", host=config.host),
            _("Check the spelling of “SMTP host”, or use the server's IP address."),
        )
    if isinstance(exc, OSError):
        return build(
            ConnectionFailed,
            _("Could not talk to %(where)s: %(error)s.", where=where, error=exc.strerror or exc),
            _("Check “SMTP host” and “Port”, and that no firewall is in the way."),
        )
    return build(
        ProtocolError,
        _("The SMTP conversation failed during the %(step)s step.", step=stage.label),
        _("The details below show what the server said."),
    )
