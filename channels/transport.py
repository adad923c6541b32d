"""Sending one notification to one channel: through Apprise, or the generic webhook.

Both obey the same target: the trust choice, the internal-address guard and the
timeout. Failures become ChannelError with the raw detail, secrets blotted out.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import apprise
import requests
import urllib3
from apprise.logger import NotifyLogEntry

from channels.errors import (
    AddressRefused,
    CertificateRefused,
    ChannelError,
    NotUsable,
    Refused,
    Unreachable,
)
from channels.guard import Policy, guarded
from channels.webhook import render_body
from translations import _

HIDDEN = "••••"


@dataclass(frozen=True)
class Target:
    """Where and how one channel sends: built from its stored settings in one place."""

    kind: str
    url: str
    secrets: Sequence[str] = ()
    verify_certificate: bool = True
    ca_certificates: str | None = None
    address_refusal: Policy | None = field(default=None, compare=False)
    method: str = "POST"
    body_template: str = ""
    timeout: int = 15

    @property
    def trust(self) -> str:
        """Which certificates are accepted, in words."""
        if not self.verify_certificate:
            return _("none checked (Ignore SSL verification)")
        return _("your CA") if self.ca_certificates else _("the system's trusted CAs")


@dataclass(frozen=True)
class Notification:
    """What a channel shows: a short title, a Markdown body, and more fields for webhooks."""

    title: str
    body: str
    fields: Mapping[str, Any]

    @property
    def webhook_fields(self) -> dict[str, Any]:
        """What a webhook's body template can use: the title, the body and the fields."""
        return {**self.fields, "title": self.title, "body": self.body}


@dataclass(frozen=True)
class Receipt:
    """A notification the service accepted."""

    service: str
    elapsed: float


def _parts(secret: str) -> Iterator[str]:
    """The secret, and for a URL the pieces of it that may be quoted on their own."""
    yield secret
    if "://" not in secret:
        return
    parts = urlsplit(secret)
    yield from (piece for piece in (parts.username, parts.password) if piece)
    pieces = parts.path.split("/") + [value for _, value in parse_qsl(parts.query)]
    yield from (piece for piece in pieces if len(piece) >= 8)


def redact(text: str, secrets: Sequence[str]) -> str:
    """text with every secret (and a URL's secret pieces), plain or encoded, replaced."""
    every = {part for secret in secrets for part in _parts(secret) if len(part) >= 3}
    for secret in sorted(every, key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote_plus(secret), quote(secret)}:
            text = text.replace(form, HIDDEN)
    return text


@contextlib.contextmanager
def _verification(target: Target) -> Iterator[bool | str]:
    """What requests' verify takes: False, True, or the path of the target's CA file."""
    if not target.verify_certificate or not target.ca_certificates:
        yield target.verify_certificate
        return
    handle, path = tempfile.mkstemp(suffix=".pem", prefix="dues-ca-")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(target.ca_certificates)
        yield path
    finally:
        os.unlink(path)


def plugin_for(url: str) -> apprise.plugins.NotifyBase:
    """The Apprise service for url; NotUsable when Apprise cannot make one of it."""
    plugin = apprise.Apprise.instantiate(url, asset=_ASSET)
    if plugin is None:
        scheme = url.partition("://")[0]
        raise NotUsable(
            _("Apprise cannot send to this URL (“%(scheme)s://…”).", scheme=scheme),
            hint=_("Check the service name and the parts Apprise's wiki lists for it."),
        )
    return plugin


def deliver(target: Target, notification: Notification) -> Receipt:
    """Send notification to target; ChannelError saying why when it does not go out."""
    started = time.monotonic()
    send = _send_webhook if target.kind == "webhook" else _send_apprise
    with _verification(target) as verify, guarded(target.address_refusal) as refusals:
        try:
            service = send(target, notification, verify)
        except ChannelError as error:
            raise _explained(error, refusals, target) from None
    return Receipt(service, time.monotonic() - started)


def _send_apprise(target: Target, notification: Notification, verify: bool | str) -> str:
    plugin = plugin_for(target.url)
    # Apprise takes a boolean; requests, underneath, also takes a CA file's path.
    plugin.verify_certificate = verify  # type: ignore[assignment]
    if isinstance(verify, str) and hasattr(plugin, "ca_certs"):
        plugin.ca_certs = verify  # MQTT over TLS reads its CA file from here
    plugin.socket_connect_timeout = plugin.socket_read_timeout = float(target.timeout)
    notifier = apprise.Apprise(asset=_ASSET)
    notifier.add(plugin)
    result = notifier.notify(
        body=notification.body,
        title=notification.title,
        body_format=apprise.NotifyFormat.MARKDOWN,
        log_level=logging.DEBUG,
    )
    if not result:
        said = [entry.message for entry in result.logs() if _tells_why(entry)]
        raise _classified(redact("\n".join(said), target.secrets))
    return str(plugin.service_name)


def _tells_why(entry: NotifyLogEntry) -> bool:
    """Whether a log line explains a failure: warnings, errors and the exception's text.

    Apprise's debug lines also hold request headers, where a token may be encoded
    (Basic auth) beyond what redact can find: those are never kept.
    """
    if entry.level in ("WARNING", "ERROR"):
        return True
    return str(entry.message).startswith(
        ("Socket Exception", "Response Details", "Notification Ex")
    )


def _send_webhook(target: Target, notification: Notification, verify: bool | str) -> str:
    try:
        response = requests.request(
            target.method,
            target.url,
            json=render_body(target.body_template, notification.webhook_fields),
            timeout=target.timeout,
            verify=verify,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        raise _classified(redact(str(exc), target.secrets)) from None
    if not 200 <= response.status_code < 300:
        raise _classified(
            redact(f"error={response.status_code} {response.text[:500]}", target.secrets)
        )
    return "Webhook"


_STATUS = re.compile(r"error=(\d{3})")
_CERTIFICATE = re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLError", re.I)


def _classified(detail: str) -> ChannelError:
    """The kind of failure the raw detail shows."""
    if _CERTIFICATE.search(detail):
        return CertificateRefused(
            _("The server's certificate is not trusted."),
            hint=_(
                "Paste your CA's certificate (PEM) under Security, or choose “Ignore SSL "
                "verification” if you accept any certificate on this network."
            ),
            detail=detail,
        )
    status = _STATUS.search(detail)
    if status and status[1] in ("401", "403"):
        return Refused(
            _("The service refused the credentials (HTTP %(status)s).", status=status[1]),
            hint=_("Check the token or key: copy it again from the service."),
            detail=detail,
        )
    if status and status[1].startswith("4") and status[1] != "429":
        return Refused(
            _("The service refused the notification (HTTP %(status)s).", status=status[1]),
            hint=_("Check the address, topic, room or chat id."),
            detail=detail,
        )
    if status:
        return Unreachable(
            _("The service failed on its side (HTTP %(status)s).", status=status[1]),
            hint=_("This is usually temporary: reminders are retried."),
            detail=detail,
        )
    return Unreachable(
        _("The service could not be reached."),
        hint=_("Check the server's address and port, and that it is up and reachable from Dues."),
        detail=detail,
    )


def _explained(error: ChannelError, refusals: list[str], target: Target) -> ChannelError:
    """The guard's refusal, when it caused the failure, else the error as it is."""
    if not refusals:
        return error
    return AddressRefused(
        _("Dues may not connect to %(where)s", where=redact(refusals[0], target.secrets)),
        hint=_("Use a public address, or ask the administrator to allow the network."),
        detail=error.detail,
    )


def _quiet_apprise() -> None:
    # "Ignore SSL verification" is the user's visible choice, badged on the page; a
    # warning per request in the log would add nothing.
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    # Apprise's own log lines carry request headers, tokens included: they are read
    # from each call's result, redacted, and never passed on to Dues' log.
    logger = logging.getLogger("apprise")
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    # urllib3's debug lines name each request's path, where a webhook's secret lives.
    logging.getLogger("urllib3").setLevel(logging.INFO)


def _asset() -> apprise.AppriseAsset:
    # In memory only: the container's file system may be read-only, and nothing
    # a channel learns (Matrix room ids, say) is worth a file of its own.
    return apprise.AppriseAsset(storage_mode=apprise.PersistentStoreMode.MEMORY)


_quiet_apprise()
_ASSET = _asset()
