"""The one place where low-level SMTP, TLS and socket errors become MailErrors."""

from __future__ import annotations

import smtplib
import socket
import ssl

from mailer.config import Security, SmtpConfig
from mailer.errors import (
    AddressNotSupported,
    AuthenticationFailed,
    CertificateRefused,
    ConnectionFailed,
    MailError,
    PasswordsRefused,
    ProtocolError,
    RecipientsRefused,
    SenderRefused,
    TimedOut,
    TlsFailed,
    TokenRejected,
)
from mailer.oauth_diagnosis import basic_auth_disabled, explain_token_refusal
from mailer.session import AddressNotAllowed, TokenRefused
from mailer.tls import PinnedCertificateMismatch
from mailer.transcript import Stage, scrub
from mailer.wire import InternationalAddressRefused, OversizedReply
from translations import _


def _hint_ignore_or_trust() -> str:
    return _(
        "If this is your own server, check the certificate below and press “Trust this "
        "certificate”, or tick “Ignore SSL verification”; or give the server a certificate "
        "from a trusted authority (e.g. Let's Encrypt)."
    )


def certificate_problem(verify_code: int, verify_message: str) -> str:
    """What is wrong with a refused certificate, in words, for OpenSSL's X509_V_ERR_* code."""
    problems = {
        18: lambda: _("it is self-signed"),
        19: lambda: _("it is signed by a self-signed authority that is not trusted"),
        20: lambda: _("it was issued by an authority that is not trusted"),
        21: lambda: _("it was issued by an authority that is not trusted"),
        10: lambda: _("it has expired"),
        9: lambda: _("it is not valid yet"),
        62: lambda: _("it was issued for another name"),
        64: lambda: _("it was issued for another name or address"),
    }
    problem = problems.get(verify_code)
    return problem() if problem else verify_message.rstrip(".")


def _reply_text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


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
        return build(TimedOut, *_timeout_explanation(stage, config, where))
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
        summary, hint = _certificate_explanation(exc, config)
        problem = certificate_problem(exc.verify_code, _("not trusted"))
        return CertificateRefused(summary, hint=hint, stage=stage, detail=detail, reason=problem)
    if isinstance(exc, ssl.SSLError):
        return build(TlsFailed, *_tls_explanation(exc, config, where))
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
        exc.smtp_code, _reply_text(exc.smtp_error)
    ):
        return PasswordsRefused(
            _(
                "The server no longer accepts passwords: %(reply)s",
                reply=f"{exc.smtp_code} {_reply_text(exc.smtp_error)}",
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
        return build(SenderRefused, *_sender_explanation(exc, config), exc.smtp_code)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return _recipients_refused(exc, stage, detail)
    if isinstance(exc, smtplib.SMTPDataError):
        return build(
            ProtocolError,
            _(
                "The server refused the message: %(reply)s",
                reply=f"{exc.smtp_code} {_reply_text(exc.smtp_error)}",
            ),
            _("The server's reply says why; often the From email is not allowed for this account."),
            exc.smtp_code,
        )
    if isinstance(exc, smtplib.SMTPConnectError):
        return build(
            ConnectionFailed,
            _(
                "The server refused the session: %(reply)s",
                reply=f"{exc.smtp_code} {_reply_text(exc.smtp_error)}",
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
                reply=f"{exc.smtp_code} {_reply_text(exc.smtp_error)}",
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


def _timeout_explanation(stage: Stage, config: SmtpConfig, where: str) -> tuple[str, str]:
    seconds = _("%(seconds)s s", seconds=f"{config.timeout:g}")
    if stage is Stage.CONNECT:
        return (
            _("No answer from %(where)s within %(time)s.", where=where, time=seconds),
            _("Check “SMTP host” and “Port”; a firewall may be dropping the connection."),
        )
    if stage is Stage.GREETING and config.security is not Security.SSL:
        return (
            _(
                "%(where)s accepted the connection but sent no greeting within %(time)s.",
                where=where,
                time=seconds,
            ),
            _("This port probably expects SSL (implicit TLS, usually port 465): choose “SSL”."),
        )
    if stage is Stage.TLS:
        return (
            _(
                "%(where)s did not complete a TLS handshake within %(time)s.",
                where=where,
                time=seconds,
            ),
            _("If this port speaks plain SMTP or STARTTLS, choose “TLS” or “None”."),
        )
    return (
        _(
            "The server stopped answering during the %(step)s step "
            "(nothing complete within %(time)s).",
            step=stage.label,
            time=seconds,
        ),
        _("Try again; if the server is slow, raise “Timeout (seconds)”."),
    )


def _certificate_explanation(
    exc: ssl.SSLCertVerificationError, config: SmtpConfig
) -> tuple[str, str]:
    problem = certificate_problem(exc.verify_code, str(exc.verify_message))
    summary = _("The server's certificate was refused: %(problem)s.", problem=problem)
    if exc.verify_code in (62, 64):
        name_hint = _(
            "Enter in “SMTP host” the name the certificate was issued for, instead of “%(host)s”.",
            host=config.host,
        )
        return summary, f"{name_hint} {_hint_ignore_or_trust()}"
    if exc.verify_code in (9, 10):
        return summary, _("Renew the server's certificate, or check the clock of both machines.")
    return summary, _hint_ignore_or_trust()


def _tls_explanation(exc: ssl.SSLError, config: SmtpConfig, where: str) -> tuple[str, str]:
    if exc.reason == "WRONG_VERSION_NUMBER" or "wrong version number" in str(exc):
        return (
            _("%(where)s did not answer in TLS: it speaks plain SMTP.", where=where),
            _("Choose “TLS” (STARTTLS, usually port 587) or “None” (usually port 25)."),
        )
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return (
            _("%(where)s closed the connection during the TLS handshake.", where=where),
            _(
                "The server may not accept this TLS version, or expects another kind of "
                "encryption: try “TLS” on 587 or “SSL” on 465."
            ),
        )
    return (
        _(
            "The TLS handshake with %(where)s failed (%(reason)s).",
            where=where,
            reason=exc.reason or exc,
        ),
        _("The server and Dues could not agree on TLS; check the encryption and port."),
    )


def _sender_explanation(exc: smtplib.SMTPSenderRefused, config: SmtpConfig) -> tuple[str, str]:
    reply = _reply_text(exc.smtp_error)
    if exc.smtp_code == 530 and "STARTTLS" in reply.upper():
        return (
            _("The server requires encryption first: %(reply)s", reply=f"{exc.smtp_code} {reply}"),
            _("Choose “TLS” (STARTTLS)."),
        )
    if exc.smtp_code == 530:
        return (
            _(
                "The server requires log-in before sending: %(reply)s",
                reply=f"{exc.smtp_code} {reply}",
            ),
            _("Fill in “Username” and “Password”."),
        )
    return (
        _(
            "The server refused the sender %(sender)s: %(reply)s",
            sender=config.sender,
            reply=f"{exc.smtp_code} {reply}",
        ),
        _("Use a “From email” that this account is allowed to send as."),
    )


def _recipients_refused(
    exc: smtplib.SMTPRecipientsRefused, stage: Stage, detail: str
) -> RecipientsRefused:
    refused = {
        str(address): (code, _reply_text(reply))
        for address, (code, reply) in exc.recipients.items()
    }
    named = ", ".join(f"{address} ({code} {reply})" for address, (code, reply) in refused.items())
    codes = {code for code, _ in refused.values()}
    return RecipientsRefused(
        _("The server refused the recipient: %(recipients)s", recipients=named),
        refused=refused,
        hint=_("Check the address; a relay may also refuse outside recipients unless you log in."),
        stage=stage,
        detail=detail,
        smtp_code=min(codes) if codes else None,
    )
