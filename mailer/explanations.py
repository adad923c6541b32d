"""The explanations of each kind of SMTP failure: what happened, and what to change."""

from __future__ import annotations

import smtplib
import ssl

from mailer.config import Security, SmtpConfig
from mailer.errors import RecipientsRefused
from mailer.transcript import Stage
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


def reply_text(reply: bytes | str) -> str:
    """A server's reply as text, whatever bytes it held."""
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def timeout_explanation(stage: Stage, config: SmtpConfig, where: str) -> tuple[str, str]:
    """Summary and hint for an attempt that ran out of time at stage."""
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


def certificate_explanation(
    exc: ssl.SSLCertVerificationError, config: SmtpConfig
) -> tuple[str, str]:
    """Summary and hint for a certificate the configured trust refused."""
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


def tls_explanation(exc: ssl.SSLError, config: SmtpConfig, where: str) -> tuple[str, str]:
    """Summary and hint for a TLS handshake that failed for another reason than trust."""
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


def sender_explanation(exc: smtplib.SMTPSenderRefused, config: SmtpConfig) -> tuple[str, str]:
    """Summary and hint for a refused MAIL FROM."""
    reply = reply_text(exc.smtp_error)
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


def recipients_refused(
    exc: smtplib.SMTPRecipientsRefused, stage: Stage, detail: str
) -> RecipientsRefused:
    """The error naming each refused recipient with the server's reason."""
    refused = {
        str(address): (code, reply_text(reply)) for address, (code, reply) in exc.recipients.items()
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
