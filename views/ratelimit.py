"""Limits on how often one account or one address may try something, and how many at once."""

from __future__ import annotations

import contextlib
import hashlib
import math
import threading
from collections.abc import Hashable, Iterable, Iterator

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from models.rate_limit import bucket_count, prune_buckets, take_tries


class RateLimiter:
    """At most `limit` tries per `period` seconds for each key, in every process at once.

    The buckets live in the database the processes share. Keys are kept as
    fixed-size digests, only once a try is counted, and are forgotten once their
    bucket is full again: what attackers send cannot grow them.
    """

    def __init__(self, scope: str, limit: int, period: float) -> None:
        self.scope = scope
        self.limit = limit
        self.period = period
        self._last_prune = 0.0
        self._lock = threading.Lock()

    @staticmethod
    def _digest(key: Hashable) -> str:
        return hashlib.blake2b(repr(key).encode(), digest_size=16).hexdigest()

    def wait_needed(self, keys: Iterable[Hashable]) -> int:
        """Seconds to wait before trying again (0: go ahead, and the try is counted)."""
        # The app's clock, which the tests move instead of sleeping.
        now = current_app.config["CLOCK"]().timestamp()
        with self._lock:
            due = now - self._last_prune >= self.period
            if due:
                self._last_prune = now
        if due:
            prune_buckets(now)
        digests = [self._digest(key) for key in keys]
        wait = take_tries(self.scope, digests, self.limit, self.period, now)
        return max(1, math.ceil(wait)) if wait else 0

    def __len__(self) -> int:
        return bucket_count(self.scope)


class TalksBusy(Exception):
    """A conversation with a mail server cannot start now; the text says why."""


class ServerTalks:
    """Conversations with mail servers from pages: one per account, `total` at once.

    Each holds a serving thread for up to its timeout, so without a cap one
    account could occupy every thread and freeze the app for everyone.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self._busy: set[Hashable] = set()
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def slot(self, account: Hashable) -> Iterator[None]:
        """Hold a place for account's conversation, or raise TalksBusy at once."""
        with self._lock:
            if account in self._busy:
                raise TalksBusy(
                    _(
                        "Another test of this account is still running: wait for its result, "
                        "then try again."
                    )
                )
            if len(self._busy) >= self.total:
                raise TalksBusy(
                    _(
                        "Dues is talking to as many mail servers as it allows at once: "
                        "try again in a few seconds."
                    )
                )
            self._busy.add(account)
        try:
            yield
        finally:
            with self._lock:
                self._busy.discard(account)


def limiter(name: str) -> RateLimiter:
    """The app's limiter called name ('login', 'login_address' or 'send')."""
    limiters: dict[str, RateLimiter] = current_app.extensions["dues_rate_limits"]
    return limiters[name]


def server_talks() -> ServerTalks:
    """The app's cap on concurrent conversations with mail servers."""
    talks: ServerTalks = current_app.extensions["dues_server_talks"]
    return talks


def too_many(what: str, seconds: int) -> str:
    """The message for someone who tried too often: what is "log-in", "messages" or "probes"."""
    sentences = {
        "log-in": lambda: ngettext(
            "Too many log-in attempts in a short time: wait %(num)d second and try again.",
            "Too many log-in attempts in a short time: wait %(num)d seconds and try again.",
            seconds,
        ),
        "messages": lambda: ngettext(
            "Too many messages in a short time: wait %(num)d second and try again.",
            "Too many messages in a short time: wait %(num)d seconds and try again.",
            seconds,
        ),
        "probes": lambda: ngettext(
            "Too many probes in a short time: wait %(num)d second and try again.",
            "Too many probes in a short time: wait %(num)d seconds and try again.",
            seconds,
        ),
    }
    return str(sentences[what]())


def too_often(what: str) -> str | None:
    """Why this account or address must wait before talking to a mail server again."""
    keys = [("address", request.remote_addr), ("user", current_user.id)]
    wait = limiter("send").wait_needed(keys)
    return too_many(what, wait) if wait else None
