"""Applying an ImportPlan to an account: one transaction, and nothing twice.

Lists are matched by name and subscriptions by their ref, so applying the same
plan again creates nothing. The caller commits, or rolls back for a preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import select

from importers.plan import ImportPlan, PlannedSubscription
from models import (
    Category,
    Channel,
    Delivery,
    EmailSettings,
    ExchangeRate,
    HouseholdMember,
    ListEntry,
    PaymentMethod,
    PriceChange,
    Subscription,
    User,
    db,
    utcnow,
)
from models.two_factor import TwoFactor, switch_on
from translations import _, ngettext

Entry = TypeVar("Entry", bound=ListEntry)


@dataclass
class ImportResult:
    """What applying a plan created, and what it found already there."""

    created: dict[str, int] = field(default_factory=dict)
    already_there: list[str] = field(default_factory=list)
    changed_settings: list[str] = field(default_factory=list)

    def count(self, what: str, number: int = 1) -> None:
        """Count number more of what."""
        self.created[what] = self.created.get(what, 0) + number

    def made(self) -> list[str]:
        """What was created, in words: "5 subscriptions", "17 categories"."""
        return [_counted(what, number) for what, number in self.created.items() if number]

    @property
    def changes_anything(self) -> bool:
        """Whether applying the plan changed the account at all."""
        return any(self.created.values()) or bool(self.changed_settings)


def _entries(kind: type[Entry], user_id: int, names: list[str], result: ImportResult,
             label: str) -> dict[str, int]:  # fmt: skip
    """The ids of the account's entries with these names, creating the missing ones."""
    ids = {entry.name: entry.id for entry in kind.for_user(user_id)}
    for name in names:
        if name not in ids:
            entry = kind.add(user_id, name)
            db.session.flush()
            ids[name] = entry.id
            result.count(label)
    return ids


def _counted(what: str, number: int) -> str:
    """number of what, with the plural the current language gives it."""
    phrases = {
        "categories": lambda: ngettext("%(num)d category", "%(num)d categories", number),
        "payment methods": lambda: ngettext(
            "%(num)d payment method", "%(num)d payment methods", number
        ),
        "household members": lambda: ngettext(
            "%(num)d household member", "%(num)d household members", number
        ),
        "subscriptions": lambda: ngettext("%(num)d subscription", "%(num)d subscriptions", number),
        "exchange rates": lambda: ngettext(
            "%(num)d exchange rate", "%(num)d exchange rates", number
        ),
        "push channels": lambda: ngettext("%(num)d push channel", "%(num)d push channels", number),
        "notification log entries": lambda: ngettext(
            "%(num)d notification log entry", "%(num)d notification log entries", number
        ),
    }
    return phrases[what]()


def _setting_name(name: str) -> str:
    """What the page calls an account setting an import changes."""
    names = {
        "currency": lambda: _("the main currency"),
        "timezone": lambda: _("the time zone"),
        "locale": lambda: _("the language"),
        "monthly_budget": lambda: _("the monthly budget"),
        "ecb_rates": lambda: _("the ECB's exchange rates"),
    }
    return names[name]() if name in names else name.replace("_", " ")


def _household(plan: ImportPlan, user_id: int, result: ImportResult) -> dict[str, int]:
    members = {member.name: member for member in HouseholdMember.for_user(user_id)}
    for planned in plan.household:
        member = members.get(planned.name)
        if member is None:
            member = HouseholdMember.add(user_id, planned.name)
            member.email = planned.email
            members[planned.name] = member
            result.count("household members")
        elif planned.email and not member.email:
            member.email = planned.email
            result.changed_settings.append(_("the email of %(name)s", name=planned.name))
    db.session.flush()
    return {name: member.id for name, member in members.items()}


def _new_subscription(planned: PlannedSubscription, user_id: int,
                      lists: dict[str, dict[str, int]]) -> Subscription:  # fmt: skip
    subscription = Subscription(
        user_id=user_id,
        ref=planned.ref,
        name=planned.name,
        price=planned.price,
        currency=planned.currency,
        cycle_every=planned.cycle_every,
        cycle_unit=planned.cycle_unit,
        next_payment=planned.next_payment,
        start_date=planned.start_date,
        auto_renew=planned.auto_renew,
        category_id=lists["category"].get(planned.category or ""),
        payment_method_id=lists["method"].get(planned.payment_method or ""),
        payer_id=lists["payer"].get(planned.payer or ""),
        active=planned.active,
        notify=planned.notify,
        reminder_offsets=planned.reminder_offsets,
        cancellation_date=planned.cancellation_date,
        url=planned.url,
        notes=planned.notes,
    )
    subscription.billing_anchor = planned.billing_anchor or subscription.anchor_from_dates()
    if planned.logo is not None:
        subscription.logo, subscription.logo_type = planned.logo
    subscription.price_changes = [
        PriceChange(price=price, until=until) for price, until in planned.price_changes
    ]
    return subscription


def _subscriptions(plan: ImportPlan, user: User, lists: dict[str, dict[str, int]],
                   result: ImportResult) -> dict[str, Subscription]:  # fmt: skip
    existing = {s.ref: s for s in Subscription.for_user(user.id)}
    created: dict[str, Subscription] = {}
    for planned in plan.subscriptions:
        if planned.ref in existing or planned.ref in created:
            result.already_there.append(planned.name)
            continue
        created[planned.ref] = _new_subscription(planned, user.id, lists)
        db.session.add(created[planned.ref])
        result.count("subscriptions")
    db.session.flush()
    by_ref = existing | created
    for planned in plan.subscriptions:
        if planned.ref in created and planned.replaced_by in by_ref:
            created[planned.ref].replaced_by_id = by_ref[planned.replaced_by].id
    return created


def _settings(plan: ImportPlan, user: User, result: ImportResult) -> None:
    for name, value in plan.account.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            result.changed_settings.append(_setting_name(name))
    settings: EmailSettings = user.email_settings
    if plan.email is not None:
        before = {name: getattr(settings, name) for name in plan.email}
        for name, value in plan.email.items():
            setattr(settings, name, value)
        password = plan.secrets.get("password")
        changed = before != plan.email
        if password is not None and password != settings.stored_password():
            settings.store_password(password)
            changed = True
        client_secret = plan.secrets.get("client_secret")
        if client_secret is not None and client_secret != settings.client_secret():
            settings.store_client_secret(client_secret)
            changed = True
        if changed:
            result.changed_settings.append(_("the email settings"))
    stored_rates = ExchangeRate.for_user(user.id)
    for currency, rate in plan.rates.items():
        stored = stored_rates.get(currency)
        if stored is None or stored.per_main != rate.per_main:
            as_of = rate.as_of or utcnow().date()
            ExchangeRate.put(user.id, currency, rate.per_main, as_of, rate.source)
            result.count("exchange rates")


def _channels(plan: ImportPlan, user_id: int, categories: dict[str, int],
              result: ImportResult) -> None:  # fmt: skip
    """Create the planned channels; one of the same kind and name is left as it is."""
    existing = {(channel.kind, channel.name) for channel in Channel.for_user(user_id)}
    for planned in plan.channels:
        if (planned.kind, planned.name) in existing:
            continue
        channel = Channel(
            user_id=user_id,
            name=planned.name,
            kind=planned.kind,
            enabled=planned.enabled,
            trust=planned.trust,
            ca_certificates=planned.ca_certificates,
            only_categories=planned.categories is not None,
        )
        channel.categories = [
            db.session.get_one(Category, categories[name]) for name in planned.categories or ()
        ]
        channel.store(planned.values, planned.secrets)
        db.session.add(channel)
        result.count("push channels")


def _two_factor(plan: ImportPlan, user: User, result: ImportResult) -> None:
    """Bring the source's two-factor sign-in, unless Dues already asks for its own."""
    if plan.two_factor is None or TwoFactor.is_on(user.id):
        return
    # Step 0: no code of the secret has been used here yet.
    switch_on(user, plan.two_factor.secret, 0, plan.two_factor.recovery_codes)
    result.changed_settings.append(_("two-factor sign-in"))


def _deliveries(plan: ImportPlan, user_id: int, created: dict[str, Subscription],
                result: ImportResult) -> None:  # fmt: skip
    for record in plan.deliveries:
        subscription = created.get(record["subscription"] or "")
        if record["subscription"] and subscription is None:
            continue  # its subscription was there already, and so is its history
        values = {key: value for key, value in record.items() if key != "subscription"}
        db.session.add(
            Delivery(
                user_id=user_id,
                subscription_id=subscription.id if subscription else None,
                **values,
            )
        )
        result.count("notification log entries")


def apply_plan(plan: ImportPlan, user: User) -> ImportResult:
    """Create what the plan brings and the account lacks; uncommitted."""
    result = ImportResult()
    _settings(plan, user, result)
    lists = {
        "category": _entries(Category, user.id, plan.categories, result, "categories"),
        "method": _entries(
            PaymentMethod, user.id, plan.payment_methods, result, "payment methods"
        ),  # fmt: skip
        "payer": _household(plan, user.id, result),
    }
    created = _subscriptions(plan, user, lists, result)
    _channels(plan, user.id, lists["category"], result)
    _two_factor(plan, user, result)
    _deliveries(plan, user.id, created, result)
    offsets = user.email_settings.default_offset_list
    for subscription in db.session.scalars(
        select(Subscription).where(Subscription.user_id == user.id)
    ):
        subscription.update_reminder_window(offsets)
    db.session.flush()
    return result
