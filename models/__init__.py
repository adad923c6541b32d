"""Dues' database models and the queries that belong to them."""

from models.base import Base, db, utcnow
from models.email_settings import SECURITY_VALUES, EmailSettings, split_addresses
from models.secrets import UndecryptableSecret
from models.user import User

__all__ = [
    "SECURITY_VALUES",
    "Base",
    "EmailSettings",
    "UndecryptableSecret",
    "User",
    "db",
    "split_addresses",
    "utcnow",
]
