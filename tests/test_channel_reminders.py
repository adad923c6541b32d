"""The reminder job with push channels: once per channel, retries per channel, no spill-over."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Delivery, EmailSettings, User, db
from reminders import run_reminders
from tests.conftest import PushLab, SmtpLab, process_env
from tests.factories import make_account, make_channel, make_subscription
from tests.smtp_servers import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


def records(channel: str | None = None) -> list[Delivery]:
    db.session.expire_all()
    query = select(Delivery).order_by(Delivery.id)
    if channel:
        query = query.where(Delivery.channel == channel)
    return list(db.session.scalars(query))


def webhook(user: User, url: str, name: str = "Hook", **fields: object) -> str:
    return make_channel(user, "webhook", name, secrets={"url": url}, **fields).key


def test_two_runs_at_once_send_each_reminder_once_by_email_and_once_by_webhook(
    app: Flask, app_config: dict[str, object], smtp: SmtpLab, push: PushLab
) -> None:
    server, sink = smtp.plain_no_starttls, push.sink()
    with app.app_context():
        for account in range(2):
            user = make_account(f"user{account}", port=server.port, digest=False)
            webhook(user, f"{sink.url}/u{account}")
            for number in range(10):
                make_subscription(user, f"S{account}-{number}", dt.date(2026, 12, 10))
    command = [sys.executable, "-m", "flask", "--app", "app", "send-reminders"]
    command += ["--now", "2026-12-09T09:00"]
    env = process_env(app_config)
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    sent = [int(re.search(r"sent (\d+)", output)[1]) for output in outputs]  # type: ignore[index]
    assert sum(sent) == 40
    subjects = [received.message["Subject"] for received in server.received]
    titles = [request.json()["title"] for request in sink.received]
    assert len(subjects) == len(set(subjects)) == 20
    assert len(titles) == len(set(titles)) == 20
    assert {request.path for request in sink.received} == {"/u0", "/u1"}


def test_a_channel_that_fails_for_now_is_retried_and_email_is_not_sent_again(
    ctx: Flask, smtp: SmtpLab, push: PushLab
) -> None:
    sink = push.sink()
    sink.statuses = [503]
    user = make_account("alice", port=smtp.plain_no_starttls.port)
    hook = webhook(user, f"{sink.url}/hook")
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    first = run_reminders(at("2026-12-09 09:00"))
    assert (first.due, first.sent, first.failed, first.retrying) == (2, 1, 1, 1)
    [waiting] = records(hook)
    assert waiting.status == "pending" and "failed on its side (HTTP 503)" in waiting.last_error
    assert run_reminders(at("2026-12-09 09:01")).sent == 0, "it backs off"
    later = run_reminders(at("2026-12-09 09:06"))
    assert (later.sent, later.skipped) == (1, 1)
    assert len(smtp.plain_no_starttls.received) == 1 and len(sink.received) == 2
    [email] = records("email")
    [pushed] = records(hook)
    assert (email.status, email.attempts, email.channel_name) == ("sent", 1, "Email")
    assert (pushed.status, pushed.attempts, pushed.channel_name) == ("sent", 2, "Hook")
    assert pushed.recipients == "Webhook"


def test_a_channel_gets_only_the_categories_it_asks_for(
    ctx: Flask, smtp: SmtpLab, push: PushLab
) -> None:
    sink = push.sink()
    user = make_account("alice", port=smtp.plain_no_starttls.port)
    make_subscription(user, "Netflix", dt.date(2026, 12, 10), category="Video")
    make_subscription(user, "Gym", dt.date(2026, 12, 10), category="Health")
    webhook(user, sink.url, categories=["Video"])
    run_reminders(at("2026-12-09 09:00"))
    [request] = sink.received
    assert [item["name"] for item in request.json()["items"]] == ["Netflix"]
    [email] = smtp.plain_no_starttls.received
    assert email.message["Subject"].startswith("2 payments coming up")


def test_a_channel_that_is_down_never_holds_up_another_channel_or_account(
    ctx: Flask, smtp: SmtpLab, push: PushLab
) -> None:
    sink = push.sink()
    alice = make_account("alice", port=smtp.plain_no_starttls.port)
    alice.email_settings.enabled = False
    down = webhook(alice, f"http://127.0.0.1:{free_port()}/nothing-listens", name="Down")
    up = webhook(alice, f"{sink.url}/alice", name="Up")
    bob = make_account("bob", port=smtp.plain_no_starttls.port)
    bob.email_settings.enabled = False
    webhook(bob, f"{sink.url}/bob")
    for user in (alice, bob):
        make_subscription(user, "Netflix", dt.date(2026, 12, 10))
        make_subscription(user, "Disney+", dt.date(2026, 12, 11), reminder_offsets="2")
    summary = run_reminders(at("2026-12-09 09:00"))
    assert (summary.sent, summary.failed, summary.retrying) == (4, 2, 2)
    assert sorted(request.path for request in sink.received) == ["/alice", "/bob"]
    assert all(r.status == "pending" for r in records(down))
    assert all("could not be reached" in r.last_error for r in records(down))
    assert all(r.status == "sent" for r in records(up))


def test_a_channel_on_a_network_the_account_may_not_reach_fails_for_good(
    ctx: Flask, smtp: SmtpLab, push: PushLab
) -> None:
    sink = push.sink()
    make_account("admin", port=smtp.plain_no_starttls.port)
    bob = make_account("bob", port=smtp.plain_no_starttls.port, is_admin=False)
    bob.email_settings.enabled = False
    hook = webhook(bob, f"{sink.url}/bob")
    make_subscription(bob, "Netflix", dt.date(2026, 12, 10))
    summary = run_reminders(at("2026-12-09 09:00"))
    assert (summary.failed, summary.retrying) == (1, 0)
    [record] = records(hook)
    assert record.status == "failed" and "Dues may not connect to" in record.last_error
    assert "loopback" in record.last_error and sink.received == []


def test_the_log_names_each_records_channel_and_filters_by_it(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab, push: PushLab
) -> None:
    sink = push.sink()
    with app.app_context():
        alice = db.session.scalars(select(User)).one()
        alice.email_settings = alice.email_settings or EmailSettings()
        for name, value in (
            ("enabled", True),
            ("host", "127.0.0.1"),
            ("security", "none"),
            ("port", smtp.plain_no_starttls.port),
            ("timeout", 1),
            ("from_email", "dues@example.test"),
        ):
            setattr(alice.email_settings, name, value)
        db.session.commit()
        hook = webhook(alice, sink.url, name="Phone ntfy")
        make_subscription(alice, "Netflix", dt.date(2026, 12, 10))
        run_reminders(at("2026-12-09 09:00"))
    everything = logged_in.get("/log").get_data(as_text=True)
    assert "Phone ntfy" in everything and "<td>Email</td>" in everything
    only_hook = logged_in.get(f"/log?channel={hook}").get_data(as_text=True)
    assert "<td>Phone ntfy</td>" in only_hook and "<td>Email</td>" not in only_hook
    assert logged_in.get("/log?channel=channel:999").status_code == 200


def test_an_account_whose_server_is_dead_holds_up_no_other_account(
    app: Flask, smtp: SmtpLab
) -> None:
    """Accounts are sent to at once: three arrive while the fourth still waits on silence."""
    with app.app_context():
        make_account("admin", port=smtp.plain_no_starttls.port)  # no subscription
        stuck = make_account("stuck", port=smtp.silent.port, timeout=10)
        make_subscription(stuck, "Blackholed", dt.date(2026, 12, 10))
        for name in ("ann", "bob", "cid"):
            make_subscription(
                make_account(name, port=smtp.plain_no_starttls.port),
                "Netflix",
                dt.date(2026, 12, 10),
            )

    def run() -> None:
        with app.app_context():
            run_reminders(at("2026-12-09 09:00"))

    job = threading.Thread(target=run)
    job.start()
    try:
        wait_for(lambda: len(smtp.plain_no_starttls.received) == 3, timeout=9)
        assert job.is_alive(), "the three arrived while the dead server still held its worker"
    finally:
        job.join(timeout=60)
    with app.app_context():
        [waiting] = [r for r in records() if r.subscription_name == "Blackholed"]
        assert waiting.status == "pending" and "sent no greeting within 10 s" in waiting.last_error
