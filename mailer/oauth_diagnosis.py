"""What Microsoft's and Google's refusals of a log-in mean, in words an admin can act on."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from mailer.config import SmtpConfig
from mailer.session import TokenRefused
from translations import _

EXCHANGE_AUDIENCE = "https://outlook.office.com"


def smtp_auth_switch() -> str:
    """Where SMTP AUTH is turned on for a Microsoft 365 mailbox or tenant."""
    return _(
        "Turn SMTP AUTH on for the mailbox: Microsoft 365 admin center → Users → Active users "
        "→ the mailbox → Mail → Manage email apps → Authenticated SMTP; or for the whole "
        "tenant, in Exchange Online PowerShell: %(command)s.",
        command="Set-TransportConfig -SmtpClientAuthenticationDisabled $false",
    )


def token_claims(token: str) -> dict[str, Any] | None:
    """The claims of a JWT access token, read without checking its signature; None if opaque."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _microsoft_claims_problem(config: SmtpConfig) -> str:
    """Which of audience, permission and user is wrong in the token (5.7.3)."""
    claims = token_claims(config.oauth_token)
    if claims is None:
        return _("The token cannot be read, so Dues cannot tell which part is wrong.")
    audience = str(claims.get("aud", ""))
    scopes = str(claims.get("scp", "")).split()
    roles = claims.get("roles") or []
    user = str(
        claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username") or ""
    )
    if audience.rstrip("/") != EXCHANGE_AUDIENCE:
        return _(
            "The token is for %(audience)s, not Exchange Online: the scope must be "
            "https://outlook.office.com/SMTP.Send.",
            audience=audience or _("no audience"),
        )
    if "SMTP.Send" not in scopes and "SMTP.SendAsApp" not in roles:
        return _(
            "The token does not carry the SMTP.Send permission: grant it to the app, "
            "then reconnect."
        )
    if user and config.username and user.lower() != config.username.lower():
        return _(
            "The token belongs to %(user)s, but Dues signs in as %(username)s: "
            "fix “Sign-in address”.",
            user=user,
            username=config.username,
        )
    return _(
        "The token's audience, permission and user look right: check that the mailbox exists "
        "and that Dues may send as it."
    )


def explain_token_refusal(exc: TokenRefused, config: SmtpConfig) -> tuple[str, str]:
    """Summary and hint for a refused OAuth token."""
    reply = (
        exc.smtp_error.decode("utf-8", "replace")
        if isinstance(exc.smtp_error, bytes)
        else str(exc.smtp_error)
    )
    for challenge in exc.challenges:
        try:
            details = json.loads(challenge)
        except ValueError:
            continue
        return (
            _("Google refused the token: %(reply)s", reply=json.dumps(details, sort_keys=True)),
            _(
                "The token is expired, revoked or lacks the scope https://mail.google.com/: "
                "press “Reconnect”. Apps in “Testing” status get tokens that die after 7 days."
            ),
        )
    said = f"{exc.smtp_code} {reply}"
    if "5.7.139" in reply and "SmtpClientAuthentication" in reply:
        return (
            _("SMTP AUTH is turned off for this mailbox or tenant (%(reply)s).", reply=said),
            smtp_auth_switch(),
        )
    if "5.7.3" in reply:
        return (
            _("Microsoft refused the token (%(reply)s).", reply=said),
            _microsoft_claims_problem(config),
        )
    return (
        _("The server refused the OAuth token (%(reply)s).", reply=said),
        _("The token may be revoked or expired: press “Reconnect”."),
    )


def basic_auth_disabled(code: int, reply: str) -> bool:
    """Whether Microsoft refused a password because it no longer takes passwords."""
    return ("5.7.139" in reply and "basic authentication is disabled" in reply.lower()) or (
        code == 550 and "5.7.30" in reply
    )
