"""Dues' database models and the queries that belong to them."""

from models.account_lists import Category, HouseholdMember, ListEntry, PaymentMethod
from models.api_key import ApiKey
from models.app_settings import AppSettings, parse_networks
from models.base import Base, db, utcnow
from models.billing import (
    MAX_OFFSET_DAYS,
    CycleUnit,
    add_cycles,
    days_before,
    first_on_or_after,
    format_offsets,
    monthly_cost,
    parse_offsets,
    shift_month,
)
from models.channel import EMAIL_CHANNEL, Channel
from models.delivery import Delivery, DeliveryStatus, ReminderKey
from models.email_settings import (
    SECURITY_VALUES,
    EmailSettings,
    address_policy,
    fallback_ehlo_name,
)
from models.lists import split_list
from models.login_session import LoginSession
from models.money import ExchangeRate, Total, total_in
from models.oauth_token import OAuthToken
from models.rate_limit import RateLimitBucket
from models.secrets import UndecryptableSecret
from models.subscription import PriceChange, Subscription
from models.two_factor import RecoveryCode, TwoFactor
from models.user import MAX_USERNAME_LENGTH, User

__all__ = [
    "ApiKey",
    "MAX_USERNAME_LENGTH",
    "MAX_OFFSET_DAYS",
    "SECURITY_VALUES",
    "AppSettings",
    "Channel",
    "EMAIL_CHANNEL",
    "Category",
    "HouseholdMember",
    "ListEntry",
    "LoginSession",
    "PaymentMethod",
    "PriceChange",
    "Base",
    "CycleUnit",
    "Delivery",
    "DeliveryStatus",
    "EmailSettings",
    "ExchangeRate",
    "Total",
    "total_in",
    "OAuthToken",
    "RateLimitBucket",
    "RecoveryCode",
    "ReminderKey",
    "Subscription",
    "TwoFactor",
    "UndecryptableSecret",
    "User",
    "add_cycles",
    "days_before",
    "fallback_ehlo_name",
    "address_policy",
    "db",
    "first_on_or_after",
    "format_offsets",
    "monthly_cost",
    "parse_networks",
    "parse_offsets",
    "shift_month",
    "split_list",
    "utcnow",
]
