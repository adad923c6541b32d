"""Wallos's stored values, undone: escaped text, float prices, loose dates and addresses."""

from __future__ import annotations

import datetime
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from translations import _
from views.subscription_form import EARLIEST_DATE, LATEST_DATE

# What PHP's htmlspecialchars writes (ENT_QUOTES), and nothing else: Wallos's own
# seeded rows hold a bare "&", which must stay as it is.
_ESCAPED = {"&amp;": "&", "&quot;": '"', "&#039;": "'", "&#39;": "'", "&lt;": "<", "&gt;": ">"}
_ESCAPE = re.compile("|".join(map(re.escape, _ESCAPED)))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CENT = Decimal("0.01")
_MAX_PRICE = Decimal(10**9)

# Wallos's stock currencies: code, symbol.
STOCK_CURRENCIES = (
    ("EUR", "€"), ("USD", "$"), ("JPY", "¥"), ("BGN", "лв"), ("CZK", "Kč"), ("DKK", "kr"),
    ("GBP", "£"), ("HUF", "Ft"), ("PLN", "zł"), ("RON", "lei"), ("SEK", "kr"), ("CHF", "Fr"),
    ("ISK", "kr"), ("NOK", "kr"), ("RUB", "₽"), ("TRY", "₺"), ("AUD", "$"), ("BRL", "R$"),
    ("CAD", "$"), ("CNY", "¥"), ("HKD", "HK$"), ("IDR", "Rp"), ("ILS", "₪"), ("INR", "₹"),
    ("KRW", "₩"), ("MXN", "Mex$"), ("MYR", "RM"), ("NZD", "NZ$"), ("PHP", "₱"), ("SGD", "S$"),
    ("THB", "฿"), ("ZAR", "R"), ("UAH", "₴"),
)  # fmt: skip


def codes_for_symbol(symbol: str) -> list[str]:
    """The stock currencies written with symbol: one, several ($, ¥, kr), or none."""
    return [code for code, stock_symbol in STOCK_CURRENCIES if stock_symbol == symbol]


def unescaped(value: object) -> str:
    """Text as the user typed it: htmlspecialchars undone once, control characters dropped."""
    text = "" if value is None else str(value)
    text = _ESCAPE.sub(lambda match: _ESCAPED[match.group(0)], text)
    return _CONTROL.sub("", text)


def clipped(text: str, limit: int, what: str, warnings: list[str]) -> str:
    """text, cut to limit characters with a warning if it is longer."""
    if len(text) <= limit:
        return text
    warnings.append(
        _("%(what)s is longer than %(num)d characters; it is cut short.", what=what, num=limit)
    )
    return text[:limit]


def price(value: object, name: str, warnings: list[str]) -> Decimal | None:
    """A Wallos float price as exact cents, or None (with a warning) when unusable."""
    try:
        # repr gives the shortest text that is this float: 89.9, not 89.900000000000006.
        amount = Decimal(value if isinstance(value, str) else repr(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError, InvalidOperation):
        amount = Decimal("NaN")
    if not amount.is_finite() or not 0 <= amount <= _MAX_PRICE:
        warnings.append(
            _(
                "“%(name)s”: the price %(price)s is not an amount Dues keeps; left out.",
                name=name,
                price=repr(value),
            )
        )
        return None
    cents = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    if cents != amount:
        warnings.append(
            _(
                "“%(name)s”: the price %(price)s is rounded to %(cents)s.",
                name=name,
                price=amount,
                cents=cents,
            )
        )
    return cents


def date(value: object, what: str, warnings: list[str]) -> datetime.date | None:
    """An ISO date, or None for Wallos's empty ones ('' or NULL); a warning for the rest."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        parsed = None
    if parsed is None or not EARLIEST_DATE <= parsed <= LATEST_DATE:
        warnings.append(
            _(
                "%(what)s: %(value)s is not a date Dues can read; left empty.",
                what=what,
                value=repr(str(value)[:40]),
            )
        )
        return None
    return parsed


def web_address(value: str, name: str, warnings: list[str]) -> str:
    """An http(s) address: a bare domain gets https://, other schemes are dropped."""
    address = value.strip()
    if not address:
        return ""
    if re.match(r"^https?://", address, re.IGNORECASE):
        return clipped(address, 500, _("“%(name)s”: the web address", name=name), warnings)
    if re.match(r"^[A-Za-z][A-Za-z0-9+-]*:", address):
        warnings.append(
            _(
                "“%(name)s”: the web address %(address)s is not http(s); left out.",
                name=name,
                address=repr(address[:60]),
            )
        )
        return ""
    return clipped("https://" + address, 500, _("“%(name)s”: the web address", name=name), warnings)
