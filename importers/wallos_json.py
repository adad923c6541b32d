"""Reading Wallos's JSON export (Profile → Export): lossy, so the preview says what is lost.

It has no ids, no currency codes (a price is "$12.5", and "$" is three
currencies), no start dates and no notify days; commas in text became spaces.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from importers import wallos_values as values
from importers.errors import ImportRefused
from importers.plan import ImportPlan, PlannedMember, PlannedSubscription
from importers.wallos_mapping import NO_CATEGORY
from models import CycleUnit
from translations import _

REQUIRED_KEYS = ("Name", "Payment Cycle", "Next Payment", "Price")
_UNITS = {"day": CycleUnit.DAY, "week": CycleUnit.WEEK, "month": CycleUnit.MONTH,
          "year": CycleUnit.YEAR}  # fmt: skip
_PLAIN = {"daily": (1, "day"), "weekly": (1, "week"), "monthly": (1, "month"),
          "yearly": (1, "year")}  # fmt: skip
_EVERY = re.compile(r"^every\s+(\d{1,3})\s+(day|week|month|year)s?$", re.IGNORECASE)
_PRICE = re.compile(r"^(?P<symbol>\D*?)\s*(?P<amount>\d+(?:\.\d+)?)\s*$")


def _losses() -> str:
    return _(
        "Wallos's JSON export has no currency codes, no start dates and no per-subscription"
        " reminder days, and it turned commas into spaces. The backup zip (Admin → Backup)"
        " has all of it, with logos and email settings: import that if you can."
    )


def _rows(document: Any) -> list[dict[str, str]]:
    rows = document.get("subscriptions") if isinstance(document, dict) else document
    if not isinstance(rows, list):
        raise ImportRefused(_("The JSON document is not a list of subscriptions."))
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ImportRefused(
                _("Entry %(num)d of the JSON document is not a subscription.", num=number)
            )
        if missing := [key for key in REQUIRED_KEYS if key not in row]:
            raise ImportRefused(
                _("Entry %(num)d lacks %(keys)s.", num=number, keys=", ".join(missing))
            )
        for key, value in row.items():
            if value is not None and not isinstance(value, str | int | float):
                raise ImportRefused(
                    _(
                        "Entry %(num)d: “%(key)s” should be text, not %(kind)s.",
                        num=number,
                        key=key,
                        kind=type(value).__name__,
                    )
                )
    return rows


def _text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return "" if value is None else values.unescaped(value).strip()


def _price(row: dict[str, Any]) -> tuple[str, str]:
    match = _PRICE.match(_text(row, "Price"))
    return (match["symbol"], match["amount"]) if match else ("", "")


def currency_questions(document: Any, account_currency: str) -> dict[str, tuple[list[str], str]]:
    """For each price symbol that does not name one currency: its candidates and a default."""
    questions: dict[str, tuple[list[str], str]] = {}
    for row in _rows(document):
        symbol = _price(row)[0]
        candidates = values.codes_for_symbol(symbol)
        if len(candidates) != 1 and symbol not in questions:
            options = candidates or [code for code, _ in values.STOCK_CURRENCIES]
            questions[symbol] = (options, account_currency if account_currency in options else "")
    return questions


def _cycle(text: str) -> tuple[str, int, bool] | None:
    if text.lower() in ("one-time", "one time", "once"):
        return CycleUnit.MONTH.value, 1, False
    if text.lower() in _PLAIN:
        every, unit = _PLAIN[text.lower()]
        return _UNITS[unit].value, every, True
    if (match := _EVERY.match(text)) and 1 <= int(match[1]) <= 365:
        return _UNITS[match[2].lower()].value, int(match[1]), True
    return None


def _ref(row: dict[str, Any], seen: dict[str, int]) -> str:
    key = "|".join(_text(row, k) for k in ("Name", "Payment Cycle", "Price", "Category", "Paid By"))
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    seen[digest] = seen.get(digest, 0) + 1
    return f"wallos-json:{digest}" + (f":{seen[digest]}" if seen[digest] > 1 else "")


def plan_from_wallos_json(document: Any, answers: Mapping[str, str], me: str) -> ImportPlan:
    """What importing the export brings; answers give the currency of each unclear symbol."""
    plan = ImportPlan(source="Wallos JSON export", warnings=[_losses()])
    warn = plan.warnings
    seen: dict[str, int] = {}
    categories: dict[str, None] = {}
    methods: dict[str, None] = {}
    members: dict[str, None] = {}
    for row in _rows(document):
        name = values.clipped(_text(row, "Name"), 100, _("A name"), warn) or "?"
        symbol, amount_text = _price(row)
        codes = values.codes_for_symbol(symbol)
        currency = codes[0] if len(codes) == 1 else answers.get(symbol, "")
        if not currency:
            plan.questions[symbol] = (
                _("Which currency is %(symbol)s?", symbol=symbol)
                if symbol
                else _("Which currency is a price without a symbol?")
            )
        amount = values.price(amount_text or "NaN", name, warn)
        cycle = _cycle(_text(row, "Payment Cycle"))
        if cycle is None:
            warn.append(
                _(
                    "“%(name)s”: the cycle %(cycle)s is unknown; left out.",
                    name=name,
                    cycle=repr(_text(row, "Payment Cycle")[:40]),
                )
            )
        next_payment = values.date(
            _text(row, "Next Payment"), _("“%(name)s”: the next payment", name=name), warn
        )
        if amount is None or cycle is None or next_payment is None:
            continue
        category, method, payer = (
            _text(row, k)[:50] for k in ("Category", "Payment Method", "Paid By")
        )
        for found, names in ((category, categories), (method, methods)):
            if found and found != NO_CATEGORY:
                names[found] = None
        if payer and payer != me:
            members[payer] = None
        unit, every, auto_renew = cycle
        plan.subscriptions.append(
            PlannedSubscription(
                ref=_ref(row, seen),
                name=name,
                price=amount,
                currency=currency,
                cycle_every=every,
                cycle_unit=unit,
                cycle_label=_text(row, "Payment Cycle"),
                next_payment=next_payment,
                auto_renew=auto_renew and _text(row, "Renewal").lower() != "manual",
                category=category if category and category != NO_CATEGORY else None,
                payment_method=method or None,
                payer=payer if payer and payer != me else None,
                active=_text(row, "Active").lower() != "no"
                and _text(row, "State").lower() != "disabled",
                notify=_text(row, "Notifications").lower() != "disabled",
                cancellation_date=values.date(
                    _text(row, "Cancellation Date"),
                    _("“%(name)s”: the cancellation date", name=name),
                    warn,
                ),
                url=values.web_address(_text(row, "URL"), name, warn),
                notes=_text(row, "Notes"),
            )
        )
    plan.categories, plan.payment_methods = list(categories), list(methods)
    plan.household = [PlannedMember(name) for name in members]
    return plan
