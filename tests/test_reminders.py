"""The reminder job against real SMTP servers, with the time passed in."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app import create_app, upgrade_database
from models import Delivery, Subscription, db, utcnow
from reminders import run_reminders
from tests.conftest import REFUSED_RECIPIENT, SmtpLab, process_env
from tests.factories import make_account, make_subscription
from tests.smtp_servers import free_port, wait_for

UTC = dt.UTC
ROOT = Path(__file__).resolve().parent.parent


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


def deliveries() -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).order_by(Delivery.id)))


def test_a_reminder_is_sent_once_however_often_the_job_runs(ctx: Flask, smtp: SmtpLab) -> None:
    server = smtp.plain_no_starttls
    user = make_account("alice", port=server.port)
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    assert run_reminders(at("2026-12-09 08:59")).due == 0
    first = run_reminders(at("2026-12-09 09:00"))
    assert (first.due, first.sent, first.failed) == (1, 1, 0)
    second = run_reminders(at("2026-12-09 10:00"))
    assert (second.due, second.sent, second.skipped) == (1, 0, 1)
    [received] = server.received
    assert received.message["Subject"] == "Netflix renews tomorrow — €12.99"
    assert received.rcpt_tos == ["alice@example.test"]
    [record] = deliveries()
    assert record.status == "sent" and record.attempts == 1
    assert record.message_id == received.message["Message-ID"]


def test_a_missed_day_is_caught_up_but_a_past_date_is_not(ctx: Flask, smtp: SmtpLab) -> None:
    server = smtp.plain_no_starttls
    user = make_account("alice", port=server.port, default_offsets="3")
    make_subscription(user, "Caught up", dt.date(2026, 12, 10))
    make_subscription(user, "Too late", dt.date(2026, 12, 8), auto_renew=False)
    summary = run_reminders(at("2026-12-09 20:00"))
    assert (summary.due, summary.sent) == (1, 1)
    assert server.received[0].message["Subject"] == "Caught up renews tomorrow — €12.99"
    assert run_reminders(at("2026-12-11 09:00")).sent == 0


def test_several_offsets_each_send_once(ctx: Flask, smtp: SmtpLab) -> None:
    server = smtp.plain_no_starttls
    user = make_account("alice", port=server.port)
    make_subscription(user, "Gym", dt.date(2026, 12, 20), reminder_offsets="7, 1")
    for moment in ("2026-12-13 09:00", "2026-12-13 12:00", "2026-12-16 09:00"):
        run_reminders(at(moment))
    assert len(server.received) == 1
    run_reminders(at("2026-12-19 09:00"))
    run_reminders(at("2026-12-19 09:30"))
    subjects = [r.message["Subject"] for r in server.received]
    assert subjects == ["Gym renews in 7 days — €12.99", "Gym renews tomorrow — €12.99"]
    assert sorted(d.offset_days for d in deliveries()) == [1, 7]


@pytest.mark.parametrize("digest", [True, False])
def test_offsets_caught_up_together_make_one_line(ctx: Flask, smtp: SmtpLab, digest: bool) -> None:
    user = make_account("alice", port=smtp.plain_no_starttls.port, digest=digest)
    make_subscription(user, "Gym", dt.date(2026, 12, 20), reminder_offsets="7, 1")
    assert run_reminders(at("2026-12-19 09:00")).sent == 2
    [received] = smtp.plain_no_starttls.received
    assert received.message["Subject"] == "Gym renews tomorrow — €12.99"
    assert [d.status for d in deliveries()] == ["sent", "sent"]


def test_a_temporary_failure_is_retried_after_a_pause_and_then_sent(
    ctx: Flask, smtp: SmtpLab
) -> None:
    user = make_account("alice", port=free_port())
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    failed = run_reminders(at("2026-12-09 09:00"))
    assert (failed.failed, failed.retrying) == (1, 1)
    [record] = deliveries()
    assert record.status == "pending" and "Connection refused" in record.last_error
    user.email_settings.port = smtp.plain_no_starttls.port
    db.session.commit()
    assert run_reminders(at("2026-12-09 09:01")).skipped == 1, "backing off"
    assert run_reminders(at("2026-12-09 09:06")).sent == 1
    db.session.expire_all()
    [record] = deliveries()
    assert (record.status, record.attempts, record.last_error) == ("sent", 2, "")
    assert len(smtp.plain_no_starttls.received) == 1


def test_a_permanent_refusal_is_recorded_with_the_reason_and_not_retried(
    ctx: Flask, smtp: SmtpLab
) -> None:
    user = make_account("alice", port=smtp.plain_no_starttls.port, email=REFUSED_RECIPIENT)
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    summary = run_reminders(at("2026-12-09 09:00"))
    assert (summary.failed, summary.retrying) == (1, 0)
    [record] = deliveries()
    assert record.status == "failed"
    assert REFUSED_RECIPIENT in record.last_error and "550" in record.last_error
    assert run_reminders(at("2026-12-09 12:00")).failed == 0


def test_one_failing_account_does_not_stop_the_next(ctx: Flask, smtp: SmtpLab) -> None:
    broken = make_account("broken", port=smtp.silent.port, timeout=1)
    working = make_account("working", port=smtp.plain_no_starttls.port)
    make_subscription(broken, "Broken's", dt.date(2026, 12, 10))
    make_subscription(working, "Working's", dt.date(2026, 12, 10))
    summary = run_reminders(at("2026-12-09 09:00"))
    assert (summary.sent, summary.failed) == (1, 1)
    assert [r.rcpt_tos for r in smtp.plain_no_starttls.received] == [["working@example.test"]]


def test_a_digest_has_a_table_of_items_in_both_parts_and_copies_the_others(
    ctx: Flask, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    user = make_account("alice", port=server.port, other_recipients="bob@example.test")
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    make_subscription(user, "Spotify", dt.date(2026, 12, 10), price="10.99", currency="USD")
    run_reminders(at("2026-12-09 09:00"))
    [received] = server.received
    message = received.message
    assert message["Subject"] == "2 payments coming up — first: Netflix tomorrow"
    assert received.rcpt_tos == ["alice@example.test", "bob@example.test"]
    assert message["Cc"] == "bob@example.test"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for needle in ("Netflix", "€12.99", "Spotify", "$10.99", "December 10, 2026"):
        assert needle in text and needle in html
    assert html.count("<tr>") == 3
    assert "http://127.0.0.1:5000/subscriptions" in text


def test_without_digest_each_reminder_is_its_own_email_over_one_connection(
    ctx: Flask, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    user = make_account("alice", port=server.port, digest=False)
    for name in ("A", "B", "C"):
        make_subscription(user, name, dt.date(2026, 12, 10))
    assert run_reminders(at("2026-12-09 09:00")).sent == 3
    assert len(server.received) == 3
    assert len({r.peer for r in server.received}) == 1


@pytest.mark.parametrize(
    ("zone", "hour", "payment", "before", "from_"),
    [
        # Auckland is UTC+13 in December: midnight there is 11:00 UTC the day before.
        ("Pacific/Auckland", 0, "2026-12-10", "2026-12-08 10:59", "2026-12-08 11:00"),
        # 23:00 in Los Angeles on the 9th is already the payment day in UTC.
        ("America/Los_Angeles", 23, "2026-12-10", "2026-12-10 06:59", "2026-12-10 07:00"),
        # 02:00 does not exist in Berlin on 29 March 2026; it is sent at 01:00 UTC.
        ("Europe/Berlin", 2, "2026-03-30", "2026-03-29 00:59", "2026-03-29 01:00"),
        # 01:00 happens twice in New York on 1 November 2026; the first one counts.
        ("America/New_York", 1, "2026-11-02", "2026-11-01 04:59", "2026-11-01 05:00"),
    ],
)
def test_the_send_hour_is_in_the_accounts_time_zone(
    ctx: Flask, smtp: SmtpLab, zone: str, hour: int, payment: str, before: str, from_: str
) -> None:
    user = make_account("alice", port=smtp.plain_no_starttls.port, timezone=zone, send_hour=hour)
    make_subscription(user, "Netflix", dt.date.fromisoformat(payment))
    assert run_reminders(at(before)).due == 0
    assert run_reminders(at(from_)).sent == 1


def test_an_auto_renewing_subscription_moves_on_keeping_its_month_end(
    ctx: Flask, smtp: SmtpLab
) -> None:
    user = make_account("alice", port=smtp.plain_no_starttls.port)
    subscription = make_subscription(
        user, "Cloud", dt.date(2026, 1, 31), billing_anchor=dt.date(2026, 1, 31)
    )
    run_reminders(at("2026-02-05 09:00"))
    assert db.session.get(Subscription, subscription.id).next_payment == dt.date(2026, 2, 28)
    run_reminders(at("2026-02-27 09:00"))
    assert smtp.plain_no_starttls.received[0].message["Subject"].startswith("Cloud renews tomorrow")
    run_reminders(at("2026-03-01 09:00"))
    assert db.session.get(Subscription, subscription.id).next_payment == dt.date(2026, 3, 31)


def test_a_cancellation_date_has_its_own_reminder(ctx: Flask, smtp: SmtpLab) -> None:
    user = make_account("alice", port=smtp.plain_no_starttls.port, digest=False)
    make_subscription(user, "Trial", dt.date(2026, 12, 31), cancellation_date=dt.date(2026, 12, 10))
    run_reminders(at("2026-12-09 09:00"))
    [received] = smtp.plain_no_starttls.received
    assert received.message["Subject"] == "Cancel Trial by Dec 10, 2026 (tomorrow)"


def test_dry_run_and_summary_from_the_command_line(app: Flask, smtp: SmtpLab) -> None:
    with app.app_context():
        user = make_account("alice", port=smtp.plain_no_starttls.port)
        make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["send-reminders", "--now", "2026-12-09T09:00", "--dry-run"])
    assert "would remind alice@example.test: Netflix renewal tomorrow" in dry.output
    assert "dry run: due 1, sent 0" in dry.output
    assert smtp.plain_no_starttls.received == []
    real = runner.invoke(args=["send-reminders", "--now", "2026-12-09T09:00"])
    assert real.exit_code == 0
    assert real.output.strip() == "due 1, sent 1, failed 0 (0 to retry), skipped 0"
    bad = runner.invoke(args=["send-reminders", "--now", "tomorrow"])
    assert bad.exit_code == 2 and "is not an ISO timestamp" in bad.output


def test_the_command_line_stops_in_words_on_a_database_not_yet_migrated(
    app_config: dict[str, object],
) -> None:
    if not str(app_config["DATABASE_URL"]).startswith("sqlite"):
        pytest.skip("the test's PostgreSQL database keeps its schema between tests")
    app = create_app(app_config)  # migrations are applied by serve, not by create_app
    runner = app.test_cli_runner()
    for command in (["send-reminders"], ["fetch-rates"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 1
        assert "The database is at schema revision none and this Dues needs " in result.output
        assert "or run: flask db upgrade" in result.output
    upgrade_database(app)
    assert runner.invoke(args=["send-reminders"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()


def test_two_runs_started_at_once_deliver_each_reminder_once(
    app: Flask, app_config: dict[str, object], smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    with app.app_context():
        for account in range(3):
            user = make_account(f"user{account}", port=server.port, digest=False)
            for number in range(20):
                make_subscription(user, f"S{account}-{number}", dt.date(2026, 12, 10))
    env = process_env(app_config)
    command = [sys.executable, "-m", "flask", "--app", "app", "send-reminders"]
    command += ["--now", "2026-12-09T09:00"]
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0]
    sent = [int(re.search(r"sent (\d+)", output).group(1)) for output in outputs]  # type: ignore[union-attr]
    assert sum(sent) == 60
    subjects = [r.message["Subject"] for r in server.received]
    assert len(subjects) == 60 and len(set(subjects)) == 60


def test_the_running_app_sends_due_reminders_by_itself(
    app_config: dict[str, object], smtp: SmtpLab
) -> None:
    app = create_app({**app_config, "SCHEDULER": "on", "SCHEDULER_INTERVAL": 0.2})
    upgrade_database(app)
    with app.app_context():
        # A generous timeout: on a loaded machine (the image building beside it) the
        # shared server may take more than a second to answer, and a failed first
        # try would wait five minutes for its retry.
        user = make_account("alice", port=smtp.plain_no_starttls.port, send_hour=0, timeout=20)
        make_subscription(user, "Soon", utcnow().date() + dt.timedelta(days=1))
    try:
        app.test_client().get("/login")
        wait_for(lambda: len(smtp.plain_no_starttls.received) == 1, timeout=30)
        time.sleep(0.5)
        assert len(smtp.plain_no_starttls.received) == 1, "sent once, though the job ran again"
    finally:
        app.extensions["dues_scheduler"].stop()
        with app.app_context():
            db.engine.dispose()
