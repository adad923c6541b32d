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
