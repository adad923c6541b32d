"""What Microsoft's and Google's refusals of a log-in mean, in words an admin can act on."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from mailer.config import SmtpConfig
from mailer.session import TokenRefused

EXCHANGE_AUDIENCE = "https://outlook.office.com"
SMTP_AUTH_SWITCH = (
    "Turn SMTP AUTH on for the mailbox: Microsoft 365 admin center → Users → Active users → "
    "the mailbox → Mail → Manage email apps → Authenticated SMTP; or for the whole tenant, "
    "in Exchange Online PowerShell: Set-TransportConfig -SmtpClientAuthenticationDisabled $false."
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
        return "The token cannot be read, so Dues cannot tell which part is wrong."
    audience = str(claims.get("aud", ""))
    scopes = str(claims.get("scp", "")).split()
    roles = claims.get("roles") or []
    user = str(
        claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username") or ""
    )
    if audience.rstrip("/") != EXCHANGE_AUDIENCE:
        return (
            f"The token is for {audience or 'no audience'}, not Exchange Online: the scope must "
            "be https://outlook.office.com/SMTP.Send."
        )
    if "SMTP.Send" not in scopes and "SMTP.SendAsApp" not in roles:
        return (
            "The token does not carry the SMTP.Send permission: grant it to the app, "
            "then reconnect."
        )
    if user and config.username and user.lower() != config.username.lower():
        return (
            f"The token belongs to {user}, but Dues signs in as {config.username}: "
            'fix "Sign-in address".'
        )
    return (
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
            f"Google refused the token: {json.dumps(details, sort_keys=True)}",
            "The token is expired, revoked or lacks the scope https://mail.google.com/: "
            'press "Reconnect". Apps in "Testing" status get tokens that die after 7 days.',
        )
    if "5.7.139" in reply and "SmtpClientAuthentication" in reply:
        return (
            f"SMTP AUTH is turned off for this mailbox or tenant ({exc.smtp_code} {reply}).",
            SMTP_AUTH_SWITCH,
        )
    if "5.7.3" in reply:
        return f"Microsoft refused the token ({exc.smtp_code} {reply}).", _microsoft_claims_problem(
            config
        )
    return (
        f"The server refused the OAuth token ({exc.smtp_code} {reply}).",
        'The token may be revoked or expired: press "Reconnect".',
    )


def basic_auth_disabled(code: int, reply: str) -> bool:
    """Whether Microsoft refused a password because it no longer takes passwords."""
    return ("5.7.139" in reply and "basic authentication is disabled" in reply.lower()) or (
        code == 550 and "5.7.30" in reply
    )
