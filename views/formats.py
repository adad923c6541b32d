"""Amounts as the account's locale writes them: "€12.99", "12,99 €", "¥1,234"."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency
from flask_login import current_user

# The formats an account can choose; the languages to come use the same codes.
LOCALES = {
    "en": "English (United States): €1,234.50",
    "en_GB": "English (United Kingdom): €1,234.50",
    "de": "Deutsch: 1.234,50 €",
    "es": "Español: 1234,50 €",
    "fr": "Français: 1 234,50 €",
    "zh_Hans": "简体中文: €1,234.50",
}


def account_locale() -> str:
    """The logged-in account's locale; English before log-in."""
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    return "en"


def money(amount: Decimal, currency: str) -> str:
    """amount in currency, with the symbol, separators and decimals of the account's locale."""
    return str(format_currency(amount, currency, locale=account_locale()))
