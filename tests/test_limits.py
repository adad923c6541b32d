"""Nobody can exhaust the server, lock others out, outlive a log-out, or read its files."""

from __future__ import annotations

import os
import stat
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import create_app, upgrade_database
from models import User, db
from tests.conftest import ACCOUNT, SmtpLab
from tests.test_settings_page import TEST, form_values

LOGIN = "/login"


def limiter_sizes(app: Flask) -> dict[str, int]:
    with app.app_context():
        limiters = app.extensions["dues_rate_limits"].items()
        return {name: len(limiter) for name, limiter in limiters}


def test_a_huge_form_is_refused_before_it_is_read_and_leaves_nothing_behind(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post("/logout")
    body = urllib.parse.urlencode({"username": "x" * 2_000_000, "password": "p"})
    response = logged_in.post(LOGIN, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert limiter_sizes(app)["login"] == 0


def test_a_long_username_is_refused_and_never_kept(app: Flask, logged_in: FlaskClient) -> None:
    logged_in.post("/logout")
    response = logged_in.post(LOGIN, data={"username": "x" * 5000, "password": "wrong"})
    assert response.status_code == 422
    assert limiter_sizes(app) == {"login": 0, "login_address": 0, "send": 0, "two_factor": 0}


def test_refused_log_ins_do_not_grow_the_limiter(app: Flask, logged_in: FlaskClient) -> None:
    logged_in.post("/logout")
    started = time.monotonic()
    for number in range(100):
        logged_in.post(LOGIN, data={"username": f"guess{number}", "password": "wrong"})
    sizes = limiter_sizes(app)
    # Only tries that were counted are kept: 30 per address per minute, and the
    # address's bucket refilled by one every two seconds meanwhile.
    refilled = int((time.monotonic() - started) / 2) + 1
    assert sizes["login"] <= 30 + refilled and sizes["login_address"] == 1


def test_wrong_passwords_from_a_stranger_do_not_lock_the_owner_out(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post("/logout")
    stranger = app.test_client()
    for _ in range(12):
        stranger.post(
            LOGIN,
            data={"username": ACCOUNT["username"], "password": "wrong"},
            environ_base={"REMOTE_ADDR": "127.0.0.2"},
        )
    locked = stranger.post(
        LOGIN,
        data={"username": ACCOUNT["username"], "password": ACCOUNT["password"]},
        environ_base={"REMOTE_ADDR": "127.0.0.2"},
    )
    assert locked.status_code == 429
    owner = app.test_client().post(
        LOGIN,
        data={"username": ACCOUNT["username"], "password": ACCOUNT["password"]},
        environ_base={"REMOTE_ADDR": "127.0.0.3"},
    )
    assert owner.status_code == 302


def test_an_unknown_username_takes_as_long_as_a_known_one(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post("/logout")

    def timed(username: str) -> float:
        client = app.test_client()
        started = time.perf_counter()
        client.post(LOGIN, data={"username": username, "password": "wrong password"})
        return time.perf_counter() - started

    known = statistics.median(timed(ACCOUNT["username"]) for _ in range(3))
    unknown = statistics.median(timed("nobody-of-that-name") for _ in range(3))
    # Without hashing for unknown users the ratio was about 0.03.
    assert unknown > 0.4 * known, f"known {known:.3f} s, unknown {unknown:.3f} s"


def test_a_copied_session_cookie_stops_working_after_log_out(
    app: Flask, logged_in: FlaskClient
) -> None:
    cookie = logged_in.get_cookie("session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("session", cookie.value)
    assert copy.get("/account").status_code == 200
    logged_in.post("/logout")
    assert copy.get("/account").status_code == 302


def test_a_password_change_ends_every_other_session(app: Flask, logged_in: FlaskClient) -> None:
    cookie = logged_in.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    response = logged_in.post(
        "/account/password",
        data={"current_password": ACCOUNT["password"], "new_password": "a new passphrase"},
    )
    assert response.status_code == 302
    assert logged_in.get("/account").status_code == 200, "this session goes on"
    assert other.get("/account").status_code == 302


def test_log_out_every_other_session_keeps_this_one(app: Flask, logged_in: FlaskClient) -> None:
    phone = app.test_client()
    assert phone.post("/login", data=ACCOUNT).status_code == 302
    assert phone.get("/account").status_code == 200
    assert "Log out every other session" in logged_in.get("/account").get_data(as_text=True)
    assert logged_in.post("/account/sessions").status_code == 302
    assert logged_in.get("/account").status_code == 200, "this session goes on"
    assert phone.get("/account").status_code == 302


def test_concurrent_set_ups_create_exactly_one_administrator(app: Flask) -> None:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/setup"
    start = threading.Barrier(10)

    def set_up(number: int) -> None:
        data = urllib.parse.urlencode(
            {"username": f"admin{number}", "email": "a@example.test", "password": "long enough"}
        ).encode()
        start.wait()
        try:
            urllib.request.urlopen(url, data=data, timeout=30).read()
        except urllib.error.HTTPError:
            pass  # a loser may be answered with an error page; what counts is the database

    workers = [threading.Thread(target=set_up, args=(n,)) for n in range(10)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        server.shutdown()
        thread.join()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalar(select(func.count()).where(User.is_admin)) == 1


def test_the_instance_folder_and_database_files_are_private(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    previous = os.umask(0o022)
    try:
        app = create_app({"INSTANCE_PATH": str(instance), "SCHEDULER": "off"})
        upgrade_database(app)
        with app.app_context():
            app.test_client().post("/setup", data=ACCOUNT)
            files = {path.name: stat.S_IMODE(path.stat().st_mode) for path in instance.iterdir()}
            db.engine.dispose()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    assert {"secret_key", "dues.sqlite3", "dues.sqlite3-wal", "dues.sqlite3-shm"} <= set(files)
    assert all(mode == 0o600 for mode in files.values()), files


def test_a_slow_test_email_never_freezes_the_app(app_config: dict[str, Any], smtp: SmtpLab) -> None:
    app = create_app({**app_config, "CONCURRENT_SENDS": 1})
    upgrade_database(app)
    alice, bob = app.test_client(), app.test_client()
    alice.post("/setup", data=ACCOUNT)
    alice.post(
        "/account/users",
        data={"new-username": "bob", "new-email": "bob@example.test", "new-password": "bob's pass"},
    )
    alice.post("/account/networks", data={"allowed_networks": "127.0.0.0/8"})
    bob.post(LOGIN, data={"username": "bob", "password": "bob's pass"})
    slow = form_values(port=str(smtp.silent.port), timeout="3")
    first = threading.Thread(target=alice.post, args=(TEST,), kwargs={"data": slow})
    first.start()
    try:
        time.sleep(0.5)  # the first test is now waiting on the silent server
        started = time.monotonic()
        again = alice.post(TEST, data=slow)
        other = bob.post(TEST, data=form_values(port=str(smtp.plain_no_starttls.port)))
        anonymous = app.test_client().get(LOGIN)
        answered_in = time.monotonic() - started
    finally:
        first.join()
    assert again.status_code == 429
    assert "Another test of this account is still running" in again.get_data(as_text=True)
    assert other.status_code == 429
    assert "as many mail servers as it allows at once" in other.get_data(as_text=True)
    assert anonymous.status_code == 200
    assert answered_in < 2, "answered at once, not after the slow test"
    with app.app_context():
        db.engine.dispose()
