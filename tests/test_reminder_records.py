"""No record stuck, no account costing another its reminders, and a log that tells the truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import reminder_mail
from models import Delivery, User, db, utcnow
from reminders import run_reminders
from tests.conftest import ACCOUNT, SmtpLab
from tests.factories import make_account, make_subscription
from tests.test_reminders import at, deliveries
from tests.test_settings_page import form_values

UTC = dt.UTC


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


def test_an_account_whose_dates_overflow_does_not_stop_the_others(
    ctx: Flask, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    alice = make_account("alice", port=server.port, timezone="America/New_York", send_hour=23)
    # Saved before dates were bounded at input: the end of the calendar overflows.
    make_subscription(
        alice,
        "Forever",
        dt.date(2026, 12, 10),
        cancellation_date=dt.date(9999, 12, 31),
        reminder_offsets="0",
    )
    bob = make_account("bob", port=server.port)
    make_subscription(bob, "Netflix", dt.date(2026, 12, 10))
    summary = run_reminders(at("2026-12-09 12:00"))
    assert summary.accounts_unplanned == 1
    assert [r.rcpt_tos for r in server.received] == [["bob@example.test"]]


def test_a_reminder_that_cannot_be_written_is_recorded_and_backs_off(
    ctx: Flask, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    user = make_account("alice", port=server.port, email="alice@example.test, eve@example.test")
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    now = at("2026-12-09 09:00")
    summary = run_reminders(now)
    assert (summary.sent, summary.failed, summary.retrying) == (0, 1, 1)
    [record] = deliveries()
    assert record.status == "pending" and record.attempts == 1
    assert "could not be written" in record.last_error
    assert record.claimed_until is None
    assert record.next_attempt_at is not None and record.next_attempt_at > now


def test_any_crash_after_claiming_is_recorded_and_backs_off(
    ctx: Flask, smtp: SmtpLab, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = make_account("alice", port=smtp.plain_no_starttls.port)
    make_subscription(user, "Netflix", dt.date(2026, 12, 10))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(reminder_mail, "compose_reminder", broken)
    now = at("2026-12-09 09:00")
    run_reminders(now)
    [record] = deliveries()
    assert record.status == "pending" and record.attempts == 1
    assert "template exploded" in record.last_error
    assert record.claimed_until is None and record.next_attempt_at is not None


def test_a_record_whose_run_died_is_given_up_once_its_date_has_passed(ctx: Flask) -> None:
    user = make_account("alice", port=25)
    subscription = make_subscription(user, "Netflix", dt.date(2026, 12, 10))
    now = at("2026-12-20 09:00")
    db.session.add(
        Delivery(
            user_id=user.id,
            subscription_id=subscription.id,
            subscription_name="Netflix",
            payment_date=dt.date(2026, 12, 10),
            offset_days=1,
            kind="renewal",
            status="pending",
            claimed_until=now - dt.timedelta(hours=1),  # its run died: the lease ran out
        )
    )
    db.session.commit()
    run_reminders(now)
    [record] = deliveries()
    assert record.status == "failed" and "date has passed" in record.last_error


def test_a_dry_run_prints_exactly_what_a_real_run_then_sends(ctx: Flask, smtp: SmtpLab) -> None:
    server = smtp.plain_no_starttls
    user = make_account("alice", port=server.port, default_offsets="7, 1", digest=False)
    make_subscription(user, "Sent already", dt.date(2026, 12, 10))
    make_subscription(user, "Claimed elsewhere", dt.date(2026, 12, 10))
    make_subscription(user, "Due now", dt.date(2026, 12, 10))
    run_reminders(at("2026-12-03 09:00"))  # the 7-day reminders of all three
    server.received.clear()
    now = at("2026-12-09 09:00")
    # The 1-day reminder of "Sent already" went out; "Claimed elsewhere" is held by a run.
    for name, status, claimed in (
        ("Sent already", "sent", None),
        ("Claimed elsewhere", "pending", now + dt.timedelta(minutes=10)),
    ):
        subscription_id = next(
            d.subscription_id for d in deliveries() if d.subscription_name == name
        )
        assert subscription_id is not None
        db.session.add(
            Delivery(
                user_id=user.id,
                subscription_id=subscription_id,
                subscription_name=name,
                payment_date=dt.date(2026, 12, 10),
                offset_days=1,
                kind="renewal",
                status=status,
                claimed_until=claimed,
            )
        )
    db.session.commit()
    printed: list[str] = []
    dry = run_reminders(now, dry_run=True, echo=printed.append)
    assert printed == ["would remind alice@example.test: Due now renewal tomorrow"]
    real = run_reminders(now)
    # The three 7-day reminders already went out; two 1-day ones are taken: five skipped.
    assert (dry.due, dry.skipped) == (real.due, real.skipped) == (6, 5)
    assert real.sent == 1
    [received] = server.received
    assert received.message["Subject"] == "Due now renews tomorrow — €12.99"


def test_the_log_shows_when_the_server_accepted_not_the_runs_time(
    ctx: Flask, smtp: SmtpLab
) -> None:
    user = make_account("alice", port=smtp.plain_no_starttls.port, send_hour=0)
    today = utcnow().date()
    make_subscription(user, "Netflix", today + dt.timedelta(days=1))
    run_as_of = utcnow() - dt.timedelta(hours=3)
    if run_as_of.date() != today:  # just after midnight: the reminder is not due yet then
        run_as_of = dt.datetime.combine(today, dt.time(0, 1), tzinfo=UTC)
    before = utcnow()
    run_reminders(run_as_of)
    [record] = deliveries()
    assert record.status == "sent" and record.sent_at is not None
    assert before <= record.sent_at <= utcnow()


def test_the_sample_reminder_goes_to_the_test_recipient_only(
    app: Flask, logged_in: FlaskClient, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    response = logged_in.post(
        "/settings/notifications/sample",
        data=form_values(
            port=str(server.port),
            test_recipient="tester@example.test",
            other_recipients="bob@example.test; carol@example.test",
        ),
    )
    assert "Sample reminder sent" in response.get_data(as_text=True)
    [received] = server.received
    assert received.rcpt_tos == ["tester@example.test"]
    assert received.message["To"] == "tester@example.test"
    assert received.message["Cc"] is None
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user is not None and user.email == ACCOUNT["email"] != "tester@example.test"
