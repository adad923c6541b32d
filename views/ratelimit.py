"""Limits on how often one account or one address may try something."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable

from flask import current_app


class RateLimiter:
    """At most `limit` tries per `period` seconds for each key, in this process."""

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self._tries: defaultdict[Hashable, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def wait_needed(self, keys: Iterable[Hashable]) -> int:
        """Seconds to wait before trying again (0: go ahead, and the try is counted)."""
        now = time.monotonic()
        with self._lock:
            queues = [self._tries[key] for key in keys]
            for queue in queues:
                while queue and queue[0] <= now - self.period:
                    queue.popleft()
            waits = [queue[0] + self.period - now for queue in queues if len(queue) >= self.limit]
            if waits:
                return max(1, math.ceil(max(waits)))
            for queue in queues:
                queue.append(now)
            return 0


def limiter(name: str) -> RateLimiter:
    """The app's limiter called name ('login' or 'send')."""
    limiters: dict[str, RateLimiter] = current_app.extensions["dues_rate_limits"]
    return limiters[name]


def too_many(what: str, seconds: int) -> str:
    """The message for someone who tried too often."""
    return f"Too many {what} in a short time: wait {seconds} seconds and try again."
