"""Dues' own export: one versioned JSON document with everything of an account.

Restoring reads it into the same ImportPlan a Wallos file becomes, so restore
has the same preview, the same one-transaction rule and the same idempotence.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import zoneinfo
from typing import Any

from sqlalchemy import select

import logos
from importers.columns import columns, row_from_json, row_to_json, to_json
from importers.dues_channels import exported_channels, planned_channels
from importers.errors import ImportRefused, unreadable_export
from importers.plan import ImportPlan, PlannedMember, PlannedRate, PlannedSubscription
from importers.sealed import seal, unseal
from localization import LOCALES, per_cycle
from models import (
    Category,
    CycleUnit,
    Delivery,
    EmailSettings,
    ExchangeRate,
    HouseholdMember,
    PaymentMethod,
    PriceChange,
    Subscription,
    User,
    db,
)
from translations import _

FORMAT = "dues"
VERSION = 1
ACCOUNT_FIELDS = ("currency", "timezone", "locale", "monthly_budget", "ecb_rates")
_SUBSCRIPTION_COLUMNS = columns(
    Subscription,
    {"id", "user_id", "category_id", "payment_method_id", "payer_id", "replaced_by_id",
     "logo", "logo_type", "remind_from", "remind_until", "created_at"},
)  # fmt: skip
_EMAIL_COLUMNS = columns(
    EmailSettings,
    {"id", "user_id", "password_encrypted", "oauth_client_secret_encrypted", "updated_at"},
)
_DELIVERY_COLUMNS = columns(Delivery, {"id", "user_id", "subscription_id"})
_RATE_COLUMNS = columns(ExchangeRate, {"id", "user_id", "currency"})
_MEMBER_COLUMNS = columns(HouseholdMember, {"id", "user_id", "position"})
_PRICE_CHANGE_COLUMNS = columns(PriceChange, {"id", "subscription_id"})


def _subscription(subscription: Subscription) -> dict[str, Any]:
    record = row_to_json(subscription, _SUBSCRIPTION_COLUMNS)
    record |= {
        "category": subscription.category.name if subscription.category else None,
        "payment_method": subscription.payment_method.name if subscription.payment_method else None,
        "payer": subscription.payer.name if subscription.payer else None,
        "replaced_by": subscription.replaced_by.ref if subscription.replaced_by else None,
        "price_changes": [
            {"price": to_json(change.price), "until": to_json(change.until)}
            for change in subscription.price_changes
        ],
        "logo": {
            "type": subscription.logo_type,
            "base64": base64.b64encode(subscription.logo).decode(),
        }
        if subscription.logo
        else None,
    }
    return record


def export_document(
    user: User, exported_at: datetime.datetime, passphrase: str = ""
) -> dict[str, Any]:
    """Everything of the account; its secrets only when a passphrase seals them."""
    settings = user.email_settings
    subscriptions = sorted(Subscription.for_user(user.id), key=lambda s: (s.created_at, s.ref))
    names = {s.id: s.ref for s in subscriptions}
    deliveries = db.session.scalars(
        select(Delivery)
        .where(Delivery.user_id == user.id)
        .order_by(Delivery.created_at, Delivery.payment_date, Delivery.offset_days, Delivery.kind)
    )
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at.isoformat(),
        "account": {name: to_json(getattr(user, name)) for name in ACCOUNT_FIELDS},
        "categories": [entry.name for entry in Category.for_user(user.id)],
        "payment_methods": [entry.name for entry in PaymentMethod.for_user(user.id)],
        "household": [
            {"name": m.name, "email": m.email} for m in HouseholdMember.for_user(user.id)
        ],
        "exchange_rates": {
            currency: row_to_json(rate, _RATE_COLUMNS)
            for currency, rate in sorted(ExchangeRate.for_user(user.id).items())
        },
        "email_settings": row_to_json(settings, _EMAIL_COLUMNS),
        "subscriptions": [_subscription(s) for s in subscriptions],
        "notification_log": [
            row_to_json(d, _DELIVERY_COLUMNS) | {"subscription": names.get(d.subscription_id or 0)}
            for d in deliveries
        ],
        "secrets": None,
    }
    document["channels"], channel_secrets = exported_channels(user.id)
    if passphrase:
        secrets = {
            "password": settings.stored_password(),
            "client_secret": settings.client_secret(),
            **channel_secrets,
        }
        document["secrets"] = seal({k: v for k, v in secrets.items() if v}, passphrase)
    return document


def _list(document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise unreadable_export(f'"{key}" should be a list')
    return value


def _names(document: dict[str, Any], key: str) -> list[str]:
    names = _list(document, key)
    if not all(isinstance(name, str) and 0 < len(name) <= 50 for name in names):
        raise unreadable_export(f'"{key}" should be names of at most 50 characters')
    return names


def _account(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise unreadable_export('"account" should be an object')
    account = row_from_json(record, columns(User, ()), "the account's")
    account = {name: account[name] for name in ACCOUNT_FIELDS if name in account}
    if account.get("locale", "en") not in LOCALES:
        raise unreadable_export(f"the locale {account['locale']!r} is unknown")
    try:
        zoneinfo.ZoneInfo(account.get("timezone", "UTC"))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError) as exc:
        raise unreadable_export(_("the time zone is unknown")) from exc
    return account


def _logo(record: Any) -> tuple[bytes, str] | None:
    if record is None:
        return None
    try:
        data = base64.b64decode(record["base64"], validate=True)
    except (KeyError, TypeError, ValueError, binascii.Error) as exc:
        raise unreadable_export(_("a logo is damaged")) from exc
    # Prepared again, as any upload is: a document can be edited by hand.
    try:
        return logos.prepared(data)
    except logos.LogoRefused as exc:
        raise ImportRefused(_("A logo in the export is refused: %(reason)s", reason=exc)) from exc


def _subscription_plan(record: Any, number: int) -> PlannedSubscription:
    where = f"subscription {number}'s"
    values = row_from_json(record, _SUBSCRIPTION_COLUMNS, where)
    for required in ("ref", "name", "price", "currency", "next_payment"):
        if values.get(required) is None:
            raise unreadable_export(f'{where} "{required}" is missing')
    if values.get("cycle_unit", "month") not in {unit.value for unit in CycleUnit}:
        raise unreadable_export(f"{where} cycle is unknown")
    if not 1 <= values.get("cycle_every", 1) <= 365 or not 0 <= values["price"] <= 10**9:
        raise unreadable_export(f"{where} cycle or price is out of range")
    references: dict[str, Any] = {}
    for key in ("category", "payment_method", "payer", "replaced_by"):
        reference = record.get(key)
        if reference is not None and not isinstance(reference, str):
            raise unreadable_export(f'{where} "{key}" should be text')
        references[key] = reference
    changes = record.get("price_changes") or []
    if not isinstance(changes, list):
        raise unreadable_export(f'{where} "price_changes" should be a list')
    history = [row_from_json(change, _PRICE_CHANGE_COLUMNS, where) for change in changes]
    return PlannedSubscription(
        **values,
        **references,
        logo=_logo(record.get("logo")),
        price_changes=[(change["price"], change["until"]) for change in history],
        cycle_label=_(
            "every %(cycle)s",
            cycle=per_cycle(values.get("cycle_every", 1), values.get("cycle_unit", "month")),
        ),
    )


def plan_from_dues(document: dict[str, Any], passphrase: str) -> ImportPlan:
    """What restoring the export brings; its secrets only with the right passphrase."""
    if document.get("version") != VERSION:
        raise ImportRefused(
            _(
                "This Dues export is version %(version)s; this Dues reads version %(ours)s.",
                version=repr(document.get("version")),
                ours=VERSION,
            )
        )
    plan = ImportPlan(source="Dues export")
    plan.account = _account(document.get("account", {}))
    plan.categories = _names(document, "categories")
    plan.payment_methods = _names(document, "payment_methods")
    members = [
        row_from_json(member, _MEMBER_COLUMNS, "a household member")
        for member in _list(document, "household")
    ]
    plan.household = [PlannedMember(m.get("name") or "?", m.get("email") or "") for m in members]
    rates = document.get("exchange_rates", {})
    if not isinstance(rates, dict):
        raise unreadable_export('"exchange_rates" should be an object')
    for currency, record in rates.items():
        rate = row_from_json(record, _RATE_COLUMNS, f"the {currency[:3]} rate")
        if len(currency) != 3 or "per_main" not in rate or not rate["per_main"] > 0:
            raise unreadable_export(f"the {currency[:3]} rate is not a rate")
        plan.rates[currency] = PlannedRate(
            rate["per_main"], rate.get("as_of"), rate.get("source", "manual")
        )
    if document.get("email_settings") is not None:
        plan.email = row_from_json(
            document["email_settings"], _EMAIL_COLUMNS, "the email settings'"
        )
    plan.subscriptions = [
        _subscription_plan(r, n) for n, r in enumerate(_list(document, "subscriptions"), 1)
    ]
    for record in _list(document, "notification_log"):
        entry = row_from_json(record, _DELIVERY_COLUMNS, "a notification log entry")
        subscription = record.get("subscription")
        if subscription is not None and not isinstance(subscription, str):
            raise unreadable_export('a notification log entry\'s "subscription" should be text')
        plan.deliveries.append(entry | {"subscription": subscription})
    if document.get("secrets") is not None:
        if passphrase:
            plan.secrets = unseal(document["secrets"], passphrase)
        else:
            plan.questions["passphrase"] = (
                "The export holds sealed secrets: type its passphrase, or import without them."
            )
    plan.channels = planned_channels(document.get("channels", []), plan.secrets, plan.warnings)
    named = {name for channel in plan.channels for name in channel.categories or ()}
    plan.categories += sorted(named - set(plan.categories))
    return plan
