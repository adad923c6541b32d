"""Shared fixtures: real SMTP servers on 127.0.0.1, and the app with a fresh database."""

from __future__ import annotations

import os
import ssl
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy
import trustme
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from app import create_app, upgrade_database
from models import db
from tests.oauth_server import Clock, OAuthServer, start_oauth_server
from tests.push_servers import MOSQUITTO, Broker, HttpSink, start_http_sink, start_mosquitto
from tests.smtp_servers import (
    Credentials,
    MisbehavingServer,
    RecordingHandler,
    SmtpServer,
    self_signed_certificate,
    server_context,
    start_smtp_server,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


@dataclass
class PushLab:
    """Starts HTTP sinks (plain, or TLS with a certificate from its own CA) for a test."""

    ca_pem: str
    tls_context: ssl.SSLContext
    sinks: list[HttpSink]

    def sink(self, *, tls: bool = False) -> HttpSink:
        started = start_http_sink(self.tls_context if tls else None)
        self.sinks.append(started)
        return started


@pytest.fixture(scope="session")
def push_ca() -> tuple[str, ssl.SSLContext]:
    """A CA of its own and a server context for 127.0.0.1 signed by it: a self-hosted ntfy."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return ca.cert_pem.bytes().decode(), context


@pytest.fixture
def push(push_ca: tuple[str, ssl.SSLContext]) -> Iterator[PushLab]:
    lab = PushLab(push_ca[0], push_ca[1], [])
    yield lab
    for sink in lab.sinks:
        sink.close()


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[Broker]:
    """Debian's Mosquitto on a free loopback port; required in CI, optional elsewhere."""
    if not Path(MOSQUITTO).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{MOSQUITTO} is missing in CI: .ci/run installs it")
        pytest.skip(f"{MOSQUITTO} is not installed (apt-get install mosquitto)")
    broker = start_mosquitto(tmp_path)
    yield broker
    broker.close()


AUTH = Credentials("mailer", "s3cret-Pa55word")
OAUTH_CLIENT_ID = "dues-app"
OAUTH_CLIENT_SECRET = "client-secret-value-9f3k2"
REFUSED_RECIPIENT = "nobody@example.test"


@dataclass
class SmtpLab:
    """One of each kind of mail server a self-hoster meets, all on 127.0.0.1."""

    ca_pem: str
    self_signed_pem: str
    starttls_self_signed: SmtpServer
    plain_no_starttls: SmtpServer
    implicit_tls_self_signed: SmtpServer
    implicit_tls_trusted: SmtpServer
    implicit_tls_other_name: SmtpServer
    requires_starttls: SmtpServer
    with_auth: SmtpServer
    silent: MisbehavingServer
    trickling: MisbehavingServer

    def servers(self) -> list[SmtpServer | MisbehavingServer]:
        return [
            value
            for value in (getattr(self, f.name) for f in fields(self))
            if isinstance(value, SmtpServer | MisbehavingServer)
        ]


@pytest.fixture(scope="session")
def smtp_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpLab]:
    ca = trustme.CA()
    self_signed = self_signed_certificate()
    trusted = ca.issue_cert("127.0.0.1", "localhost")
    other_name = ca.issue_cert("mail.example.test")

    def context(cert_pem: bytes, key_pem: bytes) -> object:
        return server_context(cert_pem, key_pem, tmp_path_factory.mktemp("tls"))

    self_signed_context = context(*self_signed)
    lab = SmtpLab(
        ca_pem=ca.cert_pem.bytes().decode(),
        self_signed_pem=self_signed[0].decode(),
        starttls_self_signed=start_smtp_server(tls_context=self_signed_context),
        plain_no_starttls=start_smtp_server(RecordingHandler(refuse={REFUSED_RECIPIENT})),
        implicit_tls_self_signed=start_smtp_server(ssl_context=self_signed_context),
        implicit_tls_trusted=start_smtp_server(
            ssl_context=context(trusted.cert_chain_pems[0].bytes(), trusted.private_key_pem.bytes())
        ),
        implicit_tls_other_name=start_smtp_server(
            ssl_context=context(
                other_name.cert_chain_pems[0].bytes(), other_name.private_key_pem.bytes()
            )
        ),
        requires_starttls=start_smtp_server(tls_context=self_signed_context, require_starttls=True),
        with_auth=start_smtp_server(authenticator=AUTH, auth_require_tls=False, auth_required=True),
        silent=MisbehavingServer(),
        trickling=MisbehavingServer(trickle_interval=0.25),
    )
    yield lab
    for server in lab.servers():
        server.stop()


@pytest.fixture
def start_server() -> Iterator[Callable[..., SmtpServer]]:
    """Start aiosmtpd servers of the test's own; they stop when it ends."""
    started: list[SmtpServer] = []

    def start(handler: RecordingHandler | None = None, **options: Any) -> SmtpServer:
        server = start_smtp_server(handler, **options)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def smtp(smtp_lab: SmtpLab) -> SmtpLab:
    """The lab, with every server's inbox emptied for this test."""
    for server in smtp_lab.servers():
        if isinstance(server, SmtpServer):
            server.received.clear()
    return smtp_lab


POSTGRES_URL = os.environ.get("DUES_TEST_POSTGRES_URL", "")
# The browser tests exercise pages, not databases: SQLite is enough for them.
SQLITE_ONLY_MODULES = {
    "tests.test_browser",
    "tests.test_browser_oauth",
    "tests.test_browser_tracker",
    "tests.test_browser_trust",
    "tests.test_pages_look",
    "tests.test_browser_import",
    "tests.test_browser_channels",
    "tests.test_browser_language",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that touches the database on SQLite and on PostgreSQL."""
    if "database_url" in metafunc.fixturenames:
        sqlite_only = metafunc.module.__name__ in SQLITE_ONLY_MODULES
        backends = ["sqlite"] if sqlite_only else ["sqlite", "postgresql"]
        metafunc.parametrize("database_url", backends, indirect=True)


@pytest.fixture(scope="session")
def postgres_database(worker_id: str) -> Iterator[str]:
    """A database of this test worker's own on the PostgreSQL server, made afresh."""
    if not POSTGRES_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("DUES_TEST_POSTGRES_URL is not set: .ci/run should have started PostgreSQL")
        pytest.skip("no PostgreSQL server (set DUES_TEST_POSTGRES_URL)")
    name = f"dues_test_{worker_id}"
    admin = sqlalchemy.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
    yield str(sqlalchemy.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    with admin.connect() as connection:
        connection.execute(sqlalchemy.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_tables(url: str) -> None:
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as connection:
        tables = connection.scalars(
            sqlalchemy.text(
                "SELECT quote_ident(tablename) FROM pg_tables "
                "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            )
        ).all()
        if tables:
            connection.execute(
                sqlalchemy.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            )
    engine.dispose()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or this worker's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'dues.sqlite3'}"
    url = str(request.getfixturevalue("postgres_database"))
    _empty_tables(url)
    return url


@pytest.fixture
def clock() -> Clock:
    """Now, movable: one clock for the app, the OAuth server and the XOAUTH2 server."""
    return Clock()


@pytest.fixture
def oauth(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[OAuthServer]:
    """A real Authlib authorization server on loopback, with the client Dues is."""
    # Plain HTTP on loopback for the test server only; real providers are HTTPS.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    server = start_oauth_server(clock)
    state = next(server)
    state.add_client(OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET)
    yield state
    server.close()


@pytest.fixture
def app_config(database_url: str, clock: Clock, tmp_path: Path) -> dict[str, Any]:
    """Settings for an app with its own empty database and instance folder."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "SCHEDULER": "off",
        "RATES_FETCH": "off",
        "CLOCK": clock.now,
    }


def posted(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Form data: the defaults with the overrides; a field overridden with None is left out."""
    values = {**defaults, **overrides}
    return {key: value for key, value in values.items() if value is not None}


def process_env(app_config: dict[str, Any], **overrides: str) -> dict[str, str]:
    """The environment for a Dues process of its own on the test's database."""
    return {
        **os.environ,
        "DUES_DATABASE_URL": str(app_config["DATABASE_URL"]),
        "DUES_SECRET_KEY": str(app_config["SECRET_KEY"]),
        "DUES_SCHEDULER": "off",
        # No test reaches the internet: the ECB feed is served locally where tested.
        "DUES_RATES_FETCH": "off",
        **overrides,
    }


def serves_health(port: int) -> bool:
    """Whether a Dues process on port answers its health check."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_config)
    upgrade_database(application)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def csrf_app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production."""
    application = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    upgrade_database(application)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


ACCOUNT = {"username": "alice", "email": "alice@example.test", "password": "correct horse"}


@pytest.fixture
def logged_in(client: FlaskClient) -> FlaskClient:
    """A client logged in as the first account (set up through the page)."""
    response = client.post("/setup", data=ACCOUNT)
    assert response.status_code == 302
    return client


CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying to reach the (closed) internet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright; required in CI, optional elsewhere."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed it")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def closed_before_sending(app: WSGIApplication) -> WSGIApplication:
    """Wrap app so that each response is read whole and closed before it is sent."""

    # Werkzeug's development server skips the response's close() when the client
    # resets the connection while the server drains the request, as Chromium does to
    # a favicon it no longer wants; the open static file then fails the test run.
    def buffered(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            close = getattr(response, "close", None)
            if close is not None:
                close()

    return buffered


@pytest.fixture
def live_url(csrf_app: Flask) -> Iterator[str]:
    """The app, CSRF on, served on a free loopback port for the browser."""
    server = make_server("127.0.0.1", 0, closed_before_sending(csrf_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def page(browser: Browser, live_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_url)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


@pytest.fixture
def browser_without_js(browser: Browser, live_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=live_url, java_script_enabled=False)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def screenshot(page: Page, name: str) -> None:
    """Keep what the page looked like as a test artifact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
