"""Dues' database models and the queries that belong to them."""

from models.app_settings import AppSettings, parse_networks
from models.base import Base, db, utcnow
from models.billing import (
    MAX_OFFSET_DAYS,
    CycleUnit,
    add_cycles,
    first_on_or_after,
    format_offsets,
    monthly_cost,
    parse_offsets,
)
from models.delivery import Delivery, DeliveryStatus, ReminderKey
from models.email_settings import (
    SECURITY_VALUES,
    EmailSettings,
    address_policy,
    split_addresses,
)
from models.secrets import UndecryptableSecret
from models.subscription import Subscription
from models.user import User

__all__ = [
    "MAX_OFFSET_DAYS",
    "SECURITY_VALUES",
    "AppSettings",
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
    "address_policy",
    "db",
    "first_on_or_after",
    "format_offsets",
    "monthly_cost",
    "parse_networks",
    "parse_offsets",
    "split_addresses",
    "utcnow",
]
