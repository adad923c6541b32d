"""After a Wallos import, the first reminder goes out exactly as Wallos was configured."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import trustme
from flask import Flask
from flask.testing import FlaskClient

from models import User, db
from reminders import run_reminders
from tests.smtp_servers import Credentials, SmtpServer, server_context
from tests.test_wallos_import import import_now, upload
from tests.wallos_fixture import household_files


@pytest.mark.parametrize("encryption", ["none", "tls"])
def test_the_imported_settings_send_the_first_reminder(
    app: Flask,
    logged_in: FlaskClient,
    start_server: Callable[..., SmtpServer],
    tmp_path: Path,
    encryption: str,
) -> None:
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    tls = server_context(
        issued.cert_chain_pems[0].bytes(), issued.private_key_pem.bytes(), tmp_path
    )
    # The server offers STARTTLS either way: None must not take it, TLS must.
    server = start_server(
        tls_context=tls,
        require_starttls=encryption == "tls",
        authenticator=Credentials("alice", "wallos-plain-secret"),
        auth_require_tls=False,
    )
    files = household_files(tmp_path, smtp_port=server.port, encryption=encryption)
    upload(logged_in, files["zip"])
    assert import_now(logged_in).status_code == 302
    with app.app_context():
        user = User.by_username("alice")
        assert user is not None and user.email_settings.security == encryption
        # Wallos had no way to trust a private CA; in Dues the user adds theirs.
        user.email_settings.ca_certificates = ca.cert_pem.bytes().decode()
        db.session.commit()
        # Gym <24/7> is paid on 10 December; Wallos's default was 3 days before.
        summary = run_reminders(dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC))
        assert summary.sent == 1, summary
        again = run_reminders(dt.datetime(2026, 12, 7, 10, 30, tzinfo=dt.UTC))
        assert again.sent == 0
    (received,) = server.received
    assert (received.tls_version is None) is (encryption == "none")
    assert received.mail_from == "wallos@example.test" and received.authenticated
    assert set(received.rcpt_tos) == {
        "alice@example.test",
        "carol@example.test",
        "dave@example.test",
    }
    assert "Gym <24/7>" in received.message.get_body(("plain",)).get_content()
