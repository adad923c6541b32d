"""Planning cost: finding the due reminders among many subscriptions."""

from __future__ import annotations

import datetime
import gc
import os
import time
import tracemalloc

from bench.common import bench_app, seed, table
from reminders import due_reminders

DUE = 100


def _measure(total: int, database_url: str | None) -> tuple[int, float, float]:
    """Seed total subscriptions, DUE of them due; return (found, seconds, peak MB)."""
    with bench_app(database_url) as app, app.app_context():
        today = datetime.datetime.now(datetime.UTC).date()
        seed(10, total // 10, due=DUE, port=25, today=today)
        now = datetime.datetime.now(datetime.UTC)
        due_reminders(now)  # warm the caches, as a running app has them
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        plan = due_reminders(now)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        return sum(len(items) for items in plan.values()), seconds, peak


def run(large: bool) -> str:
    """Time due_reminders at growing sizes with the same number due."""
    sizes = [10_000, 100_000] + ([1_000_000] if large else [])
    backends = [("SQLite", None)]
    if os.environ.get("DUES_TEST_POSTGRES_URL"):
        backends.append(("PostgreSQL", _postgres_url()))
    rows = []
    for name, url in backends:
        for size in sizes:
            found, seconds, peak = _measure(size, url)
            rows.append((name, f"{size:,}", found, f"{seconds * 1000:.1f}", f"{peak:.1f}"))
    title = (
        f"Planning cost: finding {DUE} due reminders (target at 1,000,000 subscriptions: "
        "under 2 s and 200 MB)"
    )
    return table(
        title, ["database", "subscriptions", "due found", "time (ms)", "peak memory (MB)"], rows
    )


def _postgres_url() -> str:
    import sqlalchemy

    admin = sqlalchemy.create_engine(
        os.environ["DUES_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text('DROP DATABASE IF EXISTS "dues_bench" WITH (FORCE)'))
        connection.execute(sqlalchemy.text('CREATE DATABASE "dues_bench"'))
    admin.dispose()
    url = sqlalchemy.engine.make_url(os.environ["DUES_TEST_POSTGRES_URL"]).set(
        database="dues_bench"
    )
    return url.render_as_string(hide_password=False)
