"""Fresh access tokens for an account's mailbox: refreshed in time, by one process at once."""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

from mailer import TokenRejected
from models import EmailSettings, OAuthToken, address_policy, db
from oauth import client
from oauth.client import OAuthFailure
from oauth.providers import Endpoints, endpoints
from translations import _

# Refresh this long before expiry, so that a message never leaves with a dying token.
REFRESH_MARGIN = datetime.timedelta(minutes=10)
# Renew a refresh token this old, so a quiet instance never meets Microsoft's 90-day limit.
REFRESH_TOKEN_MAX_AGE = datetime.timedelta(days=30)
# How long one process may hold the refresh before another may take it over.
REFRESH_LEASE = datetime.timedelta(seconds=30)

T = TypeVar("T")


class ReconnectNeeded(Exception):
    """The account must connect again: no token, or the provider revoked the grant."""

    @property
    def hint(self) -> str:
        """What to do about it."""
        return _("Press “Connect” (Reconnect) on the Notifications page and sign in again.")


def now() -> datetime.datetime:
    """The app's clock (the tests give it one they can move)."""
    clock: Callable[[], datetime.datetime] = current_app.config["CLOCK"]
    return clock()


def account_endpoints(settings: EmailSettings) -> Endpoints:
    """Where this account's OAuth conversation goes."""
    return endpoints(
        settings.oauth_provider,
        tenant=settings.oauth_tenant,
        flow=settings.oauth_flow,
        authorize_url=settings.oauth_authorize_url,
        token_url=settings.oauth_token_url,
        device_url=settings.oauth_device_url,
        scopes=settings.oauth_scopes,
        address_refusal=address_policy(settings.user),
    )


def access_token(settings: EmailSettings, *, force_refresh: bool = False) -> str:
    """A valid access token for settings, refreshed first when it is due."""
    row = OAuthToken.of(settings.id)
    if row is None:
        raise ReconnectNeeded(_("Not connected yet: the mailbox has never been connected."))
    if row.reconnect_needed:
        raise ReconnectNeeded(row.reconnect_reason)
    moment = now()
    renew_refresh = bool(row.refresh_token) and (
        moment - row.refresh_issued_at >= REFRESH_TOKEN_MAX_AGE
    )
    if force_refresh or renew_refresh or row.expires_at - moment <= REFRESH_MARGIN:
        return _refreshed(settings, row, moment)
    return row.access_token


def _refreshed(settings: EmailSettings, row: OAuthToken, moment: datetime.datetime) -> str:
    """Refresh as the one refresher, or wait for the one that is and use its result."""
    # Read before claiming: the claim's commit expires row, and a reload could already
    # show the other refresher's next version, which this one would then wait past.
    version = row.version
    if not row.claim_refresh(version, moment, REFRESH_LEASE):
        return _result_of_other_refresher(settings.id, version)
    try:
        if settings.oauth_flow == "app":
            tokens = client.app_token(
                account_endpoints(settings),
                settings.oauth_client_id,
                settings.client_secret(),
                moment,
            )
        else:
            tokens = client.refresh(
                account_endpoints(settings),
                settings.oauth_client_id,
                settings.client_secret(),
                row.refresh_token,
                moment,
            )
    except OAuthFailure as failure:
        if failure.reconnect:
            row.mark_reconnect_needed(failure.summary)
            raise ReconnectNeeded(failure.summary) from failure
        row.release_refresh()
        raise
    row.store_refreshed(
        version,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        now=moment,
    )
    return tokens.access_token


def _result_of_other_refresher(settings_id: int, version: int) -> str:
    """The access token another process's refresh stores, once it has."""
    deadline = time.monotonic() + REFRESH_LEASE.total_seconds()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        db.session.rollback()  # end the read, or SQLite keeps showing the same snapshot
        row = OAuthToken.of(settings_id)
        if row is None or row.reconnect_needed:
            gone = _("Reconnect needed: the mail account was disconnected meanwhile.")
            raise ReconnectNeeded(row.reconnect_reason if row else gone)
        if row.version > version:
            return row.access_token
        if row.refreshing_until is None:
            break  # the other refresher gave up
    raise OAuthFailure(
        _("Another process's token refresh did not finish."),
        hint=_("Try again in a minute."),
        error="refresh_pending",
        reconnect=False,
    )


def with_fresh_token(settings: EmailSettings, attempt: Callable[[str], T]) -> T:
    """attempt(token) with a fresh token; a refused token is refreshed once and tried again.

    Never a loop: a token refused right after its refresh is the answer.
    """
    if not settings.uses_oauth:
        return attempt("")
    try:
        return attempt(access_token(settings))
    except TokenRejected:
        return attempt(access_token(settings, force_refresh=True))
