"""Alembic's environment: migrate the app's own database, whichever it is."""

from __future__ import annotations

import logging
from typing import Any

from alembic import context
from flask import current_app

logger = logging.getLogger("alembic.env")
database = current_app.extensions["migrate"].db


def _skip_empty_revisions(migration: Any, revision: Any, directives: list[Any]) -> None:
    """Write no new revision when autogenerate finds no change."""
    if (
        getattr(context.config.cmd_opts, "autogenerate", False)
        and directives[0].upgrade_ops.is_empty()
    ):
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_migrations() -> None:
    """Run the pending migrations over one connection."""
    # The app's logging stays as it is: alembic.ini's logging sections are not applied.
    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode drops and recreates tables; with foreign keys on, dropping
            # one would cascade into the rows that point at it. Off, outside any
            # transaction (SQLite ignores the pragma inside one), and checked after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=database.metadata,
            # SQLite cannot ALTER most things: batch mode copies the table instead.
            render_as_batch=sqlite,
            compare_type=True,
            process_revision_directives=_skip_empty_revisions,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"the migration left rows with broken references: {broken}")


if context.is_offline_mode():
    raise SystemExit("Dues runs its migrations online: flask --app app db upgrade")
run_migrations()
