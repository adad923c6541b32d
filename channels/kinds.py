"""The kinds of channel: the fields each asks for, and the URL those fields make.

Declared once: the page's form, the stored values and the URL Apprise sends to are
all derived from these declarations. A field marked secret is write-only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from translations import N_, _

Values = Mapping[str, str]


class FieldProblem(ValueError):
    """A value the channel cannot use; field names the form field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Field:
    """One input of a channel's form."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    widget: str = "text"  # text, url, select or json
    hint: str = ""
    choices: tuple[str, ...] = ()
    default: str = ""


@dataclass(frozen=True)
class Kind:
    """A type of channel: its label, its fields and how they become a URL."""

    key: str
    label: str
    fields: tuple[Field, ...]
    build: Callable[[Values], str]
    # The field naming the server: stored secrets are kept only while it is unchanged.
    server_field: str | None = None
    # Whether the user picks the server (self-hosted): then trust choices and the
    # internal-address guard apply. Hosted services are always verified.
    self_hosted: bool = False

    def server(self, values: Values) -> str:
        """The server the secrets belong to, as entered ('' when the service is fixed)."""
        return values.get(self.server_field, "") if self.server_field else ""

    @property
    def secret_fields(self) -> tuple[Field, ...]:
        """The fields that are stored encrypted and never shown again."""
        return tuple(field for field in self.fields if field.secret)


def _server(values: Values, field: str) -> tuple[bool, str]:
    """(https?, host[:port][/path]) of an http(s) server URL field; FieldProblem if not one."""
    url = values.get(field, "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FieldProblem(
            field, _("Enter the server's address, starting with https:// or http://.")
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise FieldProblem(field, _("The port in this address is not a number.")) from exc
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{host}:{port}" if port else host
    return parts.scheme == "https", netloc + parts.path.rstrip("/")


def _q(value: str) -> str:
    return quote(value.strip(), safe="")


def _ntfy(values: Values) -> str:
    secure, server = _server(values, "server")
    token = values.get("token", "").strip()
    auth = f"{_q(token)}@" if token else ""
    query = "?auth=token&format=markdown&image=no" if token else "?format=markdown&image=no"
    return f"ntfy{'s' if secure else ''}://{auth}{server}/{_q(values['topic'])}{query}"


def _gotify(values: Values) -> str:
    secure, server = _server(values, "server")
    return f"gotify{'s' if secure else ''}://{server}/{_q(values['token'])}?format=markdown"


def _telegram(values: Values) -> str:
    token = values["bot_token"].strip()
    if not re.fullmatch(r"\d+:[\w-]+", token):
        raise FieldProblem(
            "bot_token", _("A bot token looks like 123456789:AAE…, as BotFather gave.")
        )
    return f"tgram://{token}/{_q(values['chat_id'])}?format=markdown"


def _hosted_webhook(pattern: str, example: str, apprise_url: str) -> Callable[[Values], str]:
    """The builder for a hosted service's webhook URL: the pattern's groups fill apprise_url."""

    def build(values: Values) -> str:
        match = re.fullmatch(pattern, values["webhook_url"].strip())
        if match is None:
            raise FieldProblem(
                "webhook_url", _("Paste the whole webhook URL, like %(example)s", example=example)
            )
        return apprise_url.format(*match.groups())

    return build


_discord = _hosted_webhook(
    r"https://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/(\d+)/([\w-]+)/?",
    "https://discord.com/api/webhooks/123…/abc…",
    "discord://{}/{}?format=markdown",
)
_slack = _hosted_webhook(
    r"https://hooks\.slack\.com/services/(\w+)/(\w+)/(\w+)/?",
    "https://hooks.slack.com/services/T…/B…/…",
    "slack://{}/{}/{}",
)


def _mattermost(values: Values) -> str:
    secure, server = _server(values, "webhook_url")
    host, _slash, path = server.partition("/")
    prefix, _hooks, key = path.rpartition("hooks/")
    if not key or "/" in key:
        raise FieldProblem(
            "webhook_url",
            _("Paste the whole webhook URL, like %(example)s", example="https://chat…/hooks/…"),
        )
    location = f"{host}/{prefix.rstrip('/')}" if prefix.strip("/") else host
    return f"mmost{'s' if secure else ''}://{location}/{_q(key)}"


def _matrix(values: Values) -> str:
    secure, server = _server(values, "server")
    user = values.get("user", "").strip()
    login = f"{_q(user)}:{_q(values['token'])}" if user else _q(values["token"])
    room = values["room"].strip()
    if room[:1] not in ("#", "!", "@"):
        raise FieldProblem("room", _("A room starts with # (an alias) or ! (a room id)."))
    scheme = "matrixs" if secure else "matrix"
    return f"{scheme}://{login}@{server}/{_q(room)}?format=markdown"


def _pushover(values: Values) -> str:
    return f"pover://{_q(values['user_key'])}@{_q(values['app_token'])}"


def _webhook(values: Values) -> str:
    _server(values, "url")
    return values["url"].strip()


def _apprise(values: Values) -> str:
    url = values["url"].strip()
    if "://" not in url:
        raise FieldProblem(
            "url", _("An Apprise URL starts with its service, like mqtt:// or ntfy://.")
        )
    return url


SERVER = Field(
    "server", N_("Server address"), widget="url", hint=N_("For example https://ntfy.example.org")
)
KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "ntfy",
            "ntfy",
            (
                SERVER,
                Field("topic", N_("Topic")),
                Field(
                    "token",
                    N_("Access token"),
                    secret=True,
                    required=False,
                    hint=N_("Only for a protected topic: tk_…"),
                ),
            ),
            _ntfy,
            server_field="server",
            self_hosted=True,
        ),
        Kind(
            "gotify",
            "Gotify",
            (SERVER, Field("token", N_("App token"), secret=True)),
            _gotify,
            server_field="server",
            self_hosted=True,
        ),
        Kind(
            "telegram",
            "Telegram",
            (
                Field("bot_token", N_("Bot token"), secret=True),
                Field(
                    "chat_id", N_("Chat id"), hint=N_("Your user id, or a group's id such as -100…")
                ),
            ),
            _telegram,
        ),
        Kind(
            "discord",
            "Discord",
            (Field("webhook_url", N_("Webhook URL"), secret=True, widget="url"),),
            _discord,
        ),
        Kind(
            "matrix",
            "Matrix",
            (
                SERVER,
                Field(
                    "user",
                    N_("User"),
                    required=False,
                    hint=N_("Only to log in with a password; leave empty with an access token."),
                ),
                Field("token", N_("Access token or password"), secret=True),
                Field("room", N_("Room"), hint=N_("#room:example.org or !id:example.org")),
            ),
            _matrix,
            server_field="server",
            self_hosted=True,
        ),
        Kind(
            "pushover",
            "Pushover",
            (
                Field("user_key", N_("User key"), secret=True),
                Field("app_token", N_("Application token"), secret=True),
            ),
            _pushover,
        ),
        Kind(
            "mattermost",
            "Mattermost",
            (Field("webhook_url", N_("Incoming webhook URL"), secret=True, widget="url"),),
            _mattermost,
            self_hosted=True,
        ),
        Kind(
            "slack",
            "Slack",
            (Field("webhook_url", N_("Incoming webhook URL"), secret=True, widget="url"),),
            _slack,
        ),
        Kind(
            "webhook",
            N_("Webhook (JSON)"),
            (
                Field(
                    "url",
                    N_("URL"),
                    secret=True,
                    widget="url",
                    hint=N_("Kept secret: many webhook addresses are their own password."),
                ),
                Field(
                    "method", N_("Method"), widget="select", choices=("POST", "PUT"), default="POST"
                ),
                Field(
                    "body",
                    N_("JSON body"),
                    widget="json",
                    required=False,
                    hint=N_("Leave empty for the standard body."),
                ),
            ),
            _webhook,
            self_hosted=True,
        ),
        Kind(
            "apprise",
            N_("Other (Apprise URL)"),
            (
                Field(
                    "url",
                    N_("Apprise URL"),
                    secret=True,
                    hint=N_("Any of Apprise's services, e.g. mqtt://broker:1883/topic"),
                ),
            ),
            _apprise,
            self_hosted=True,
        ),
    )
}
