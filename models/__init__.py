"""Dues' database models and the queries that belong to them."""

from models.base import Base, db, utcnow
from models.billing import CycleUnit, add_cycles, first_on_or_after, monthly_cost
from models.delivery import Delivery, DeliveryStatus, ReminderKey
from models.email_settings import SECURITY_VALUES, EmailSettings, split_addresses
from models.secrets import UndecryptableSecret
from models.subscription import MAX_OFFSET_DAYS, Subscription, format_offsets, parse_offsets
from models.user import User

__all__ = [
    "MAX_OFFSET_DAYS",
    "SECURITY_VALUES",
    "Base",
    "CycleUnit",
    "Delivery",
    "DeliveryStatus",
    "EmailSettings",
    "ReminderKey",
    "Subscription",
    "UndecryptableSecret",
    "User",
    "add_cycles",
    "db",
    "first_on_or_after",
    "format_offsets",
    "monthly_cost",
    "parse_offsets",
    "split_addresses",
    "utcnow",
]
