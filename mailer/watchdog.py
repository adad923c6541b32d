"""A deadline for a whole SMTP attempt, not just for each socket read."""

from __future__ import annotations

import contextlib
import socket
import threading


class Watchdog:
    """Cuts the connection when an attempt runs past its deadline.

    A socket timeout bounds each read, not the attempt: a server trickling a
    byte at a time would otherwise keep the caller waiting indefinitely.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._timer: threading.Timer | None = None
        self.fired = False

    def watch(self, sock: socket.socket) -> None:
        """Watch sock; a duplicate stays valid after ssl wraps (and detaches) the original."""
        with self._lock:
            self._socket = sock.dup()

    def arm(self, seconds: float) -> None:
        """Cut the connection in seconds unless disarmed first."""
        self.disarm()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def disarm(self) -> None:
        """Cancel the pending cut."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def release(self) -> None:
        """Disarm and let go of the watched socket."""
        self.disarm()
        with self._lock:
            if self._socket is not None:
                self._socket.close()
                self._socket = None

    def _cut(self) -> None:
        with self._lock:
            self.fired = True
            if self._socket is not None:
                with contextlib.suppress(OSError):  # already closed by the peer
                    self._socket.shutdown(socket.SHUT_RDWR)
