"""The providers a user picks from, and where each one's endpoints are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mailer import Security
from translations import N_

# Marked for the catalogs; the form translates them where it shows them.
FLOW_LABELS = {
    "browser": N_("Sign in with a browser"),
    "device": N_("Sign in with a code"),
    "app": N_("App-only (Microsoft client credentials)"),
}


@dataclass(frozen=True)
class Provider:
    """A mail provider's OAuth endpoints and SMTP server."""

    key: str
    label: str
    host: str
    port: int
    security: Security
    authorize_url: str
    token_url: str
    device_url: str
    scopes: str
    app_scopes: str
    flows: tuple[str, ...]
    default_tenant: str = ""
    # Asked for at sign-in, so that a refresh token comes back (Google).
    authorize_params: tuple[tuple[str, str], ...] = ()


PROVIDERS = {
    provider.key: provider
    for provider in (
        Provider(
            key="microsoft",
            label="Microsoft 365",
            host="smtp.office365.com",
            port=587,
            security=Security.STARTTLS,
            authorize_url="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
            token_url="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
            device_url="https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode",
            scopes="https://outlook.office.com/SMTP.Send offline_access",
            app_scopes="https://outlook.office365.com/.default",
            flows=("browser", "device", "app"),
            default_tenant="organizations",
        ),
        Provider(
            key="google",
            label="Google",
            host="smtp.gmail.com",
            port=587,
            security=Security.STARTTLS,
            authorize_url="https://accounts.google.com/o/oauth2/v2/auth",
            token_url="https://oauth2.googleapis.com/token",
            device_url="",
            scopes="https://mail.google.com/",
            app_scopes="",
            # Google refuses the device flow for its mail scope.
            flows=("browser",),
            authorize_params=(("access_type", "offline"), ("prompt", "consent")),
        ),
        Provider(
            key="other",
            label=N_("Other"),
            host="",
            port=587,
            security=Security.STARTTLS,
            authorize_url="",
            token_url="",
            device_url="",
            scopes="",
            app_scopes="",
            flows=("browser", "device", "app"),
        ),
    )
}


@dataclass(frozen=True)
class Endpoints:
    """Where one account's OAuth conversation goes, and what it asks for."""

    authorize_url: str
    token_url: str
    device_url: str
    scopes: str
    authorize_params: tuple[tuple[str, str], ...]
    # Says why Dues may not connect to an IP address for this account, or None.
    address_refusal: Callable[[str], str | None] | None = field(default=None, compare=False)


def endpoints(
    provider_key: str,
    *,
    tenant: str,
    flow: str,
    authorize_url: str,
    token_url: str,
    device_url: str,
    scopes: str,
    address_refusal: Callable[[str], str | None] | None = None,
) -> Endpoints:
    """The endpoints for a provider: its presets, or for "Other" the URLs the user gave."""
    provider = PROVIDERS[provider_key]
    if provider.key == "other":
        return Endpoints(authorize_url, token_url, device_url, scopes, (), address_refusal)
    tenant = tenant or provider.default_tenant
    return Endpoints(
        provider.authorize_url.format(tenant=tenant),
        provider.token_url.format(tenant=tenant),
        provider.device_url.format(tenant=tenant),
        provider.app_scopes if flow == "app" else provider.scopes,
        provider.authorize_params,
        address_refusal,
    )
