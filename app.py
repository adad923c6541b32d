"""Dues: the application factory, its extensions, blueprints and commands."""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_login import LoginManager
from flask_migrate import Migrate, upgrade
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response

from models import User, db, utcnow
from reminders import run_reminders
from views import (
    account,
    auth,
    dashboard,
    deliveries,
    notifications,
    sending,  # noqa: F401  # adds its routes to the notifications blueprint
    subscriptions,
)
from views.ratelimit import RateLimiter

log = logging.getLogger("dues")

csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")

_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


NAV_ITEMS = [
    ("dashboard.index", "Dashboard"),
    ("subscriptions.index", "Subscriptions"),
    ("notifications.settings_page", "Notifications"),
    ("deliveries.index", "Notification log"),
    ("account.index", "Account"),
]


def _enabled(value: object) -> bool:
    """Whether a DUES_* switch is on; 'off', 'false', '0' and False turn it off."""
    return str(value).lower() not in ("off", "false", "0", "no")


def _secret_key(instance_path: str) -> str:
    """The key from the instance folder, generated on first start and kept private."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from DUES_* variables, SQLite in the instance folder."""
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'dues.sqlite3'}",
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        BASE_URL="http://127.0.0.1:5000",
        SCHEDULER="on",
        MIGRATE_ON_START="on",
        LOGIN_ATTEMPTS_PER_MINUTE=10,
        SENDS_PER_MINUTE=10,
        SCHEDULER_INTERVAL=300,
    )
    app.config.from_prefixed_env("DUES")
    if test_config is not None:
        app.config.from_mapping(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if str(app.config["BASE_URL"]).startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
    app.extensions["dues_rate_limits"] = {
        "login": RateLimiter(int(app.config["LOGIN_ATTEMPTS_PER_MINUTE"]), 60),
        "send": RateLimiter(int(app.config["SENDS_PER_MINUTE"]), 60),
    }

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(notifications.bp)  # with the routes of views.sending
    app.register_blueprint(subscriptions.bp)
    app.register_blueprint(deliveries.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(account.bp)
    app.before_request(auth.guard)
    if _enabled(app.config["SCHEDULER"]):
        scheduler = ReminderScheduler(app, float(app.config["SCHEDULER_INTERVAL"]))
        app.extensions["dues_scheduler"] = scheduler
        app.before_request(scheduler.start_once)

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {"nav_items": NAV_ITEMS}

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.cli.add_command(serve_command)
    app.cli.add_command(send_reminders_command)
    if _enabled(app.config["MIGRATE_ON_START"]):
        with app.app_context():
            upgrade(directory=MIGRATIONS)
    return app


def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


login_manager.user_loader(_load_user)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--threads", default=8, show_default=True)
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve Dues with the production server (waitress)."""
    from waitress import serve

    click.echo(f"Dues is running on http://{host}:{port}/ (Ctrl+C to stop)")
    serve(current_app._get_current_object(), host=host, port=port, threads=threads)  # type: ignore[attr-defined]


@click.command("send-reminders")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Run as of this time (default: now).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@with_appcontext
def send_reminders_command(now_text: str | None, dry_run: bool) -> None:
    """Send the reminders that are due, each once; for cron."""
    now = utcnow()
    if now_text:
        try:
            now = datetime.datetime.fromisoformat(now_text)
        except ValueError as exc:
            raise click.BadParameter(
                f"{now_text!r} is not an ISO timestamp", param_hint="--now"
            ) from exc
        if now.tzinfo is None:
            now = now.replace(tzinfo=datetime.UTC)
    summary = run_reminders(now, dry_run=dry_run, echo=click.echo)
    click.echo(("dry run: " if dry_run else "") + summary.line())


class ReminderScheduler:
    """Runs the reminder job in the serving process every few minutes."""

    def __init__(self, app: Flask, interval: float) -> None:
        self._app = app
        self._interval = interval
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start_once(self) -> None:
        """Start the background thread with the first request."""
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="reminders", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Stop after the run in progress, if any."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            with self._app.app_context():
                try:
                    summary = run_reminders(utcnow())
                except Exception:
                    # The next tick tries again; the loop must outlive one bad run.
                    log.exception("reminder run failed")
                else:
                    log.info("reminders: %s", summary.line())
            self._stopping.wait(self._interval)
