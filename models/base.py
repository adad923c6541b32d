"""The SQLAlchemy handle every model shares, and timestamps that stay in UTC."""

from __future__ import annotations

import datetime
import sqlite3
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Dialect, Engine, event
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime.datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite keeps no offset)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(
        self, value: datetime.datetime | None, dialect: Dialect
    ) -> datetime.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        return value.astimezone(datetime.UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime.datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime.datetime)
        return value.replace(tzinfo=datetime.UTC)


@event.listens_for(Engine, "connect")
def _configure_sqlite(connection: Any, record: Any) -> None:
    """WAL lets readers work during a write and makes each commit cheap; FKs on, as elsewhere.

    synchronous=NORMAL can lose the last commits on power loss (not on a crash
    of Dues): at worst a reminder marked sent is sent again, never lost.
    """
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "busy_timeout=30000",
            "foreign_keys=ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


class Base(DeclarativeBase):
    """Declarative base for Dues' models."""

    registry = registry(type_annotation_map={datetime.datetime: UtcDateTime})


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime.datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.datetime.now(datetime.UTC)
