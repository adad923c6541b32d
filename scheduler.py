"""The in-app reminder job: a thread that runs it every few minutes in the serving process."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from exchange.refresh import refresh_rates
from models import utcnow
from reminders import run_reminders

log = logging.getLogger("dues")


class ReminderScheduler:
    """Runs the reminder job in the serving process every few minutes."""

    def __init__(self, app: Flask, interval: float) -> None:
        self._app = app
        self._interval = interval
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._rates_day: object = None

    def start_once(self) -> None:
        """Start the background thread with the first request."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="reminders", daemon=True)
                self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop after the run in progress, waiting for it at most timeout seconds.

        A message abandoned mid-run keeps its claim until the lease ends, and is
        then sent by a later run.
        """
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            with self._app.app_context():
                try:
                    if self._rates_day != utcnow().date():
                        self._rates_day = utcnow().date()
                        refresh_rates()
                    summary = run_reminders(utcnow())
                except Exception:
                    # The next tick tries again; the loop must outlive one bad run.
                    log.exception("reminder run failed")
                else:
                    log.info("reminders: %s", summary.line())
            self._stopping.wait(self._interval)
