"""Limits hold across serving processes: they are counted in the database all of them share."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask

from tests.conftest import ACCOUNT, SmtpLab, process_env, serves_health
from tests.oauth_server import Clock
from tests.smtp_servers import free_port, wait_for
from tests.test_settings_page import TEST, form_values
from views.ratelimit import RateLimiter

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 3


@pytest.fixture
def two_servers(app: Flask, app_config: dict[str, Any]) -> Iterator[list[int]]:
    """Two `flask serve` processes on the test's database, each with its own memory."""
    env = process_env(
        app_config,
        DUES_WTF_CSRF_ENABLED="false",
        DUES_SENDS_PER_MINUTE=str(LIMIT),
        DUES_LOGIN_ATTEMPTS_PER_MINUTE=str(LIMIT),
    )
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "serve"],
            cwd=ROOT,
            env={**env, "DUES_PORT": str(port)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for(lambda port=port: serves_health(port), timeout=30)
        yield ports
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def test_the_send_limit_holds_across_two_serving_processes(
    app: Flask, two_servers: list[int], smtp: SmtpLab
) -> None:
    client = app.test_client()
    client.post("/setup", data=ACCOUNT)
    cookie = client.get_cookie("session")
    assert cookie is not None
    server = smtp.plain_no_starttls
    statuses = []
    for attempt in range(2 * LIMIT):
        port = two_servers[attempt % 2]
        response = requests.post(
            f"http://127.0.0.1:{port}{TEST}",
            data=form_values(port=str(server.port)),
            cookies={"session": cookie.value},
            timeout=30,
        )
        statuses.append(response.status_code)
    # Each process alone would have allowed LIMIT: six tries, six emails.
    assert statuses == [200] * LIMIT + [429] * LIMIT
    assert "Too many messages in a short time" in response.text
    wait_for(lambda: len(server.received) == LIMIT)
    time.sleep(0.3)
    assert len(server.received) == LIMIT


def test_the_log_in_limit_holds_across_two_serving_processes(
    app: Flask, two_servers: list[int]
) -> None:
    app.test_client().post("/setup", data=ACCOUNT)
    statuses = [
        requests.post(
            f"http://127.0.0.1:{two_servers[attempt % 2]}/login",
            data={"username": ACCOUNT["username"], "password": "wrong"},
            timeout=30,
        ).status_code
        for attempt in range(2 * LIMIT)
    ]
    assert statuses == [422] * LIMIT + [429] * LIMIT


def test_a_bucket_refills_and_is_forgotten_once_full(app: Flask, clock: Clock) -> None:
    with app.app_context():
        limiter = RateLimiter("test", limit=2, period=60)
        # Two tries a minute: the third waits for one to come back, half a minute.
        assert [limiter.wait_needed([("user", 1)]) for _ in range(3)] == [0, 0, 30]
        clock.advance(31)
        assert limiter.wait_needed([("user", 1)]) == 0
        for number in range(50):
            limiter.wait_needed([("user", f"other {number}")])
        assert len(limiter) == 51
        clock.advance(61)
        assert limiter.wait_needed([("user", "new")]) == 0
        assert len(limiter) == 1


def test_a_refused_key_costs_the_other_keys_nothing(app: Flask) -> None:
    with app.app_context():
        limiter = RateLimiter("test", limit=1, period=60)
        assert limiter.wait_needed([("address", "a")]) == 0
        wait = limiter.wait_needed([("address", "a"), ("user", 7)])
        assert 55 <= wait <= 60
        # The user's try was not counted, because the address's was refused.
        assert limiter.wait_needed([("user", 7)]) == 0
