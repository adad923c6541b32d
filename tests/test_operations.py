"""Running Dues for real: the health check, a reverse proxy, backups, and stopping cleanly."""

from __future__ import annotations

import datetime as dt
import logging
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app, upgrade_database
from models import User, db
from tests.conftest import ACCOUNT, process_env, serves_health
from tests.factories import make_account, make_subscription
from tests.smtp_servers import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
# What a reverse proxy adds; 198.51.100.7 is a documentation address, never connected to.
FORWARDED = {
    "X-Forwarded-For": "198.51.100.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "dues.example.test",
}


def test_the_health_check_needs_no_log_in_and_tells_nothing(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Cache-Control"] == "no-store"


def test_the_health_check_fails_when_the_database_does_not_answer(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    app = create_app({**app_config, "DATABASE_URL": f"sqlite:///{tmp_path}/missing/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable\n"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_database_is_refused_at_start_in_words(
    app_config: dict[str, Any], url: str
) -> None:
    with pytest.raises(ValueError, match="in-memory database, lost when Dues stops"):
        create_app({**app_config, "DATABASE_URL": url})


def test_forwarded_headers_are_ignored_without_trusted_proxies(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="dues.requests"):
        client.get("/", headers=FORWARDED)
    assert "127.0.0.1 GET http://localhost/ 302" in caplog.text


def test_the_request_log_writes_no_query_string_and_no_feed_token(
    app: Flask, logged_in: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    logged_in.post("/calendar/feed")
    with app.app_context():
        token = db.session.scalars(db.select(User.ics_token)).one()
    assert token
    with caplog.at_level(logging.INFO, logger="dues.requests"):
        app.test_client().get(f"/calendar/feed/{token}.ics")
        logged_in.get("/settings/oauth/callback?code=one-time-authorization-code&state=s")
    logged = [r.getMessage() for r in caplog.records if r.name == "dues.requests"]
    assert logged == [
        "127.0.0.1 GET http://localhost/calendar/feed/….ics 200",
        "127.0.0.1 GET http://localhost/settings/oauth/callback?… 400",
    ]
    assert token not in caplog.text
    assert "one-time-authorization-code" not in caplog.text


def test_behind_a_trusted_proxy_the_client_address_and_public_url_are_used(
    app_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app({**app_config, "TRUSTED_PROXIES": 1, "LOGIN_ATTEMPTS_PER_MINUTE": 1})
    upgrade_database(app)
    client = app.test_client()
    client.post("/setup", data=ACCOUNT)
    client.post("/logout")
    with caplog.at_level(logging.INFO, logger="dues.requests"):
        client.get("/account", headers=FORWARDED)
    assert "198.51.100.7 GET https://dues.example.test/account 302" in caplog.text

    def log_in(address: str) -> int:
        response = app.test_client().post(
            "/login",
            data={"username": ACCOUNT["username"], "password": "wrong"},
            headers={"X-Forwarded-For": address},
        )
        return response.status_code

    # The limit counts per real client, not per proxy.
    assert [log_in("198.51.100.7"), log_in("198.51.100.7")] == [422, 429]
    assert log_in("198.51.100.8") == 422
    with app.app_context():
        db.engine.dispose()


def test_backup_makes_a_consistent_copy_while_the_app_writes(
    app: Flask, tmp_path: Path, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL is backed up with pg_dump (tested below)")
    with app.app_context():
        user_id = make_account("alice", port=25).id
    stop = threading.Event()

    def writer() -> None:
        with app.app_context():
            owner = db.session.get(User, user_id)
            assert owner is not None
            number = 0
            while not stop.is_set():
                make_subscription(owner, f"Sub {number}", dt.date(2027, 1, 15))
                number += 1

    thread = threading.Thread(target=writer)
    thread.start()
    target = tmp_path / "backup.sqlite3"
    try:
        time.sleep(0.3)
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
    finally:
        stop.set()
        thread.join()
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute('SELECT username FROM "user"').fetchall() == [("alice",)]
    assert copy.execute("SELECT count(*) FROM subscription").fetchone()[0] > 0
    copy.close()
    assert target.stat().st_mode & 0o777 == 0o600


def test_backup_of_postgresql_points_to_pg_dump(app: Flask, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("SQLite is backed up by the command itself")
    result = app.test_cli_runner().invoke(args=["backup", "/tmp/never-written.db"])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_serve_logs_to_stdout_and_stops_at_sigterm_with_status_zero(
    app: Flask, app_config: dict[str, Any]
) -> None:
    port = free_port()
    env = process_env(app_config, DUES_PORT=str(port), DUES_SCHEDULER="on")
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: serves_health(port), timeout=30)
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=10)
        stopped_in = time.monotonic() - started
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0 and stopped_in < 10, output
    assert "database schema is up to date" in output
    assert f"GET http://127.0.0.1:{port}/healthz 200" in output


@pytest.mark.parametrize(
    ("variable", "value", "wanted"),
    [
        ("DUES_SEND_CONCURRENCY", "abc", "a whole number of 1 or more"),
        ("DUES_SEND_CONCURRENCY", "0", "a whole number of 1 or more"),
        ("DUES_SENDS_PER_MINUTE", "-1", "a whole number of 1 or more"),
        ("DUES_TRUSTED_PROXIES", "yes", "a whole number of 0 or more"),
        ("DUES_SCHEDULER_INTERVAL", "0", "a number of seconds above 0"),
        ("DUES_SCHEDULER", "of", "on or off"),
        ("DUES_RATES_FETCH", "maybe", "on or off"),
        ("DUES_BASE_URL", "dues.example.test", "the address Dues is opened at"),
        ("DUES_BASE_URL", "http://[::1", "the address Dues is opened at"),
    ],
)
def test_a_setting_that_cannot_work_stops_the_start_in_words(
    app_config: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    wanted: str,
) -> None:
    monkeypatch.setenv(variable, value)
    name = variable.removeprefix("DUES_")
    config = {key: setting for key, setting in app_config.items() if key != name}
    with pytest.raises(
        ValueError, match=re.escape(f"{variable}={value} cannot work: give {wanted}")
    ):
        create_app(config)


def test_settings_are_read_as_what_they_mean(app_config: dict[str, Any]) -> None:
    app = create_app(
        {**app_config, "SCHEDULER": "false", "RATES_FETCH": "on", "SEND_CONCURRENCY": " 8 "}
    )
    assert app.config["SCHEDULER"] is False
    assert app.config["RATES_FETCH"] is True
    assert app.config["SEND_CONCURRENCY"] == 8
    assert "dues_scheduler" not in app.extensions


def test_a_failing_request_logs_neither_its_secret_path_nor_its_query_parameters(
    app_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """The feed's token is both in its path and a parameter of the query that fails."""
    if not str(app_config["DATABASE_URL"]).startswith("sqlite"):
        pytest.skip("the test's PostgreSQL database keeps its schema between tests")
    # Never migrated: the feed's query fails on the missing table, as on a broken database.
    app = create_app({**app_config, "PROPAGATE_EXCEPTIONS": False})
    token = "feed-token-that-is-the-feeds-only-key"
    with caplog.at_level(logging.INFO):
        response = app.test_client().get(f"/calendar/feed/{token}.ics")
    assert response.status_code == 500
    assert "Exception on http://localhost/calendar/feed/….ics [GET]" in caplog.text
    assert "no such table: user" in caplog.text
    assert token not in caplog.text
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", ["/", "/login", "/subscriptions", "/healthz"])
def test_a_host_header_no_address_can_be_built_for_is_a_400(
    app: Flask, logged_in: FlaskClient, path: str
) -> None:
    """Werkzeug refuses a host name longer than DNS allows; redirecting to log-in was a 500."""
    for who in (app.test_client(), logged_in):
        assert who.get(path, headers={"Host": "x" * 300}).status_code == 400
