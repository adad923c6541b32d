"""The attempt deadline: it cuts when due, and moving it never loses or hastens the cut."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from mailer.watchdog import Watchdog


@pytest.fixture
def watched() -> Iterator[tuple[Watchdog, socket.socket]]:
    ours, theirs = socket.socketpair()
    watchdog = Watchdog()
    watchdog.watch(ours)
    yield watchdog, theirs
    watchdog.release()
    ours.close()
    theirs.close()


def cut_within(peer: socket.socket, seconds: float) -> bool:
    """Whether the watched end is shut down within seconds (the peer reads end of file)."""
    peer.settimeout(seconds)
    try:
        return peer.recv(1) == b""
    except TimeoutError:
        return False


def test_a_sooner_deadline_wakes_a_thread_waiting_for_a_later_one(
    watched: tuple[Watchdog, socket.socket],
) -> None:
    watchdog, peer = watched
    watchdog.arm(30)
    time.sleep(0.1)  # the thread now waits for the 30-second deadline
    started = time.monotonic()
    watchdog.arm(0.2)
    assert cut_within(peer, 10), "the cut waited for the old deadline"
    assert watchdog.fired and time.monotonic() - started < 10


def test_a_later_deadline_and_a_disarm_hold_off_the_cut(
    watched: tuple[Watchdog, socket.socket],
) -> None:
    watchdog, peer = watched
    watchdog.arm(0.2)
    watchdog.arm(30)  # the thread wakes at 0.2 s, finds the deadline moved, and waits again
    assert not cut_within(peer, 0.6)
    watchdog.arm(0.2)
    watchdog.disarm()
    assert not cut_within(peer, 0.6) and not watchdog.fired
