"""Schema changes go through migrations that keep the data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from flask import Flask
from flask_migrate import downgrade, upgrade

from app import MIGRATIONS, create_app, upgrade_database
from models import db

FIRST_REVISION = "e1d34b8eb048"


@pytest.fixture
def unmigrated_app(app_config: dict[str, Any]) -> Iterator[Flask]:
    """The app on a database with no tables at all, whatever earlier tests left."""
    app = create_app(app_config)
    with app.app_context():
        downgrade(directory=MIGRATIONS, revision="base")
    yield app
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        db.engine.dispose()


def test_upgrading_an_existing_database_keeps_its_data(unmigrated_app: Flask) -> None:
    with unmigrated_app.app_context():
        assert sqlalchemy.inspect(db.engine).get_table_names() in ([], ["alembic_version"])
        upgrade(directory=MIGRATIONS, revision=FIRST_REVISION)
        with db.engine.begin() as connection:
            connection.execute(
                sqlalchemy.text(
                    'INSERT INTO "user" (id, username, email, password_hash, is_admin, timezone,'
                    " currency, created_at) VALUES (1, 'alice', 'alice@example.test', 'x', true,"
                    " 'UTC', 'EUR', '2026-01-01 00:00:00')"
                )
            )
        assert "app_settings" not in sqlalchemy.inspect(db.engine).get_table_names()
        upgrade(directory=MIGRATIONS)
        inspector = sqlalchemy.inspect(db.engine)
        assert "app_settings" in inspector.get_table_names()
        with db.engine.connect() as connection:
            users = connection.execute(sqlalchemy.text('SELECT username FROM "user"')).all()
        assert users == [("alice",)]


def test_the_models_and_the_migrations_agree(app_config: dict[str, Any]) -> None:
    """A model change without its migration fails here, not in production."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = create_app(app_config)
    upgrade_database(app)
    try:
        with app.app_context(), db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
    finally:
        with app.app_context():
            db.engine.dispose()


BEFORE_LISTS = "8b4e2d6f1a37"


def test_free_text_categories_become_the_accounts_lists(unmigrated_app: Flask) -> None:
    with unmigrated_app.app_context():
        upgrade(directory=MIGRATIONS, revision=BEFORE_LISTS)
        with db.engine.begin() as connection:
            connection.execute(
                sqlalchemy.text(
                    'INSERT INTO "user" (id, username, email, password_hash, is_admin, timezone,'
                    " currency, created_at, session_stamp) VALUES (1, 'alice', 'a@example.test',"
                    " 'x', true, 'UTC', 'EUR', '2026-01-01 00:00:00', 's')"
                )
            )
            for number, (category, method) in enumerate(
                [("Video", "Card"), ("Music", "Card"), ("Video", ""), ("", "PayPal")], start=1
            ):
                connection.execute(
                    sqlalchemy.text(
                        "INSERT INTO subscription (id, user_id, name, price, currency,"
                        " cycle_every, cycle_unit, billing_anchor, next_payment, auto_renew,"
                        " category, payment_method, url, notes, active, notify,"
                        " reminder_offsets, created_at) VALUES (:id, 1, :name, 1, 'EUR', 1,"
                        " 'month', '2026-12-01', '2026-12-01', true, :category, :method, '', '',"
                        " true, true, '', '2026-01-01 00:00:00')"
                    ),
                    {"id": number, "name": f"S{number}", "category": category, "method": method},
                )
            connection.execute(
                sqlalchemy.text(
                    "INSERT INTO delivery (user_id, subscription_id, subscription_name,"
                    " payment_date, offset_days, kind, status, attempts, last_error,"
                    " message_id, recipients, created_at) VALUES (1, 1, 'S1', '2026-12-01', 1,"
                    " 'renewal', 'sent', 1, '', '', '', '2026-01-01 00:00:00')"
                )
            )
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            # Recreating tables (SQLite's batch mode) must not cascade into their rows.
            assert connection.execute(
                sqlalchemy.text("SELECT subscription_id FROM delivery")
            ).all() == [(1,)]
            assert connection.execute(sqlalchemy.text('SELECT count(*) FROM "user"')).scalar() == 1
            categories = connection.execute(
                sqlalchemy.text("SELECT name, position FROM category ORDER BY position")
            ).all()
            links = connection.execute(
                sqlalchemy.text(
                    "SELECT s.name, c.name, p.name FROM subscription s"
                    " LEFT JOIN category c ON c.id = s.category_id"
                    " LEFT JOIN payment_method p ON p.id = s.payment_method_id ORDER BY s.id"
                )
            ).all()
    assert categories == [("Music", 1), ("Video", 2)]
    assert links == [
        ("S1", "Video", "Card"),
        ("S2", "Music", "Card"),
        ("S3", "Video", None),
        ("S4", None, "PayPal"),
    ]
