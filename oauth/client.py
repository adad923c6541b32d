"""The OAuth 2.0 conversations, through Authlib, with errors explained.

Pure protocol: no Flask, no database. Each call takes the endpoints and the
client's credentials, and returns a TokenSet or raises OAuthFailure.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from mailer import host_refusal
from oauth.providers import Endpoints
from translations import _

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_TIMEOUT = 15.0
_AADSTS = re.compile(r"AADSTS\d+")


class OAuthFailure(Exception):
    """An OAuth step failed; summary and hint are written for the person setting it up."""

    def __init__(self, summary: str, *, hint: str, error: str, reconnect: bool) -> None:
        super().__init__(summary)
        self.summary = summary
        self.hint = hint
        self.error = error
        self.reconnect = reconnect


class AuthorizationPending(Exception):
    """The person has not finished signing in with the code yet."""


@dataclass(frozen=True)
class TokenSet:
    """What a token endpoint gave."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime.datetime


@dataclass(frozen=True)
class DeviceCode:
    """What to show for the device flow: the code to type, and where."""

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    interval: int
    expires_in: int


def _explain(error: str, description: str) -> OAuthFailure:
    """The OAuthFailure for a provider's error code and description."""
    codes = _AADSTS.findall(description)
    said = f"{error}: {description}" if description else error
    if codes:
        said = f"{said} ({', '.join(codes)})"
    if error == "invalid_grant":
        return OAuthFailure(
            _(
                "Reconnect needed: the provider no longer accepts this sign-in (%(said)s).",
                said=said,
            ),
            hint=_(
                "The consent was revoked, expired or replaced: press “Reconnect” and sign in again."
            ),
            error=error,
            reconnect=True,
        )
    if error in ("invalid_client", "unauthorized_client"):
        return OAuthFailure(
            _("The provider refused the app's credentials (%(said)s).", said=said),
            hint=_(
                "Check “Client ID” and “Client secret”, and that the app is registered for "
                "this tenant."
            ),
            error=error,
            reconnect=False,
        )
    if error == "invalid_scope":
        return OAuthFailure(
            _("The provider refused the scopes asked for (%(said)s).", said=said),
            hint=_(
                "Grant the app the mail-sending permission (Microsoft: SMTP.Send; Google: "
                "https://mail.google.com/), then connect again."
            ),
            error=error,
            reconnect=False,
        )
    return OAuthFailure(
        _("The provider refused the request (%(said)s).", said=said),
        hint=_("The provider's message says why."),
        error=error,
        reconnect=False,
    )


def _refuse_internal(endpoints: Endpoints, url: str) -> None:
    """Refuse a URL whose every address this account may not reach (internal hosts)."""
    host = urlsplit(url).hostname or ""
    refusal = host_refusal(host, endpoints.address_refusal)
    if refusal:
        raise OAuthFailure(
            _(
                "Dues may not connect to “%(host)s” for this account: %(reason)s",
                host=host,
                reason=refusal,
            ),
            hint=_(
                "Use your provider's public endpoints, or ask the administrator to allow "
                "the network."
            ),
            error="address_not_allowed",
            reconnect=False,
        )


@contextmanager
def _explained(endpoints: Endpoints, url: str) -> Iterator[None]:
    """Check the URL's host, then turn Authlib's and the network's errors into OAuthFailure."""
    _refuse_internal(endpoints, url)
    try:
        yield
    except OAuthError as exc:
        raise _explain(str(exc.error), str(exc.description or "")) from exc
    except requests.RequestException as exc:
        raise OAuthFailure(
            _("The provider could not be reached: %(error)s", error=exc),
            hint=_("Check the server's network, and the token URL."),
            error="unreachable",
            reconnect=False,
        ) from exc


def _token_set(token: dict[str, Any], now: datetime.datetime) -> TokenSet:
    expires_in = int(token.get("expires_in") or 3600)
    return TokenSet(
        access_token=str(token["access_token"]),
        refresh_token=str(token.get("refresh_token") or ""),
        expires_at=now + datetime.timedelta(seconds=expires_in),
    )


def _session(client_id: str, client_secret: str, **options: Any) -> OAuth2Session:
    return OAuth2Session(
        client_id,
        client_secret or None,
        token_endpoint_auth_method="client_secret_post" if client_secret else "none",
        **options,
    )


def authorization_url(
    endpoints: Endpoints, client_id: str, redirect_uri: str
) -> tuple[str, str, str]:
    """Where to send the browser (with PKCE), the state and the code verifier to keep."""
    verifier = generate_token(64)
    session = _session(
        client_id,
        "",
        scope=endpoints.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    url, state = session.create_authorization_url(
        endpoints.authorize_url, code_verifier=verifier, **dict(endpoints.authorize_params)
    )
    return str(url), str(state), verifier


def exchange_code(
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    *,
    redirect_uri: str,
    code: str,
    verifier: str,
    now: datetime.datetime,
) -> TokenSet:
    """Trade the code the browser came back with for tokens."""
    session = _session(client_id, client_secret, redirect_uri=redirect_uri)
    with _explained(endpoints, endpoints.token_url):
        token = session.fetch_token(
            endpoints.token_url, code=code, code_verifier=verifier, timeout=_TIMEOUT
        )
    return _token_set(token, now)


def refresh(
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    now: datetime.datetime,
) -> TokenSet:
    """A new access token (and, where the provider rotates, a new refresh token)."""
    session = _session(client_id, client_secret, scope=endpoints.scopes)
    with _explained(endpoints, endpoints.token_url):
        token = session.refresh_token(
            endpoints.token_url, refresh_token=refresh_token, timeout=_TIMEOUT
        )
    return _token_set(token, now)


def app_token(
    endpoints: Endpoints, client_id: str, client_secret: str, now: datetime.datetime
) -> TokenSet:
    """An app-only token (client credentials); such tokens are fetched anew, not refreshed."""
    session = _session(client_id, client_secret, scope=endpoints.scopes)
    with _explained(endpoints, endpoints.token_url):
        token = session.fetch_token(
            endpoints.token_url, grant_type="client_credentials", timeout=_TIMEOUT
        )
    return _token_set(token, now)


def start_device_flow(endpoints: Endpoints, client_id: str) -> DeviceCode:
    """Ask for a code the person types on another device (RFC 8628)."""
    session = _session(client_id, "")
    with _explained(endpoints, endpoints.device_url):
        response = session.post(
            endpoints.device_url,
            data={"client_id": client_id, "scope": endpoints.scopes},
            timeout=_TIMEOUT,
            withhold_token=True,
        )
        answer = response.json()
        if "error" in answer:
            raise OAuthError(answer["error"], answer.get("error_description"))
    return DeviceCode(
        device_code=str(answer["device_code"]),
        user_code=str(answer["user_code"]),
        verification_uri=str(answer.get("verification_uri") or answer.get("verification_url")),
        interval=int(answer.get("interval") or 5),
        expires_in=int(answer.get("expires_in") or 900),
    )


def finish_device_flow(
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    device_code: str,
    now: datetime.datetime,
) -> TokenSet:
    """The tokens, once the person has signed in; AuthorizationPending until then."""
    session = _session(client_id, client_secret)
    try:
        with _explained(endpoints, endpoints.token_url):
            token = session.fetch_token(
                endpoints.token_url,
                grant_type=DEVICE_GRANT,
                device_code=device_code,
                timeout=_TIMEOUT,
            )
    except OAuthFailure as failure:
        if failure.error in ("authorization_pending", "slow_down"):
            raise AuthorizationPending from failure
        raise
    return _token_set(token, now)
