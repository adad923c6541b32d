"""An aiosmtpd server that takes XOAUTH2 tokens from the test OAuth server, and answers
refusals as Microsoft and Google do."""

from __future__ import annotations

import base64
import collections
import json
from dataclasses import dataclass
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult

from tests.oauth_server import OAuthServer
from tests.smtp_servers import LOOPBACK, SERVER_NAME, RecordingHandler, SmtpServer, free_port

MICROSOFT_BAD_TOKEN = "535 5.7.3 Authentication unsuccessful [SN4PR0601CA0012.namprd06.prod]"
SMTP_AUTH_DISABLED = (
    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
    "Tenant. Visit https://aka.ms/smtp_auth_disabled for more information."
)
BASIC_AUTH_DISABLED = (
    "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN0PR04CA0123]"
)
GOOGLE_REFUSED = "535 5.7.8 Username and Password not accepted."
GOOGLE_ERROR = {"status": "400", "schemes": "Bearer", "scope": "https://mail.google.com/"}


class LargeCommandSMTP(SMTP):
    """Real tokens make AUTH lines of several kilobytes; aiosmtpd's default allows 512 bytes."""

    command_size_limit = 16384
    line_length_limit = 16384
    command_size_limits: collections.defaultdict[str, int] = collections.defaultdict(lambda: 16384)


class LargeCommandController(Controller):
    def factory(self) -> SMTP:
        return LargeCommandSMTP(self.handler, **self.SMTP_kwargs)


@dataclass
class XOAuth2Handler(RecordingHandler):
    """Accepts mail from whoever logs in with a live token; mode says how it refuses."""

    oauth: OAuthServer | None = None
    mode: str = "microsoft"  # or "google", "smtp-auth-disabled"
    accept: bool = True  # False: every token is refused, as with a wrong scope or mailbox

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:  # noqa: N802
        assert self.oauth is not None
        raw = base64.b64decode(args[1]).decode() if len(args) > 1 else ""
        fields = dict(part.split("=", 1) for part in raw.split("\x01") if "=" in part)
        user = fields.get("user", "")
        token = fields.get("auth", "").removeprefix("Bearer ")
        if self.mode == "smtp-auth-disabled":
            return AuthResult(success=False, handled=False, message=SMTP_AUTH_DISABLED)
        if self.accept and self.oauth.valid(token, user):
            return AuthResult(success=True, auth_data=user)
        if self.mode == "google":
            await server.challenge_auth(json.dumps(GOOGLE_ERROR))
            return AuthResult(
                success=False,
                handled=False,
                message="535 5.7.8 Username and Password not accepted.",
            )
        return AuthResult(success=False, handled=False, message=MICROSOFT_BAD_TOKEN)


def refuse_passwords(*args: Any) -> AuthResult:
    """Exchange Online after basic authentication was turned off."""
    return AuthResult(success=False, handled=False, message=BASIC_AUTH_DISABLED)


def start_xoauth2_server(handler: XOAuth2Handler, **options: Any) -> SmtpServer:
    """Start the server on a free loopback port, AUTH allowed without TLS."""
    port = free_port()
    controller = LargeCommandController(
        handler,
        hostname=LOOPBACK,
        port=port,
        server_hostname=SERVER_NAME,
        auth_require_tls=False,
        authenticator=options.pop("authenticator", refuse_passwords),
        **options,
    )
    controller.start()
    return SmtpServer(port=port, handler=handler, controller=controller)
