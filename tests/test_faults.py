"""Misbehaving servers and a killed job: nothing lost, nothing sent twice."""

from __future__ import annotations

import datetime as dt
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from mailer import MailError, ProtocolError, Security, Stage, send_message
from models import Delivery, db, utcnow
from reminders import run_reminders
from tests.conftest import SmtpLab, process_env
from tests.factories import make_account, make_subscription
from tests.smtp_servers import (
    RecordingHandler,
    ScriptedServer,
    SmtpServer,
    free_port,
    hang_up_in_data,
    wait_for,
)
from tests.test_mailer import config_for, hello
from tests.test_reminders import ROOT, at

StartServer = Callable[..., SmtpServer]


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture
def hang_up_server() -> Iterator[ScriptedServer]:
    server = hang_up_in_data()
    yield server
    server.stop()


def records() -> list[Delivery]:
    db.session.expire_all()
    return list(db.session.scalars(select(Delivery).order_by(Delivery.id)))


def test_a_hang_up_in_the_middle_of_data_is_a_clear_temporary_error(
    hang_up_server: ScriptedServer,
) -> None:
    config = config_for(hang_up_server, Security.NONE)
    with pytest.raises(MailError) as caught:
        send_message(config, hello(config))
    error = caught.value
    assert isinstance(error, ProtocolError) and error.stage is Stage.DATA
    assert "closed the connection during the message (DATA) step" in error.summary
    assert error.temporary


def test_a_reminder_cut_off_in_data_is_sent_once_the_server_recovers(
    ctx: Flask, smtp: SmtpLab, hang_up_server: ScriptedServer
) -> None:
    user = make_account("alice", port=hang_up_server.port)
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    assert run_reminders(at("2026-12-09 09:00")).retrying == 1
    [record] = records()
    assert record.status == "pending" and "DATA" in record.last_error
    user.email_settings.port = smtp.plain_no_starttls.port
    db.session.commit()
    assert run_reminders(at("2026-12-09 09:10")).sent == 1
    assert run_reminders(at("2026-12-09 10:00")).sent == 0
    assert len(smtp.plain_no_starttls.received) == 1


@pytest.mark.parametrize(
    ("reply", "final_status"),
    [
        ("421 4.3.2 Service shutting down", "pending"),
        ("451 4.3.0 Temporary local problem", "pending"),
        ("552 5.3.4 Message size exceeds fixed limit", "failed"),
        ("554 5.7.1 Message rejected as spam", "failed"),
    ],
)
def test_temporary_replies_are_retried_and_permanent_ones_recorded(
    ctx: Flask, start_server: StartServer, reply: str, final_status: str
) -> None:
    server = start_server(RecordingHandler(data_reply=reply))
    user = make_account("alice", port=server.port)
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    run_reminders(at("2026-12-09 09:00"))
    [record] = records()
    assert record.status == final_status
    assert reply[:3] in record.last_error and reply[4:] in record.last_error
    assert (record.next_attempt_at is not None) == (final_status == "pending")


def test_a_trickling_server_fails_in_time_and_the_next_account_is_still_served(
    ctx: Flask, smtp: SmtpLab
) -> None:
    slow = make_account("slow", port=smtp.trickling.port, timeout=1)
    fine = make_account("fine", port=smtp.plain_no_starttls.port)
    make_subscription(slow, "Slow's", dt.date(2026, 12, 10))
    make_subscription(fine, "Fine's", dt.date(2026, 12, 10))
    started = time.monotonic()
    summary = run_reminders(at("2026-12-09 09:00"))
    assert time.monotonic() - started < 3, "one second of timeout, not the trickle's pace"
    assert (summary.sent, summary.retrying) == (1, 1)


def test_a_job_killed_mid_run_loses_nothing_and_repeats_at_most_the_message_in_flight(
    app: Flask, app_config: dict[str, Any], start_server: StartServer
) -> None:
    server = start_server(RecordingHandler(delay=0.15))
    with app.app_context():
        user = make_account("alice", port=server.port, digest=False)
        for number in range(12):
            make_subscription(user, f"S{number:02d}", dt.date(2026, 12, 10))
    env = process_env(app_config)
    command = [sys.executable, "-m", "flask", "--app", "app", "send-reminders", "--now"]
    first = subprocess.Popen([*command, "2026-12-09T09:00"], cwd=ROOT, env=env)
    wait_for(lambda: len(server.received) >= 4, timeout=30)
    first.send_signal(signal.SIGKILL)
    first.wait()
    delivered_before_kill = len(server.received)
    assert delivered_before_kill < 12, "killed mid-run"
    # Claims last 15 minutes: a run after that picks up what the killed one held.
    second = subprocess.run(
        [*command, "2026-12-09T09:16"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert second.returncode == 0, second.stderr
    subjects = [r.message["Subject"] for r in server.received]
    assert {re.sub(r" renews.*", "", s) for s in subjects} == {f"S{n:02d}" for n in range(12)}
    assert len(subjects) - 12 <= 1, "only the message in flight at the kill may repeat"
    with app.app_context():
        assert {r.status for r in records()} == {"sent"}


def test_two_serving_processes_and_cron_together_send_each_reminder_once(
    app: Flask, app_config: dict[str, Any], start_server: StartServer
) -> None:
    server = start_server(RecordingHandler(delay=0.02))
    with app.app_context():
        for account in range(2):
            user = make_account(f"user{account}", port=server.port, digest=False, send_hour=0)
            for number in range(15):
                make_subscription(
                    user, f"S{account}-{number:02d}", utcnow().date() + dt.timedelta(days=1)
                )
    env = process_env(app_config, DUES_SCHEDULER="on", DUES_SCHEDULER_INTERVAL="0.3")
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            wait_for(lambda port=port: _answers(port), timeout=30)
        cron = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "send-reminders"],
            cwd=ROOT,
            env=process_env(app_config),
            capture_output=True,
            text=True,
        )
        assert cron.returncode == 0, cron.stderr
        wait_for(lambda: len(server.received) >= 30, timeout=30)
        time.sleep(1.0)  # several more scheduler ticks in both processes
    finally:
        for process in servers:
            process.terminate()
            process.wait()
    subjects = [r.message["Subject"] for r in server.received]
    assert len(subjects) == 30 and len(set(subjects)) == 30


def _answers(port: int) -> bool:
    """Whether the app on port answers (the request also starts its scheduler)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=1):
            return True
    except OSError:
        return False
