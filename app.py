"""Dues: the application factory, its extensions, blueprints and commands."""

from __future__ import annotations

import datetime
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app, render_template, request
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import LoginManager
from flask_migrate import Migrate, upgrade
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

import config
import localization
import logos
import reminder_email
from exchange.refresh import refresh_rates
from models import User, db, utcnow
from models.login_session import LoginSession
from reminders import run_reminders
from scheduler import ReminderScheduler
from storage import private_folder, private_sqlite_file, refuse_memory_database, secret_key
from views import (
    account,
    accounts,
    api,
    auth,
    calendar,
    channels,
    dashboard,
    deliveries,
    forms,
    headers,
    health,
    icons,
    lists,
    money,
    notifications,
    oauth_connect,  # noqa: F401  # adds its routes to the notifications blueprint
    sending,  # noqa: F401  # adds its routes to the notifications blueprint
    statistics,
    subscriptions,
    transfer,
    two_factor,
)
from views.converters import RowId
from views.ratelimit import RateLimiter, ServerTalks

log = logging.getLogger("dues")

csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
MIGRATIONS = str(Path(__file__).resolve().parent / "migrations")


NAV_ITEMS = [
    ("dashboard.index", _l("Dashboard")),
    ("subscriptions.index", _l("Subscriptions")),
    ("statistics.index", _l("Statistics")),
    ("calendar.month", _l("Calendar")),
    ("lists.index", _l("Lists")),
    ("notifications.settings_page", _l("Notifications")),
    ("deliveries.index", _l("Notification log")),
    ("account.index", _l("Account")),
]

# Pages whose blueprint is not their nav item's, but which belong under it.
NAV_SECTIONS = {"channels": "notifications"}


def _revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _require_current_schema() -> None:
    """Stop a command before it reads a database that its migrations have not reached."""
    current = _revision()
    head = ScriptDirectory(MIGRATIONS).get_current_head()
    if current != head:
        raise click.ClickException(
            _(
                "The database is at schema revision %(current)s and this Dues needs %(head)s."
                " Start Dues once (serve applies the migrations), or run: flask db upgrade",
                current=current or _("none"),
                head=head,
            )
        )


def upgrade_database(app: Flask) -> None:
    """Apply the migrations the database lacks (at serve, make run, or flask db upgrade)."""
    with app.app_context():
        before = _revision()
        upgrade(directory=MIGRATIONS)
        after = _revision()
    if before == after:
        log.info("database schema is up to date (revision %s)", after)
    else:
        log.info("database schema migrated from revision %s to %s", before or "none", after)


class Dues(Flask):
    """Flask, logging a failed request by the URL the request log writes: no secrets in it."""

    def log_exception(
        self, exc_info: tuple[type, BaseException, TracebackType] | tuple[None, None, None]
    ) -> None:
        """Log the exception that failed the request, with its method and URL."""
        self.logger.error(
            "Exception on %s [%s]", headers.loggable_url(), request.method, exc_info=exc_info
        )


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings from DUES_* variables, SQLite in the instance folder."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("DUES_INSTANCE_PATH")
    app = Dues(__name__, instance_relative_config=True, instance_path=instance_path)
    private_folder(app.instance_path)
    app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'dues.sqlite3'}"
    config.load(app, test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = secret_key(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    # Room for the serving threads and every reminder worker at once, so that none
    # waits on another's connection (SQLAlchemy's default is 5, and 10 more).
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        {
            "pool_size": 10,
            "max_overflow": app.config["SEND_CONCURRENCY"] + 10,
            # A failed query's error names its statement, not its values: some are
            # secrets (a calendar feed's token).
            "hide_parameters": True,
        },
    )
    refuse_memory_database(str(app.config["DATABASE_URL"]))
    private_sqlite_file(str(app.config["DATABASE_URL"]))
    if str(app.config["BASE_URL"]).startswith("https://"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    login_limit = app.config["LOGIN_ATTEMPTS_PER_MINUTE"]
    app.extensions["dues_rate_limits"] = {
        "login": RateLimiter("login", login_limit, 60),
        # A household behind one address may mistype a few times between them.
        "login_address": RateLimiter("login_address", 3 * login_limit, 60),
        "send": RateLimiter("send", app.config["SENDS_PER_MINUTE"], 60),
        # Six digits are a small space: five codes in five minutes per account.
        "two_factor": RateLimiter("two_factor", 5, 300),
    }
    app.extensions["dues_server_talks"] = ServerTalks(app.config["CONCURRENT_SENDS"])

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    # Before CSRFProtect reads the form: the import page takes larger files than the rest,
    # and no page reads JSON as a form.
    app.before_request(transfer.raise_upload_limit)
    app.before_request(forms.refuse_json_bodies)
    csrf.init_app(app)
    login_manager.init_app(app)
    app.url_map.converters["id"] = RowId
    # notifications carries the routes of views.sending and views.oauth_connect too.
    for page in (auth, notifications, subscriptions, deliveries, dashboard, account, health,
                 lists, money, calendar, statistics, transfer, channels, two_factor, accounts,
                 icons, api):  # fmt: skip
        app.register_blueprint(page.bp)
    app.before_request(auth.guard)
    if app.config["SCHEDULER"]:
        scheduler = ReminderScheduler(app, app.config["SCHEDULER_INTERVAL"])
        app.extensions["dues_scheduler"] = scheduler
        app.before_request(scheduler.start_once)

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {"nav_items": NAV_ITEMS, "nav_sections": NAV_SECTIONS}

    localization.init_app(app)
    app.add_template_filter(logos.initials, "initials")
    app.add_template_filter(logos.tile_colour, "tile_colour")
    app.add_template_filter(reminder_email.markdown_text, "markdown_text")

    @app.errorhandler(413)
    def too_large(error: Exception) -> tuple[str, int]:
        page = render_template("too_large.html", limit=request.max_content_length)
        return page, 413

    app.after_request(headers.add_security_headers)
    app.after_request(headers.log_request)

    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        # Only then are X-Forwarded-* believed: for the client address in rate limits
        # and logs, and the public scheme and host in redirects and links.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    app.cli.add_command(serve_command)
    app.cli.add_command(send_reminders_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(fetch_rates_command)
    return app


def _load_user(session_id: str) -> User | None:
    return LoginSession.user_for(session_id, current_app.config["CLOCK"]())


login_manager.user_loader(_load_user)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, envvar="DUES_HOST")
@click.option("--port", default=5000, show_default=True, envvar="DUES_PORT")
@click.option("--threads", default=8, show_default=True, envvar="DUES_THREADS")
def serve_command(host: str, port: int, threads: int) -> None:
    """Apply pending migrations, then serve Dues with the production server (waitress).

    Logs go to standard output; SIGTERM stops within seconds, with exit status 0.
    """
    from waitress import serve

    logging.basicConfig(
        stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    upgrade_database(app)
    scheduler: ReminderScheduler | None = app.extensions.get("dues_scheduler")

    def stop(signum: int, frame: object) -> None:
        log.info("stopping")
        if scheduler is not None:
            scheduler.stop(timeout=5)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    if scheduler is not None:
        scheduler.start_once()
    click.echo(_("Dues is running on %(url)s (Ctrl+C to stop)", url=f"http://{host}:{port}/"))
    serve(app, host=host, port=port, threads=threads)


@click.command("send-reminders")
@click.option("--now", "now_text", metavar="ISO-TIME", help="Run as of this time (default: now).")
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@with_appcontext
def send_reminders_command(now_text: str | None, dry_run: bool) -> None:
    """Send the reminders that are due, each once; for cron."""
    _require_current_schema()
    now = utcnow()
    if now_text:
        try:
            now = datetime.datetime.fromisoformat(now_text)
        except ValueError as exc:
            raise click.BadParameter(
                _("%(value)s is not an ISO timestamp", value=repr(now_text)), param_hint="--now"
            ) from exc
        if now.tzinfo is None:
            now = now.replace(tzinfo=datetime.UTC)
    summary = run_reminders(now, dry_run=dry_run, echo=click.echo)
    click.echo(_("dry run: %(line)s", line=summary.line()) if dry_run else summary.line())


@click.command("fetch-rates")
@with_appcontext
def fetch_rates_command() -> None:
    """Set the accounts' exchange rates from the ECB's feed now (the app does it daily)."""
    _require_current_schema()
    set_rates = refresh_rates()
    click.echo(ngettext("%(num)d exchange rate set", "%(num)d exchange rates set", set_rates))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Copy the SQLite database to PATH, consistently, while Dues runs."""
    url = make_url(str(current_app.config["DATABASE_URL"]))
    if not url.drivername.startswith("sqlite") or not url.database:
        raise click.ClickException(_("This database is not SQLite: back it up with pg_dump."))
    # SQLite's online backup API: a consistent copy even while the app writes,
    # which a file copy of a WAL database is not.
    source = sqlite3.connect(f"file:{url.database}?mode=ro", uri=True)
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    os.chmod(path, 0o600)
    click.echo(_("Backed up %(database)s to %(path)s", database=url.database, path=path))
