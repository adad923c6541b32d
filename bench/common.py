"""What the benchmarks share: a mail sink in another process, a seeded app, tables."""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy
import trustme
from flask import Flask

from app import create_app, upgrade_database
from models import AppSettings, EmailSettings, Subscription, User, db

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def server_process(module: str, *arguments: str) -> Iterator[tuple[int, subprocess.Popen[str]]]:
    """Run a bench server module in its own process; yield the port it printed, and it."""
    process = subprocess.Popen(
        [sys.executable, "-m", module, *arguments],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    port = int(process.stdout.readline())
    try:
        yield port, process
    finally:
        process.stdin.close()
        process.wait(timeout=10)


@contextlib.contextmanager
def smtp_sink(starttls: bool = False) -> Iterator[int]:
    """Run bench.sink in its own process; yield its port."""
    with tempfile.TemporaryDirectory() as folder:
        arguments = []
        if starttls:
            leaf = trustme.CA().issue_cert("127.0.0.1")
            cert, key = Path(folder, "cert.pem"), Path(folder, "key.pem")
            leaf.cert_chain_pems[0].write_to_path(str(cert))
            leaf.private_key_pem.write_to_path(str(key))
            arguments = ["--starttls", str(cert), str(key)]
        with server_process("bench.sink", *arguments) as (port, _):
            yield port


@contextlib.contextmanager
def bench_app(database_url: str | None = None, **config: Any) -> Iterator[Flask]:
    """The app on a fresh database (a temporary SQLite file unless a URL is given)."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": url,
                "SCHEDULER": "off",
                "SENDS_PER_MINUTE": 10**9,
                "LOGIN_ATTEMPTS_PER_MINUTE": 10**9,
                **config,
            }
        )
        upgrade_database(app)
        try:
            yield app
        finally:
            with app.app_context():
                db.drop_all()
                db.session.execute(sqlalchemy.text("DROP TABLE IF EXISTS alembic_version"))
                db.session.commit()
                db.engine.dispose()


def seed(
    accounts: int,
    subscriptions_per_account: int,
    *,
    due: int,
    port: int,
    today: datetime.date,
    security: str = "none",
) -> None:
    """Accounts sending to 127.0.0.1:port, each subscription due tomorrow or next year.

    The first `due` subscriptions pay tomorrow (their 1-day reminder is due today);
    the rest are spread over the months after, outside any reminder window.
    """
    users = []
    # The first account administers; the others may use the loopback sink because it allows it.
    AppSettings.current().allowed_networks = "127.0.0.0/8"
    for number in range(accounts):
        user = User(
            username=f"user{number}", email=f"user{number}@example.test", is_admin=number == 0
        )
        user.password_hash = "-"
        user.email_settings = EmailSettings(
            enabled=True,
            host="127.0.0.1",
            port=port,
            security=security,
            verify_certificate=security == "none",
            from_email="dues@example.test",
            timeout=30,
            default_offsets="1",
            send_hour=0,
            digest=False,
        )
        users.append(user)
    db.session.add_all(users)
    db.session.commit()
    now = datetime.datetime.now(datetime.UTC)
    rows = []
    for index in range(accounts * subscriptions_per_account):
        payment = today + datetime.timedelta(days=1 if index < due else 30 + index % 300)
        rows.append(
            {
                "user_id": users[index % accounts].id,
                "name": f"Subscription {index}",
                "price": Decimal("9.99"),
                "currency": "EUR",
                "cycle_every": 1,
                "cycle_unit": "month",
                "billing_anchor": payment,
                "next_payment": payment,
                "auto_renew": True,
                "active": True,
                "notify": True,
                "reminder_offsets": "",
                "url": "",
                "notes": "",
                # What Subscription.update_reminder_window gives for the 1-day default.
                "remind_from": payment - datetime.timedelta(days=1),
                "remind_until": payment,
                "created_at": now,
            }
        )
        if len(rows) == 20_000:
            db.session.execute(sqlalchemy.insert(Subscription), rows)
            rows.clear()
    if rows:
        db.session.execute(sqlalchemy.insert(Subscription), rows)
    db.session.commit()


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table with a title line."""
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def machine() -> str:
    """One line about where the figures come from."""
    return (
        f"{platform.node() or 'machine'}: {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )
