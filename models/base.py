"""The SQLAlchemy handle every model shares."""

from __future__ import annotations

import datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base for Dues' models."""


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime.datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.datetime.now(datetime.UTC)
