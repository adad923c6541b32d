"""Fan-out: many accounts, each behind internet-like round trips, some of them dead."""

from __future__ import annotations

import datetime
import json
import socket
import time
from typing import Any

from bench.common import bench_app, seed, server_process, table
from models import EmailSettings, User, db
from reminders import run_reminders

ROUND_TRIP_MS = 20
BLACKHOLED = 10
BLACKHOLE_TIMEOUT = 5


def _run(accounts: int, blackhole_port: int | None, **config: Any) -> tuple[float, list[float]]:
    """One reminder run; how long it took and how long after its start each message arrived."""
    with server_process("bench.slow_sink", str(ROUND_TRIP_MS)) as (port, sink):
        with bench_app(**config) as app, app.app_context():
            today = datetime.datetime.now(datetime.UTC).date()
            total = accounts + (BLACKHOLED if blackhole_port else 0)
            seed(total, 1, due=total, port=port, today=today)
            if blackhole_port:
                # The first accounts after the admin's, so that they take workers first.
                dead = db.select(User.id).where(
                    User.username.in_([f"user{number}" for number in range(1, BLACKHOLED + 1)])
                )
                db.session.execute(
                    db.update(EmailSettings)
                    .where(EmailSettings.user_id.in_(dead))
                    .values(port=blackhole_port, timeout=BLACKHOLE_TIMEOUT)
                )
                db.session.commit()
            started = time.time()
            summary = run_reminders(datetime.datetime.now(datetime.UTC))
            took = time.time() - started
        if summary.sent != accounts:
            raise RuntimeError(f"the job sent {summary.sent} of {accounts}: {summary.line()}")
        assert sink.stdin is not None and sink.stdout is not None
        sink.stdin.close()
        arrivals = sorted(moment - started for moment in json.loads(sink.stdout.readline()))
    return took, arrivals


def run(large: bool) -> str:
    """Concurrency 1, the default pool, and the default pool with blackholed servers."""
    accounts = 200 if large else 60
    serial, _ = _run(accounts, None, SEND_CONCURRENCY=1)
    pooled, _ = _run(accounts, None)
    # A listener that never accepts: the connection opens, and no greeting ever comes.
    with socket.create_server(("127.0.0.1", 0), backlog=BLACKHOLED * 2) as blackhole:
        held, arrivals = _run(accounts, blackhole.getsockname()[1])
    allowed = BLACKHOLE_TIMEOUT + pooled * 1.2
    rows = [
        ("concurrency 1", f"{serial:.2f}", "–", "1.0×"),
        ("default pool", f"{pooled:.2f}", "–", f"{serial / pooled:.1f}×"),
        (
            f"default pool, {BLACKHOLED} more accounts blackholed ({BLACKHOLE_TIMEOUT} s timeout)",
            f"{held:.2f} (allowed {allowed:.2f})",
            f"{arrivals[-1]:.2f}",
            "",
        ),
    ]
    title = (
        f"Fan-out: {accounts} accounts, one reminder each, every SMTP reply "
        f"{ROUND_TRIP_MS} ms late (targets: pool ≥ 10× concurrency 1; blackholed run "
        f"≤ {BLACKHOLE_TIMEOUT} s + 1.2 × the pool's time, last healthy message before "
        f"{BLACKHOLE_TIMEOUT} s)"
    )
    return table(title, ["run", "time (s)", "last healthy message (s)", "speed-up"], rows)
