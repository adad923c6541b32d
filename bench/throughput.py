"""Reminder throughput: the real job against a sink, next to raw smtplib's ceiling."""

from __future__ import annotations

import datetime
import smtplib
import time
from email.message import Message

from bench.common import bench_app, seed, smtp_sink, table
from mailer import Security, SmtpConfig, SmtpConnection
from models import User, db
from reminders import ReminderItem, compose_reminder, run_reminders

PER_CONNECTION_SAMPLE = 300


def _messages(count: int, port: int) -> list[Message]:
    """Messages like the job's: the same templates, one due item each."""
    config = SmtpConfig(
        host="127.0.0.1", port=port, security=Security.NONE, sender="dues@example.test"
    )
    user = db.session.scalar(db.select(User))
    assert user is not None
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    return [
        compose_reminder(
            config,
            user,
            [ReminderItem(f"Subscription {n}", "renewal", tomorrow, 1, 9.99, "EUR")],  # type: ignore[arg-type]
            to=[user.email],
            cc=[],
        )
        for n in range(count)
    ]


def _dues_mailer(port: int, messages: list[Message]) -> float:
    config = SmtpConfig(
        host="127.0.0.1", port=port, security=Security.NONE, sender="dues@example.test"
    )
    started = time.perf_counter()
    with SmtpConnection(config) as connection:
        for message in messages:
            connection.send(message)
    return time.perf_counter() - started


def _one_connection(port: int, messages: list[Message]) -> float:
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for message in messages:
            smtp.send_message(message)
    return time.perf_counter() - started


def _connection_per_message(port: int, messages: list[Message]) -> float:
    started = time.perf_counter()
    for message in messages:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            smtp.send_message(message)
    return time.perf_counter() - started


def run(large: bool) -> str:
    """Seed, run the job once, then the references; return the table."""
    accounts, per_account, due = (100, 1000, 10_000) if large else (50, 100, 1_000)
    with smtp_sink() as port, bench_app() as app, app.app_context():
        today = datetime.datetime.now(datetime.UTC).date()
        seed(accounts, per_account, due=due, port=port, today=today)
        started = time.perf_counter()
        summary = run_reminders(datetime.datetime.now(datetime.UTC))
        job = time.perf_counter() - started
        if summary.sent != due:
            raise RuntimeError(f"the job sent {summary.sent} of {due}: {summary.line()}")
        started = time.perf_counter()
        messages = _messages(due, port)
        composing = time.perf_counter() - started
        mailer = _dues_mailer(port, messages)
        ceiling = _one_connection(port, messages)
        sample = messages[:PER_CONNECTION_SAMPLE]
        per_message = _connection_per_message(port, sample) * len(messages) / len(sample)
    rate = due / job
    rest = job - mailer - composing
    rows = [
        (
            "Dues reminder job (plan, claim, compose, send, record)",
            f"{rate:,.0f}",
            f"{ceiling / job:.2f}",
        ),
        (
            "Dues mailer alone: the same messages over one connection",
            f"{due / mailer:,.0f}",
            f"{ceiling / mailer:.2f}",
        ),
        ("ceiling: raw smtplib, one connection", f"{due / ceiling:,.0f}", "1.00"),
        (
            "Wallos way: a new connection per message",
            f"{due / per_message:,.0f}",
            f"{ceiling / per_message:.2f}",
        ),
    ]
    title = (
        f"Reminder throughput: {due:,} due reminders, {accounts} accounts, "
        f"{accounts * per_account:,} subscriptions (target: Dues ≥ 0.8× ceiling)"
    )
    breakdown = (
        f"Per message, the job spent {job / due * 1000:.2f} ms: sending "
        f"{mailer / due * 1000:.2f}, composing {composing / due * 1000:.2f}, planning, "
        f"claiming and recording {rest / due * 1000:.2f}."
    )
    return table(title, ["sender", "messages/s", "× ceiling"], rows) + "\n" + breakdown + "\n"
