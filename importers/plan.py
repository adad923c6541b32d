"""What an import brings, in Dues' terms, whatever file it came from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass
class PlannedSubscription:
    """One subscription as it will be created, its lists named rather than numbered."""

    ref: str
    name: str
    price: Decimal
    currency: str
    cycle_every: int
    cycle_unit: str
    next_payment: datetime.date
    start_date: datetime.date | None = None
    auto_renew: bool = True
    category: str | None = None
    payment_method: str | None = None
    payer: str | None = None
    active: bool = True
    notify: bool = True
    reminder_offsets: str = ""
    cancellation_date: datetime.date | None = None
    url: str = ""
    notes: str = ""
    logo: tuple[bytes, str] | None = None
    replaced_by: str | None = None
    # Set when the source knows it (a Dues export); otherwise worked out from the dates.
    billing_anchor: datetime.date | None = None
    price_changes: list[tuple[Decimal, datetime.date]] = field(default_factory=list)
    # How the source wrote the cycle, for the preview: "Every 3 months", "One-time".
    cycle_label: str = ""


@dataclass
class PlannedMember:
    """A household member who pays for subscriptions."""

    name: str
    email: str = ""


@dataclass
class PlannedChannel:
    """A push channel as it will be created: its kind's plain values, and its secrets."""

    kind: str
    name: str
    enabled: bool
    values: dict[str, str]
    # Never shown: stored encrypted, like the email password.
    secrets: dict[str, str]
    trust: str = "verify"
    ca_certificates: str = ""
    # The category names it is limited to; None for every reminder.
    categories: list[str] | None = None


@dataclass
class PlannedTwoFactor:
    """An authenticator secret already in the user's app, and the recovery codes left."""

    secret: str
    recovery_codes: list[str] = field(default_factory=list)


@dataclass
class PlannedRate:
    """An exchange rate: units of a currency per unit of the main one."""

    per_main: Decimal
    as_of: datetime.date | None = None
    source: str = "manual"


@dataclass
class ImportPlan:
    """Everything one file brings into an account, and what the reader noticed."""

    source: str
    subscriptions: list[PlannedSubscription] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    payment_methods: list[str] = field(default_factory=list)
    household: list[PlannedMember] = field(default_factory=list)
    # The account's own settings (main currency, time zone…), by User attribute.
    account: dict[str, Any] = field(default_factory=dict)
    rates: dict[str, PlannedRate] = field(default_factory=dict)
    # Email settings by EmailSettings attribute; None when the file has none.
    email: dict[str, Any] | None = None
    # Secrets in plain text, by name ("password", "client_secret"); never shown.
    secrets: dict[str, str] = field(default_factory=dict)
    channels: list[PlannedChannel] = field(default_factory=list)
    # Two-factor sign-in as the source had it on; never shown.
    two_factor: PlannedTwoFactor | None = None
    # Delivery records of a Dues export, each naming its subscription's ref.
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Questions the user must answer before the import can run, by form field name.
    questions: dict[str, str] = field(default_factory=dict)
