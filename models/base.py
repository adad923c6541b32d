"""The SQLAlchemy handle every model shares, and timestamps that stay in UTC."""

from __future__ import annotations

import datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Dialect
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


class Base(DeclarativeBase):
    """Declarative base for Dues' models."""

    registry = registry(type_annotation_map={datetime.datetime: UtcDateTime})


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime.datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.datetime.now(datetime.UTC)
