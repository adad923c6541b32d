"""A real OAuth 2.0 authorization server, built from Authlib's server parts, on 127.0.0.1.

It does what Microsoft's does where Dues can tell: authorization code with PKCE
required, refresh tokens rotated with the old one revoked, the device flow
(RFC 8628) and client credentials, short-lived tokens on a clock the tests move,
JWT access tokens with the claims Exchange checks, and errors on demand.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc8628 import (
    DeviceAuthorizationEndpoint,
    DeviceCodeGrant,
    DeviceCredentialDict,
)
from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.serving import make_server

EXCHANGE = "https://outlook.office.com"
PUBLIC_METHODS = ["client_secret_basic", "client_secret_post", "none"]


class Clock:
    """Now, give or take what the test moved it by; shared by app, server and SMTP fake."""

    def __init__(self) -> None:
        self._offset = datetime.timedelta()

    def now(self) -> datetime.datetime:
        return datetime.datetime.now(datetime.UTC) + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += datetime.timedelta(seconds=seconds)


@dataclass
class Client(ClientMixin):  # type: ignore[misc]
    client_id: str
    client_secret: str
    scope: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return "http://127.0.0.1/"

    def get_allowed_scope(self, scope: str) -> str:
        allowed = set(self.scope.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri.startswith("http://127.0.0.1:")

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return True

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return True


@dataclass
class Grant:
    """A user's consent to a client: revoking it kills every token it gave."""

    user: str
    client_id: str
    scope: str
    revoked: bool = False


@dataclass
class AccessToken:
    grant: Grant
    expires_at: datetime.datetime
    revoked: bool = False


@dataclass
class RefreshToken:
    grant: Grant
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.grant.client_id

    def get_scope(self) -> str:
        return self.grant.scope

    def get_user(self) -> str:
        return self.grant.user

    def is_revoked(self) -> bool:
        return self.revoked or self.grant.revoked


@dataclass
class AuthorizationCode:
    grant: Grant
    redirect_uri: str
    code_challenge: str
    code_challenge_method: str

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.grant.scope


@dataclass
class OAuthServer:
    """The server's state, which the tests read and steer."""

    clock: Clock
    user: str = "alice@contoso.test"
    audience: str = EXCHANGE
    expires_in: int = 3600
    clients: dict[str, Client] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    devices: dict[str, DeviceCredentialDict] = field(default_factory=dict)
    approved_user_codes: set[str] = field(default_factory=set)
    grants_issued: list[str] = field(default_factory=list)
    fail_next: tuple[str, str] | None = None
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_client(self, client_id: str, secret: str = "", scope: str = "") -> Client:
        client = Client(client_id, secret, scope or f"{EXCHANGE}/SMTP.Send offline_access")
        self.clients[client_id] = client
        return client

    def valid(self, token: str, user: str) -> bool:
        """Whether token is live and lets user send (what the SMTP fake asks)."""
        issued = self.access_tokens.get(token)
        return bool(
            issued
            and not issued.revoked
            and not issued.grant.revoked
            and issued.expires_at > self.clock.now()
            and issued.grant.user == user
        )

    def revoke_consent(self) -> None:
        """The user withdrew consent: every grant and its tokens die."""
        for token in self.refresh_tokens.values():
            token.grant.revoked = True

    def expire_access_tokens(self) -> None:
        """The server forgets access tokens early (as after a password change)."""
        for token in self.access_tokens.values():
            token.revoked = True

    def approve(self, user_code: str) -> None:
        """The person signed in on another device and typed user_code."""
        self.approved_user_codes.add(user_code)

    def jwt(self, grant: Grant, app_only: bool) -> str:
        """An access token shaped like Microsoft's: a JWT with aud, scp or roles, and upn."""
        claims: dict[str, Any] = {"aud": self.audience, "nonce": secrets.token_hex(16)}
        if app_only:
            claims["roles"] = ["SMTP.SendAsApp"]
        else:
            claims["scp"] = " ".join(s.rsplit("/", 1)[-1] for s in grant.scope.split())
            claims["upn"] = grant.user

        def part(data: dict[str, Any]) -> str:
            raw = json.dumps(data).encode()
            return base64.urlsafe_b64encode(raw).decode().rstrip("=")

        # Padded to the size of real tokens, which overflow 512-byte command lines.
        claims["padding"] = "x" * 1500
        return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.signature"


def _build_app(state: OAuthServer) -> Flask:
    app = Flask("oauth-test-server")
    server = AuthorizationServer(app, query_client=state.clients.get, save_token=lambda *_: None)

    def generate(
        grant_type: str,
        client: Client,
        user: str | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        app_only = grant_type == "client_credentials"
        grant = Grant(user or state.user, client.client_id, scope or "")
        access = state.jwt(grant, app_only)
        expires_at = state.clock.now() + datetime.timedelta(seconds=state.expires_in)
        state.access_tokens[access] = AccessToken(grant, expires_at)
        state.grants_issued.append(grant_type)
        token = {"token_type": "Bearer", "access_token": access, "expires_in": state.expires_in}
        if include_refresh_token and not app_only:
            refresh = secrets.token_urlsafe(48)
            state.refresh_tokens[refresh] = RefreshToken(grant)
            token["refresh_token"] = refresh
        return token

    server.register_token_generator("default", generate)

    class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS = PUBLIC_METHODS

        def save_authorization_code(self, code: str, request: Any) -> None:
            data = request.payload.data
            state.codes[code] = AuthorizationCode(
                Grant(state.user, request.client.client_id, request.payload.scope or ""),
                request.payload.redirect_uri,
                data.get("code_challenge", ""),
                data.get("code_challenge_method", ""),
            )

        def query_authorization_code(self, code: str, client: Client) -> Any:
            found = state.codes.get(code)
            return found if found and found.grant.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Any) -> None:
            state.codes = {k: v for k, v in state.codes.items() if v is not authorization_code}

        def authenticate_user(self, authorization_code: Any) -> str:
            return str(authorization_code.grant.user)

    class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS = PUBLIC_METHODS
        INCLUDE_NEW_REFRESH_TOKEN = True  # rotation, as Microsoft does

        def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
            found = state.refresh_tokens.get(refresh_token)
            return found if found and not found.is_revoked() else None

        def authenticate_user(self, refresh_token: RefreshToken) -> str:
            return refresh_token.grant.user

        def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
            refresh_token.revoked = True

    class DeviceGrant(DeviceCodeGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS = PUBLIC_METHODS

        def query_device_credential(self, device_code: str) -> DeviceCredentialDict | None:
            return state.devices.get(device_code)

        def query_user_grant(self, user_code: str) -> tuple[str, bool] | None:
            return (state.user, True) if user_code in state.approved_user_codes else None

        def should_slow_down(self, credential: Any) -> bool:
            return False

    class DeviceEndpoint(DeviceAuthorizationEndpoint):  # type: ignore[misc]
        def get_verification_uri(self) -> str:
            return f"{state.url}/activate"

        def save_device_credential(self, client_id: str, scope: str, data: Any) -> None:
            state.devices[data["device_code"]] = DeviceCredentialDict(
                client_id=client_id, scope=scope, **data
            )

    server.register_grant(CodeGrant, [CodeChallenge(required=True)])
    server.register_grant(RefreshGrant)

    class AppGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    server.register_grant(AppGrant)
    server.register_grant(DeviceGrant)
    server.register_endpoint(DeviceEndpoint)

    @app.get("/authorize")
    def authorize() -> ResponseReturnValue:
        grant = server.get_consent_grant(end_user=state.user)
        return server.create_authorization_response(grant_user=state.user, grant=grant)  # type: ignore[no-any-return]

    @app.post("/token")
    def token() -> ResponseReturnValue:
        with state.lock:
            if state.fail_next is not None:
                error, description = state.fail_next
                state.fail_next = None
                return jsonify(error=error, error_description=description), 400
            return server.create_token_response()  # type: ignore[no-any-return]

    @app.post("/device")
    def device() -> ResponseReturnValue:
        return server.create_endpoint_response("device_authorization")  # type: ignore[no-any-return]

    return app


def start_oauth_server(clock: Clock) -> Iterator[OAuthServer]:
    """Serve an OAuthServer on a free loopback port until the generator is closed."""
    state = OAuthServer(clock)
    http = make_server("127.0.0.1", 0, _build_app(state), threaded=True)
    state.url = f"http://127.0.0.1:{http.server_port}"
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        http.shutdown()
        thread.join()
