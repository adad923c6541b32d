"""Pages under load: Dues served by waitress, next to a bare Flask page served the same way."""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

from app import create_app, upgrade_database
from bench.common import ROOT, seed, table
from models import db

SECONDS = 5.0
CONNECTIONS = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def _serve(arguments: list[str], port: int, env: dict[str, str]) -> Iterator[None]:
    process = subprocess.Popen(
        arguments, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait()


def _load(port: int, path: str, cookie: str = "") -> dict[str, float]:
    command = [sys.executable, "-m", "bench.load", str(port), path, str(SECONDS), str(CONNECTIONS)]
    output = subprocess.run(
        [*command, cookie], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return dict(json.loads(output.stdout))


def _log_in(port: int) -> str:
    """The session cookie of the seeded account, logged in through the real page."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token
    data = f"csrf_token={token.group(1)}&username=user0&password=bench-password".encode()
    opener.open(f"http://127.0.0.1:{port}/login", data=data).read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def run(large: bool) -> str:
    """Serve both, load each page in turn, and compare."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'pages.sqlite3'}"
        env = {
            **os.environ,
            "DUES_DATABASE_URL": url,
            "DUES_SECRET_KEY": "bench",
            "DUES_SCHEDULER": "off",
        }
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SCHEDULER": "off"})
        upgrade_database(app)
        with app.app_context():
            seed(1, 200, due=20, port=25, today=datetime.datetime.now(datetime.UTC).date())
            from models import User

            user = db.session.scalar(db.select(User))
            assert user is not None
            user.set_password("bench-password")
            db.session.commit()
            db.engine.dispose()
        dues_port, minimal_port = _free_port(), _free_port()
        serve = [sys.executable, "-m", "flask", "--app"]
        with (
            _serve([*serve, "app", "serve", "--port", str(dues_port)], dues_port, env),
            _serve(
                [
                    sys.executable,
                    "-m",
                    "waitress",
                    "--host=127.0.0.1",
                    f"--port={minimal_port}",
                    "--threads=8",
                    "bench.minimal:app",
                ],
                minimal_port,
                env,
            ),
        ):
            cookie = _log_in(dues_port)
            minimal = _load(minimal_port, "/")
            # What every Dues request costs before its page: the floor under the targets.
            health = _load(dues_port, "/healthz")
            # The smallest page with Dues' layout and a form: what every page pays at least.
            login = _load(dues_port, "/login")
            rows = [
                ("bare Flask page", minimal),
                ("Dues /healthz (no page)", health),
                ("log-in page (two fields)", login),
            ]
            for name, path in (
                ("settings page", "/settings/notifications"),
                ("subscription list (200)", "/subscriptions"),
                ("dashboard (200 subscriptions)", "/"),
            ):
                rows.append((name, _load(dues_port, path, cookie)))
    title = (
        f"Pages under waitress, {CONNECTIONS} keep-alive connections for {SECONDS:g} s each "
        "(targets: settings ≥ 0.2× and the list ≥ 0.1× the bare page's requests/s; "
        "p99 ≤ 4× p50)"
    )
    return table(
        title,
        ["page", "requests/s", "p50 (ms)", "p99 (ms)", "p99 / p50", "× bare page", "× log-in page"],
        [
            (
                name,
                f"{result['rps']:,.0f}",
                f"{result['p50'] * 1000:.1f}",
                f"{result['p99'] * 1000:.1f}",
                f"{result['p99'] / result['p50']:.1f}",
                f"{result['rps'] / minimal['rps']:.2f}",
                f"{result['rps'] / login['rps']:.2f}",
            )
            for name, result in rows
        ],
    )
