"""What the subscription list shows: search, filters and order, all kept in the URL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from models import Subscription

SORTS: dict[str, tuple[Any, Callable[[Subscription], Any]]] = {
    "next": (_l("Next payment"), lambda s: (s.next_payment, s.name.lower())),
    "name": (_l("Name"), lambda s: s.name.lower()),
    "price": (_l("Price"), lambda s: (-s.price, s.name.lower())),
    "monthly": (_l("Monthly cost"), lambda s: (-s.monthly_cost, s.name.lower())),
}
FILTERS = {"category": "category_id", "method": "payment_method_id", "payer": "payer_id"}
STATUSES = {
    "all": _l("Active and inactive"),
    "active": _l("Active only"),
    "inactive": _l("Inactive only"),
}


def _whole_number(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 10 else None


@dataclass(frozen=True)
class ListView:
    """One way of looking at the list, read from the query string; bad values are ignored."""

    search: str
    sort: str
    chosen: dict[str, int]
    status: str = "all"

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> ListView:
        """The view the URL asks for."""
        sort = args.get("sort", "next")
        chosen = {
            name: number
            for name in FILTERS
            if (number := _whole_number(args.get(name))) is not None
        }
        status = args.get("status", "all")
        return cls(
            args.get("q", "").strip()[:100],
            sort if sort in SORTS else "next",
            chosen,
            status if status in STATUSES else "all",
        )

    def shows(self, subscription: Subscription) -> bool:
        """Whether subscription passes the search and every filter."""
        if self.search and self.search.casefold() not in subscription.name.casefold():
            return False
        return all(
            getattr(subscription, FILTERS[name]) == number for name, number in self.chosen.items()
        )

    def apply(
        self, subscriptions: list[Subscription]
    ) -> tuple[list[Subscription], list[Subscription]]:
        """The active and the inactive subscriptions that pass, each in the chosen order."""
        shown = sorted((s for s in subscriptions if self.shows(s)), key=SORTS[self.sort][1])
        active = [s for s in shown if s.active] if self.status != "inactive" else []
        inactive = [s for s in shown if not s.active] if self.status != "active" else []
        return active, inactive
