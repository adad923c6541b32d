"""Reminder throughput: the real job against a sink, next to raw smtplib's ceiling."""

from __future__ import annotations

import datetime
import smtplib
import ssl
import time
from decimal import Decimal
from email.message import Message

from bench.common import bench_app, seed, smtp_sink, table
from mailer import Security, SmtpConfig, SmtpConnection
from models import User, db
from reminder_email import ReminderItem, compose_reminder
from reminders import run_reminders

PER_CONNECTION_SAMPLE = 200


def _config(port: int, security: Security) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1",
        port=port,
        security=security,
        verify_certificate=security is Security.NONE,
        sender="dues@example.test",
    )


def _messages(config: SmtpConfig, count: int) -> list[Message]:
    """Messages like the job's: the same templates, one due item each."""
    user = db.session.scalar(db.select(User))
    assert user is not None
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    return [
        compose_reminder(
            config,
            user,
            [ReminderItem(f"Subscription {n}", "renewal", tomorrow, 1, Decimal("9.99"), "EUR")],
            to=[user.email],
            cc=[],
        )
        for n in range(count)
    ]


def _dues_mailer(config: SmtpConfig, messages: list[Message]) -> float:
    started = time.perf_counter()
    with SmtpConnection(config) as connection:
        for message in messages:
            connection.send(message)
    return time.perf_counter() - started


def _raw(config: SmtpConfig, messages: list[Message], per_message: bool) -> float:
    """smtplib alone: one connection for all, or a new one for each message."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE

    def connect() -> smtplib.SMTP:
        smtp = smtplib.SMTP(config.host, config.port, timeout=30)
        if config.security is Security.STARTTLS:
            smtp.starttls(context=context)
        return smtp

    started = time.perf_counter()
    if per_message:
        for message in messages:
            with connect() as smtp:
                smtp.send_message(message)
    else:
        with connect() as smtp:
            for message in messages:
                smtp.send_message(message)
    return time.perf_counter() - started


def _measure(
    security: Security, accounts: int, per_account: int, due: int
) -> list[tuple[str, str, str]]:
    starttls = security is Security.STARTTLS
    with smtp_sink(starttls=starttls) as port, bench_app() as app, app.app_context():
        today = datetime.datetime.now(datetime.UTC).date()
        seed(accounts, per_account, due=due, port=port, today=today, security=security.value)
        started = time.perf_counter()
        summary = run_reminders(datetime.datetime.now(datetime.UTC))
        job = time.perf_counter() - started
        if summary.sent != due:
            raise RuntimeError(f"the job sent {summary.sent} of {due}: {summary.line()}")
        config = _config(port, security)
        started = time.perf_counter()
        messages = _messages(config, due)
        composing = time.perf_counter() - started
        mailer = _dues_mailer(config, messages)
        ceiling = _raw(config, messages, per_message=False)
        sample = messages[:PER_CONNECTION_SAMPLE]
        per_message = _raw(config, sample, per_message=True) * len(messages) / len(sample)
    label = security.label if starttls else "plain"
    rest = job - mailer - composing
    return [
        (f"{label}: Dues reminder job", f"{due / job:,.0f}", f"{ceiling / job:.2f}"),
        (
            f"{label}: Dues mailer alone, one connection",
            f"{due / mailer:,.0f}",
            f"{ceiling / mailer:.2f}",
        ),
        (f"{label}: ceiling, raw smtplib, one connection", f"{due / ceiling:,.0f}", "1.00"),
        (
            f"{label}: Wallos way, a new connection per message",
            f"{due / per_message:,.0f}",
            f"{ceiling / per_message:.2f}",
        ),
        (
            f"{label}: where the job's {job / due * 1000:.2f} ms a message went",
            f"sending {mailer / due * 1000:.2f} ms, composing {composing / due * 1000:.2f} ms",
            f"planning, claiming, recording {rest / due * 1000:.2f} ms",
        ),
    ]


def run(large: bool) -> str:
    """Seed, run the job once, then the references, plain and with STARTTLS."""
    accounts, per_account, due = (100, 1000, 10_000) if large else (50, 100, 1_000)
    rows = []
    for security in (Security.NONE, Security.STARTTLS):
        rows += _measure(security, accounts, per_account, due)
    title = (
        f"Reminder throughput: {due:,} due reminders, {accounts} accounts, "
        f"{accounts * per_account:,} subscriptions (target: the job ≥ 1.0× the ceiling)"
    )
    return table(title, ["sender", "messages/s", "× ceiling"], rows)
