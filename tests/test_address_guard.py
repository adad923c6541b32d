"""The internal-address guard: every non-global address refused before any connect.

Name resolution and the socket connect are stubbed here: nothing leaves 127.0.0.1,
no name is asked of DNS, and a refusal must come before the stubbed connect.
"""

from __future__ import annotations

import html
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from channels import AddressRefused, ChannelError, Notification, Target, deliver
from mailer import ConnectionFailed, Security, SmtpConfig, compose, send_message
from models import AppSettings
from tests.conftest import ACCOUNT
from tests.test_settings_page import PAGE, form_values

NON_GLOBAL = {
    "100.64.12.7": "carrier-grade NAT",
    "10.1.2.3": "private",
    "192.168.1.20": "private",
    "169.254.1.1": "link-local",
    "127.0.0.2": "loopback",
    "0.0.0.0": "unspecified",
    "198.18.0.5": "private",  # benchmarking range
    "192.0.2.10": "private",  # documentation range
    "240.0.0.9": "private",  # reserved for future use, which Python counts as private
    "::1": "loopback",
    "fd00::25": "private",
    "fe80::1": "link-local",
    "::ffff:10.0.0.1": "private",
    "64:ff9b::a00:1": "private",  # NAT64 of 10.0.0.1
    "2002:a00:1::1": "private",  # 6to4 of 10.0.0.1
    "2001:db8::25": "private",
}
HOST = "relay.internal.example"


@pytest.mark.parametrize("address", sorted(NON_GLOBAL))
def test_every_non_global_address_is_refused_with_its_kind(address: str) -> None:
    reason = AppSettings(allowed_networks="").address_refusal(address)
    assert reason is not None and NON_GLOBAL[address] in reason
    assert "not a public one" in reason


def test_a_public_address_is_allowed_and_an_allowed_network_too() -> None:
    assert AppSettings(allowed_networks="").address_refusal("8.8.8.8") is None
    allowing = AppSettings(allowed_networks="100.64.0.0/10")
    assert allowing.address_refusal("100.64.12.7") is None


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """HOST resolves to a carrier-grade NAT address; every connect is recorded, never made."""
    connects: list[Any] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("100.64.12.7", port or 0))]
        assert host in ("127.0.0.1", "localhost", "::1"), f"no other name may be resolved: {host}"
        return real_getaddrinfo(host, port, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        connects.append(address)
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield connects


def test_the_mailer_refuses_before_connecting(resolver: list[Any]) -> None:
    config = SmtpConfig(
        host=HOST,
        port=25,
        security=Security.NONE,
        sender="dues@example.test",
        address_refusal=AppSettings(allowed_networks="").address_refusal,
    )
    message = compose(config, to=["admin@example.test"], subject="Hi", text="Hi")
    with pytest.raises(ConnectionFailed) as caught:
        send_message(config, message)
    assert "carrier-grade NAT" in caught.value.summary
    assert resolver == []


@pytest.fixture
def bob(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second account, not the administrator."""
    client.post("/setup", data=ACCOUNT)
    client.post(
        "/account/users",
        data={"new-username": "bob", "new-email": "bob@example.test", "new-password": "bob pass 1"},
    )
    # The LAN relay on loopback is allowed; the guard still stands for everything else.
    client.post("/account/networks", data={"allowed_networks": "127.0.0.0/8"})
    client.post("/logout")
    bob = app.test_client()
    bob.post("/login", data={"username": "bob", "password": "bob pass 1"})
    return bob


def test_saving_and_testing_a_tailnet_relay_is_a_field_error(
    bob: FlaskClient, resolver: list[Any]
) -> None:
    for path in (PAGE, PAGE + "/test"):
        response = bob.post(path, data=form_values(host=HOST, port="25"))
        assert response.status_code == 422
        assert "100.64.12.7 is a carrier-grade NAT" in response.get_data(as_text=True)
    assert resolver == []


def test_an_oauth_token_url_on_an_internal_host_is_refused_before_any_connect(
    bob: FlaskClient, resolver: list[Any]
) -> None:
    values = form_values(
        auth_method="oauth",
        oauth_provider="other",
        oauth_flow="app",
        oauth_client_id="dues-app",
        oauth_client_secret="secret",
        oauth_sign_in="bob@example.test",
        oauth_token_url=f"http://{HOST}/token",
    )
    response = bob.post("/settings/oauth/connect", data=values)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert f"Dues may not connect to “{HOST}” for this account" in page
    assert "carrier-grade NAT" in page
    assert resolver == []


REFUSE_INTERNAL = AppSettings(allowed_networks="").address_refusal
NOTE = Notification("Netflix renews tomorrow", "- **Netflix**", {"items": []})


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("webhook", f"http://{HOST}/hook"),
        ("ntfy", f"ntfys://{HOST}/bills"),
        ("gotify", f"gotify://{HOST}/AbCdEf"),
        ("apprise", f"mqtt://{HOST}:1883/dues"),
        ("apprise", f"json://{HOST}/hook"),
    ],
)
def test_every_channel_refuses_an_internal_host_at_connect_time(
    resolver: list[Any], kind: str, url: str
) -> None:
    with pytest.raises(AddressRefused) as caught:
        deliver(Target(kind, url, address_refusal=REFUSE_INTERNAL, timeout=2), NOTE)
    assert f"Dues may not connect to “{HOST}”" in caught.value.summary
    assert "carrier-grade NAT" in caught.value.summary
    assert resolver == []


def test_a_channel_connects_only_to_the_allowed_address_of_a_mixed_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A name with an internal and a public address: only the public one is tried."""
    tried: list[Any] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "203.0.113.80":  # the address chosen, handed back as it is
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (host, port))]
        assert host == HOST, f"no other name may be resolved: {host}"
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.8", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("203.0.113.80", port)),
        ]

    def connect(self: socket.socket, address: Any) -> None:
        tried.append(address[0])
        raise ConnectionRefusedError("stubbed: nothing leaves this machine")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    allow_documentation_range = AppSettings(allowed_networks="203.0.113.0/24").address_refusal
    target = Target("webhook", f"http://{HOST}/hook", address_refusal=allow_documentation_range)
    with pytest.raises(ChannelError):
        deliver(target, NOTE)
    assert tried == ["203.0.113.80"]


def test_saving_or_testing_a_webhook_on_an_internal_host_is_a_field_error(
    bob: FlaskClient, resolver: list[Any]
) -> None:
    form = {"name": "Hook", "url": f"http://{HOST}/hook", "method": "POST", "trust": "verify"}
    for path in ("/settings/channels/new/webhook", "/settings/channels/new/webhook/test"):
        response = bob.post(path, data=form)
        assert response.status_code == 422
        page = html.unescape(response.get_data(as_text=True))
        assert f"Dues may not connect to “{HOST}”" in page and "carrier-grade NAT" in page
    assert resolver == []
