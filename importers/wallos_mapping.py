"""One Wallos user's rows, mapped onto Dues: lists, subscriptions, email settings, rates."""

from __future__ import annotations

import sqlite3
from decimal import Decimal, InvalidOperation
from typing import Any

import logos
from importers import wallos_values as values
from importers.errors import ImportRefused
from importers.plan import ImportPlan, PlannedMember, PlannedRate, PlannedSubscription
from importers.wallos_channels import plan_wallos_channels
from importers.wallos_database import user_rows
from importers.wallos_two_factor import plan_wallos_two_factor
from localization import per_cycle
from models import CycleUnit
from translations import _

# Wallos's cycles table: id → (Dues unit, label). 5 is "One-time": paid once, never renewed.
CYCLES = {
    1: (CycleUnit.DAY, "day"),
    2: (CycleUnit.WEEK, "week"),
    3: (CycleUnit.MONTH, "month"),
    4: (CycleUnit.YEAR, "year"),
}
ONE_TIME = 5
NO_CATEGORY = "No category"  # Wallos's placeholder, seeded as category 1 for every user
STOCK_ICONS = "images/uploads/icons/"
SECURITY = {"none": "none", "tls": "tls", "ssl": "ssl"}


def _cycle(row: sqlite3.Row, name: str, warnings: list[str]) -> tuple[str, int, bool, str] | None:
    """Dues' unit, every-N and auto-renew for a row, and how Wallos wrote the cycle."""
    cycle, frequency = row["cycle"], row["frequency"]
    if cycle == ONE_TIME:
        return CycleUnit.MONTH.value, 1, False, _("one-time")
    if cycle not in CYCLES or not isinstance(frequency, int) or not 1 <= frequency <= 365:
        warnings.append(
            _(
                "“%(name)s”: the cycle (%(cycle)s, every %(frequency)s) is unknown; left out.",
                name=name,
                cycle=repr(cycle),
                frequency=repr(frequency),
            )
        )
        return None
    unit, _label = CYCLES[cycle]
    every = _("every %(cycle)s", cycle=per_cycle(frequency, unit.value))
    return (
        unit.value,
        frequency,
        bool(row["auto_renew"] if row["auto_renew"] is not None else 1),
        every,
    )


def _offsets(row: sqlite3.Row) -> str:
    """Wallos's notify_days_before: NULL (notify off) or -1 mean the default, else N days."""
    days = row["notify_days_before"]
    return str(days) if isinstance(days, int) and 0 <= days <= 366 else ""


def _logo(row: sqlite3.Row, name: str, found: dict[str, bytes] | None,
          warnings: list[str]) -> tuple[bytes, str] | None:  # fmt: skip
    file_name = str(row["logo"] or "")
    if not file_name or found is None:
        return None
    data = found.get(file_name.rsplit("/", 1)[-1])
    if data is None:
        warnings.append(
            _(
                "“%(name)s”: its logo %(file)s is not in the backup; Dues shows initials.",
                name=name,
                file=file_name[:60],
            )
        )
        return None
    try:
        return logos.prepared(data)
    except logos.LogoRefused as exc:
        raise ImportRefused(
            _(
                "The logo of “%(name)s” (%(file)s) is refused: %(reason)s",
                name=name,
                file=file_name[:60],
                reason=exc,
            )
        ) from exc


class _Reader:
    """The rows of one Wallos user, and the names and codes their ids stand for."""

    def __init__(self, connection: sqlite3.Connection, user_id: int, plan: ImportPlan):
        self.plan = plan
        warn = plan.warnings
        user = connection.execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()
        if user is None:
            raise ImportRefused(_("That Wallos user is not in the database."))
        self.username = str(user["username"])
        self.currencies = {r["id"]: r for r in user_rows(connection, "currencies", user_id)}
        main = self.currencies.get(user["main_currency"])
        self.main_currency = str(main["code"]) if main is not None else "EUR"
        self.categories = {
            r["id"]: values.clipped(values.unescaped(r["name"]), 50, "A category name", warn)
            for r in user_rows(connection, "categories", user_id, '"order", id')
        }
        self.methods = user_rows(connection, "payment_methods", user_id, '"order", id')
        self.method_names = {
            r["id"]: values.clipped(values.unescaped(r["name"]), 50, "A payment method", warn)
            for r in self.methods
        }
        household = user_rows(connection, "household", user_id)
        # The first household row is the user themself: "paid by me" in Dues.
        self.me = household[0]["id"] if household else None
        self.members = {
            r["id"]: PlannedMember(
                values.clipped(values.unescaped(r["name"]), 50, _("A household name"), warn),
                values.clipped(str(r["email"] or "").strip(), 254, _("A household email"), warn),
            )
            for r in household[1:]
        }

    def currency(self, currency_id: Any, name: str) -> str:
        row = self.currencies.get(currency_id)
        code = str(row["code"]) if row is not None else ""
        if len(code) != 3 or not code.isalpha():
            self.plan.warnings.append(
                _(
                    "“%(name)s”: its currency is unknown; it is counted in %(currency)s.",
                    name=name,
                    currency=self.main_currency,
                )
            )
            return self.main_currency
        return code.upper()

    def rates(self, used: set[str]) -> dict[str, PlannedRate]:
        try:
            rates = {str(r["code"]): Decimal(str(r["rate"])) for r in self.currencies.values()}
        except InvalidOperation:
            rates = {}
        if not rates or all(rate == 1 for rate in rates.values()):
            self.plan.warnings.append(
                _(
                    "Wallos's exchange rates are all 1, which means it never fetched any (that"
                    " needs a Fixer API key). They are not imported; set them under Money."
                )
            )
            return {}
        return {
            code: PlannedRate(rate)
            for code, rate in rates.items()
            if code in used and code != self.main_currency and rate.is_finite() and rate > 0
        }


def _subscription(row: sqlite3.Row, reader: _Reader, ref_prefix: str,
                  found_logos: dict[str, bytes] | None) -> PlannedSubscription | None:  # fmt: skip
    warn = reader.plan.warnings
    name = values.clipped(values.unescaped(row["name"]).strip(), 100, _("A name"), warn) or "?"
    amount = values.price(row["price"], name, warn)
    cycle = _cycle(row, name, warn)
    next_payment = values.date(
        row["next_payment"], _("“%(name)s”: the next payment", name=name), warn
    )
    if next_payment is None:
        warn.append(_("“%(name)s”: it has no next payment date; left out.", name=name))
    if amount is None or cycle is None or next_payment is None:
        return None
    unit, every, auto_renew, label = cycle
    category = reader.categories.get(row["category_id"])
    member = reader.members.get(row["payer_user_id"])
    replacement = row["replacement_subscription_id"]
    return PlannedSubscription(
        ref=f"{ref_prefix}{row['id']}",
        name=name,
        price=amount,
        currency=reader.currency(row["currency_id"], name),
        cycle_every=every,
        cycle_unit=unit,
        cycle_label=label,
        next_payment=next_payment,
        start_date=values.date(row["start_date"], _("“%(name)s”: the start date", name=name), warn),
        auto_renew=auto_renew,
        category=None if category in (None, NO_CATEGORY) else category,
        payment_method=reader.method_names.get(row["payment_method_id"]),
        payer=member.name if member else None,
        active=not row["inactive"],
        notify=bool(row["notify"]),
        reminder_offsets=_offsets(row),
        cancellation_date=values.date(
            row["cancellation_date"], _("“%(name)s”: the cancellation date", name=name), warn
        ),
        url=values.web_address(values.unescaped(row["url"]), name, warn),
        notes=values.unescaped(row["notes"]),
        logo=_logo(row, name, found_logos, warn),
        replaced_by=f"{ref_prefix}{replacement}" if replacement else None,
    )


def _email(connection: sqlite3.Connection, user_id: int, plan: ImportPlan) -> None:
    settings: dict[str, Any] = {}
    # Wallos reads a user's first row, should a race have left two: so does Dues.
    days = user_rows(connection, "notification_settings", user_id)
    if days and isinstance(days[0]["days"], int) and 0 <= days[0]["days"] <= 366:
        settings["default_offsets"] = str(days[0]["days"])
    rows = user_rows(connection, "email_notifications", user_id)
    row = rows[0] if rows else None
    if row is not None and str(row["smtp_address"] or "").strip():
        encryption = str(row["encryption"] or "")
        if encryption not in SECURITY:
            plan.warnings.append(
                _(
                    "Wallos's encryption %(encryption)s is unknown; Dues uses TLS.",
                    encryption=repr(encryption[:20]),
                )
            )
        port = row["smtp_port"]
        if not isinstance(port, int) or not 1 <= port <= 65535:
            plan.warnings.append(
                _("Wallos's port %(port)s is not a port; Dues uses 587.", port=repr(str(port)[:20]))
            )
            port = 587
        settings |= {
            "enabled": bool(row["enabled"]),
            "host": values.clipped(
                str(row["smtp_address"]).strip(), 253, _("The SMTP host"), plan.warnings
            ),
            "port": port,
            # None stays None: Dues never upgrades a plain connection by itself.
            "security": SECURITY.get(encryption, "tls"),
            "verify_certificate": True,
            "username": values.clipped(
                str(row["smtp_username"] or ""), 254, _("The SMTP username"), plan.warnings
            ),
            "from_email": values.clipped(
                str(row["from_email"] or "").strip(), 254, _("The From address"), plan.warnings
            ),
            "other_recipients": str(row["other_emails"] or ""),
            "auth_method": "password",
        }
        if row["smtp_password"]:
            plan.secrets["password"] = str(row["smtp_password"])
    plan.email = settings or None


def plan_from_wallos(connection: sqlite3.Connection, user_id: int, source: str,
                     found_logos: dict[str, bytes] | None) -> ImportPlan:  # fmt: skip
    """What importing this Wallos user brings; found_logos is None without a backup zip."""
    plan = ImportPlan(source=source)
    reader = _Reader(connection, user_id, plan)
    ref_prefix = f"wallos:{reader.username[:40]}/"
    rows = user_rows(connection, "subscriptions", user_id)
    for row in rows:
        if (planned := _subscription(row, reader, ref_prefix, found_logos)) is not None:
            plan.subscriptions.append(planned)
    plan.categories = [name for name in reader.categories.values() if name != NO_CATEGORY]
    used_methods = {s.payment_method for s in plan.subscriptions}
    plan.payment_methods = [
        reader.method_names[row["id"]]
        for row in reader.methods
        if reader.method_names[row["id"]] in used_methods
        or (row["enabled"] and not str(row["icon"] or "").startswith(STOCK_ICONS))
    ]
    plan.household = list(reader.members.values())
    plan.account = {"currency": reader.main_currency}
    plan.rates = reader.rates({s.currency for s in plan.subscriptions})
    _email(connection, user_id, plan)
    plan_wallos_channels(connection, user_id, plan)
    plan_wallos_two_factor(connection, user_id, plan)
    if found_logos is None and any(row["logo"] for row in rows):
        plan.warnings.append(
            _("Logos live beside the database, so they come only with the backup zip.")
        )
    return plan
