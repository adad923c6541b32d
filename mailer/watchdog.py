"""A deadline for a whole SMTP attempt, not just for each socket read."""

from __future__ import annotations

import contextlib
import math
import socket
import threading
import time


class Watchdog:
    """Cuts the connection when an attempt runs past its deadline.

    A socket timeout bounds each read, not the attempt: a server trickling a
    byte at a time would otherwise keep the caller waiting indefinitely. One
    thread per connection waits for the deadline. Arming and disarming for each
    message of a batch only move the deadline; the thread is woken only when it
    must cut sooner than it is waiting for, since every wake-up is a switch
    that dozens of sending threads would pay for.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._socket: socket.socket | None = None
        self._deadline: float | None = None
        self._thread: threading.Thread | None = None
        # When the thread wakes up by itself: at a deadline, or never (math.inf).
        self._waking_at = math.inf
        self._released = False
        self.fired = False

    def watch(self, sock: socket.socket) -> None:
        """Watch sock; a duplicate stays valid after ssl wraps (and detaches) the original."""
        with self._condition:
            self._socket = sock.dup()

    def arm(self, seconds: float) -> None:
        """Cut the connection in seconds unless disarmed or armed again first."""
        with self._condition:
            self._deadline = time.monotonic() + seconds
            self._released = False
            if self._thread is None:
                self._thread = threading.Thread(target=self._wait, name="smtp-deadline")
                self._thread.daemon = True
                self._thread.start()
            elif self._deadline < self._waking_at:
                self._condition.notify()

    def disarm(self) -> None:
        """Cancel the pending cut; the thread finds it cancelled when it next wakes."""
        with self._condition:
            self._deadline = None

    def release(self) -> None:
        """Disarm, stop the waiting thread and let go of the watched socket."""
        with self._condition:
            self._deadline = None
            self._released = True
            self._condition.notify()
            thread, self._thread = self._thread, None
            if self._socket is not None:
                self._socket.close()
                self._socket = None
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _wait(self) -> None:
        with self._condition:
            while not self._released:
                if self._deadline is None:
                    self._waking_at = math.inf
                    self._condition.wait()
                    continue
                remaining = self._deadline - time.monotonic()
                if remaining > 0:
                    self._waking_at = self._deadline
                    self._condition.wait(remaining)
                    continue
                self.fired = True
                self._deadline = None
                if self._socket is not None:
                    with contextlib.suppress(OSError):  # already closed by the peer
                        self._socket.shutdown(socket.SHUT_RDWR)
