"""The internal-address guard for channels: checked at connect time, per delivery.

Apprise's plugins and requests resolve and connect on their own, so a check made
before sending could be undone by a name that resolves differently a moment later.
Instead, while a delivery runs with a policy, every new connection this thread makes
through urllib3 (requests) or socket.create_connection (MQTT) resolves the name once,
drops the addresses the policy refuses, and connects only to an address it allowed.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

import urllib3.util.connection

from translations import _

Policy = Callable[[str], "str | None"]

_policy: ContextVar[Policy | None] = ContextVar("channel_address_policy", default=None)
_refusals: ContextVar[list[str] | None] = ContextVar("channel_address_refusals", default=None)


class AddressNotAllowed(OSError):
    """Every address of the host is one the policy refuses."""


def _permitted_addresses(host: str, port: int, policy: Policy) -> list[str]:
    """The addresses of host that policy allows; AddressNotAllowed (recorded) if none."""
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    reasons = [policy(address) for address in addresses]
    permitted = [address for address, reason in zip(addresses, reasons, strict=True) if not reason]
    if not permitted:
        no_address = _("%(host)s has no address", host=host)
        reason = next((reason for reason in reasons if reason), no_address)
        refusals = _refusals.get()
        if refusals is not None:
            refusals.append(f"“{host}”: {reason}")
        raise AddressNotAllowed(reason)
    return permitted


def _guarded(original: Callable[..., socket.socket]) -> Callable[..., socket.socket]:
    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        policy = _policy.get()
        if policy is None:
            return original(address, *args, **kwargs)
        host, port = address[0], address[1]
        last_error: OSError | None = None
        for permitted in _permitted_addresses(host, port, policy):
            try:
                return original((permitted, port), *args, **kwargs)
            except OSError as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    create_connection.__wrapped__ = original  # type: ignore[attr-defined]
    return create_connection


def install() -> None:
    """Put the guard in front of urllib3's and the socket module's connects (once)."""
    modules: tuple[Any, ...] = (urllib3.util.connection, socket)
    for module in modules:
        current = module.create_connection
        if not hasattr(current, "__wrapped__"):
            module.create_connection = _guarded(current)


@contextlib.contextmanager
def guarded(policy: Policy | None) -> Iterator[list[str]]:
    """Within the block, connections obey policy; yields the refusals made."""
    install()
    refusals: list[str] = []
    policy_token = _policy.set(policy)
    refusals_token = _refusals.set(refusals)
    try:
        yield refusals
    finally:
        _refusals.reset(refusals_token)
        _policy.reset(policy_token)
