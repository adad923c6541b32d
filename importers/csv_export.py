"""The subscriptions as CSV: RFC 4180 (fields quoted where needed, CRLF), UTF-8 with a BOM.

Text that a spreadsheet would run as a formula (=, +, -, @) starts with a quote.
"""

from __future__ import annotations

import csv
import io

from models import Subscription

HEADER = (
    "Name", "Price", "Currency", "Every", "Cycle", "Next payment", "Start date",
    "Renews automatically", "Category", "Payment method", "Paid by", "Active", "Notify",
    "Remind (days before)", "Cancellation date", "Website", "Notes",
)  # fmt: skip


def _text(value: str) -> str:
    """Text a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def subscriptions_csv(subscriptions: list[Subscription]) -> bytes:
    """The subscriptions as a CSV file a spreadsheet program opens as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for s in subscriptions:
        writer.writerow(
            (
                _text(s.name), s.price, s.currency, s.cycle_every, s.cycle_unit, s.next_payment,
                s.start_date or "", _yes(s.auto_renew),
                _text(s.category.name) if s.category else "",
                _text(s.payment_method.name) if s.payment_method else "",
                _text(s.payer.name) if s.payer else "", _yes(s.active), _yes(s.notify),
                s.reminder_offsets, s.cancellation_date or "", _text(s.url), _text(s.notes),
            )
        )  # fmt: skip
    return out.getvalue().encode("utf-8-sig")
