"""The container image, built and run under a real engine (podman with runc).

Skipped where no engine is installed; in CI (CI=true) a missing engine fails.
Everything stays on this machine: the image is built on a Debian base made here
with debootstrap, and the container reaches the test mail server on loopback.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade

from app import MIGRATIONS, create_app
from models import db
from tests.conftest import ACCOUNT, ARTIFACTS
from tests.smtp_servers import SmtpServer, free_port, start_smtp_server
from tests.test_migrations import FIRST_REVISION

ROOT = Path(__file__).resolve().parent.parent
BASE = "docker.io/library/debian:bookworm-slim"
IMAGE = "localhost/dues:test"
COMPILED_PARTS_CHECK = """
import io, PIL.Image, psycopg, sqlalchemy.engine._result_cy
from babel.numbers import format_currency
from cryptography.fernet import Fernet
PIL.Image.new("RGB", (2, 2)).save(io.BytesIO(), "WEBP")
Fernet(Fernet.generate_key()).encrypt(b"x")
print(psycopg.pq.__impl__, format_currency(12.99, "EUR", locale="de"), "ok")
"""
CONTAINERS_CONF = '[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = "cgroupfs"\n'


class Engine:
    """podman with runc and a containers.conf of its own (crun fails on these cgroups)."""

    def __init__(self, conf: Path) -> None:
        self.env = {**os.environ, "CONTAINERS_CONF": str(conf)}

    def succeeds(self, *args: str) -> bool:
        """Whether the podman command exits with status 0."""
        result = subprocess.run(["podman", *args], env=self.env, capture_output=True, timeout=60)
        return result.returncode == 0

    def __call__(self, *args: str, check: bool = True, timeout: float = 600) -> str:
        result = subprocess.run(
            ["podman", "--runtime", "runc", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)}: {result.stderr[-3000:]}")
        return result.stdout.strip()


def _debian_mirror() -> str:
    for source in (Path("/etc/apt/sources.list.d/debian.sources"), Path("/etc/apt/sources.list")):
        if source.exists():
            found = re.search(r"(?:URIs:|deb)\s+(\S+/debian)\b", source.read_text())
            if found:
                return found[1]
    return "http://deb.debian.org/debian"


def _make_base_image(engine: Engine, folder: Path) -> None:
    """The slim Debian base, made as the official one is (debootstrap minbase), locally."""
    rootfs = folder / "rootfs"
    subprocess.run(
        ["debootstrap", "--variant=minbase", "bookworm", str(rootfs), _debian_mirror()],
        check=True,
        capture_output=True,
        timeout=600,
    )
    # This network reaches package registries through a TLS proxy: the base carries the
    # host's CA bundle, as a company's base image would. The project's image adds none.
    for target in (
        "usr/local/share/ca-certificates/host-ca.crt",
        "etc/ssl/certs/ca-certificates.crt",
    ):
        (rootfs / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy("/etc/ssl/certs/ca-certificates.crt", rootfs / target)
    with subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE) as tar:
        subprocess.run(
            ["podman", "import", "-", BASE],
            stdin=tar.stdout,
            env=engine.env,
            check=True,
            capture_output=True,
            timeout=600,
        )


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    if shutil.which("podman") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("podman is missing: .ci/run should have installed it")
        pytest.skip("no container engine (apt-get install podman buildah runc debootstrap)")
    folder = tmp_path_factory.mktemp("podman")
    conf = folder / "containers.conf"
    conf.write_text(CONTAINERS_CONF)
    engine = Engine(conf)
    if not engine.succeeds("image", "exists", BASE):
        _make_base_image(engine, folder)
    return engine


@pytest.fixture
def mail() -> Iterator[SmtpServer]:
    server = start_smtp_server()
    yield server
    server.stop()


class Running:
    """One container of the image on the host's network, and a browser-like session."""

    def __init__(self, engine: Engine, volume: str, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.name = f"dues-smoke-{uuid.uuid4().hex[:8]}"
        self.engine = engine
        engine(
            "run", "-d", "--name", self.name, "--network", "host",
            "-e", "DUES_HOST=127.0.0.1", "-e", f"DUES_PORT={self.port}",
            "-e", f"DUES_BASE_URL={self.url}", "-e", "DUES_RATES_FETCH=off",
            "-v", f"{volume}:/data", *options, IMAGE,
        )  # fmt: skip
        self.session = requests.Session()
        self.wait_healthy()

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).text == "ok\n":
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"not healthy in {timeout} s:\n{self.logs()}")

    def logs(self) -> str:
        """What the container wrote, both streams."""
        result = subprocess.run(
            ["podman", "logs", self.name], env=self.engine.env, capture_output=True, text=True
        )
        return result.stdout + result.stderr

    def post_form(self, path: str, data: dict[str, str], page: str | None = None) -> str:
        """Post a form as a browser does: the CSRF token from the page first."""
        form = self.session.get(f"{self.url}{page or path}", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
        token = token or re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token, form[:500]
        response = self.session.post(
            f"{self.url}{path}", data={**data, "csrf_token": token[1]}, timeout=30
        )
        return response.text

    def stop(self) -> tuple[float, int]:
        started = time.monotonic()
        self.engine("stop", "-t", "10", self.name, timeout=60)
        took = time.monotonic() - started
        status = int(self.engine("inspect", self.name, "--format", "{{.State.ExitCode}}"))
        return took, status

    def remove(self) -> None:
        self.engine("rm", "-f", self.name, check=False)


def settings_values(mail: SmtpServer) -> dict[str, str]:
    return {
        "enabled": "y", "host": "127.0.0.1", "port": str(mail.port), "security": "none",
        "from_email": "dues@example.test", "from_name": "Dues", "timeout": "5",
        "test_recipient": ACCOUNT["email"], "default_offsets": "1", "send_hour": "9",
        "timezone": "UTC", "digest": "y", "auth_method": "password",
        "oauth_provider": "microsoft", "oauth_flow": "browser",
    }  # fmt: skip


def _first_revision_database(folder: Path) -> Path:
    """A database as the first release's migrations made it, with an account in it."""
    path = folder / "dues.sqlite3"
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "x", "SCHEDULER": "off"})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision=FIRST_REVISION)
        db.session.execute(
            db.text(
                'INSERT INTO "user" (id, username, email, password_hash, is_admin, timezone,'
                " currency, created_at) VALUES (1, 'carol', 'carol@example.test', 'x', true,"
                " 'UTC', 'EUR', '2026-01-01 00:00:00')"
            )
        )
        db.session.commit()
        db.engine.dispose()
    return path


def test_the_image_builds_runs_keeps_its_data_and_stops_cleanly(
    engine: Engine, mail: SmtpServer, tmp_path: Path
) -> None:
    started = time.monotonic()
    engine("build", "--network", "host", "--isolation", "chroot", "--format", "docker",
           "-t", IMAGE, str(ROOT), timeout=900)  # fmt: skip
    # The compiled parts still load after the build stripped them and trimmed Babel.
    checked = engine(
        "run", "--rm", "--entrypoint", "python3", IMAGE, "-c", COMPILED_PARTS_CHECK
    )  # fmt: skip
    assert checked.splitlines()[-1] == "binary 12,99\xa0€ ok", checked
    size = int(engine("image", "inspect", IMAGE, "--format", "{{.Size}}"))
    base = int(engine("image", "inspect", BASE, "--format", "{{.Size}}"))
    volume = f"dues-smoke-{uuid.uuid4().hex[:8]}"
    containers: list[Running] = []
    try:
        first = Running(engine, volume)
        containers.append(first)
        first.post_form("/setup", {k: str(v) for k, v in ACCOUNT.items()})
        saved = first.post_form("/settings/notifications", settings_values(mail))
        assert "Settings saved." in saved
        sent = first.post_form(
            "/settings/notifications/test", settings_values(mail), page="/settings/notifications"
        )
        assert "Test email sent" in sent, sent[-3000:]
        [received] = mail.received
        assert received.rcpt_tos == [ACCOUNT["email"]]
        assert "database schema migrated from revision none" in first.logs()

        took, status = first.stop()
        assert status == 0 and took < 10, f"stopped in {took:.1f} s with status {status}"

        second = Running(engine, volume)
        containers.append(second)
        credentials = {"username": ACCOUNT["username"], "password": ACCOUNT["password"]}
        second.post_form("/login", credentials)
        page = second.session.get(f"{second.url}/settings/notifications", timeout=10).text
        assert f'value="{mail.port}"' in page and 'value="127.0.0.1"' in page
        second.stop()

        read_only = Running(engine, volume, "--read-only", "--tmpfs", "/tmp")
        containers.append(read_only)
        read_only.post_form("/login", credentials)
        assert "Dashboard" in read_only.session.get(f"{read_only.url}/", timeout=10).text
        read_only.stop()

        # An instance of the first release, upgraded by this image with its rows kept.
        old = tmp_path / "old-data"
        old.mkdir()
        database = _first_revision_database(old)
        for path in (old, *old.iterdir()):
            os.chown(path, 10001, 10001)
        upgraded = Running(engine, str(old))
        containers.append(upgraded)
        assert f"migrated from revision {FIRST_REVISION}" in upgraded.logs()
        upgraded.stop()
        with sqlite3.connect(database) as connection:
            assert connection.execute('SELECT username FROM "user"').fetchall() == [("carol",)]
    finally:
        for container in containers:
            container.remove()
        engine("volume", "rm", "-f", volume, check=False)
    duration = time.monotonic() - started
    report = (
        f"container image: {size / 1e6:.0f} MB ({(size - base) / 1e6:.0f} MB on top of the "
        f"{base / 1e6:.0f} MB base); smoke test: {duration:.0f} s\n"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "container.txt").write_text(report)
