"""The ECB's daily reference rates: fetched, parsed, and turned into an account's rates.

The feed is free and needs no key: one XML document of euro rates, published on
working days around 16:00 CET. Pure: no Flask, no database.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import requests

FEED_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
_MAX_BYTES = 256 * 1024  # the real feed is about 1.5 kB
_CUBE = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}Cube"


class FeedUnavailable(Exception):
    """The feed could not be fetched or read; the rates in hand stay."""


@dataclass(frozen=True)
class EuroRates:
    """Units of each currency per euro, on one day."""

    day: datetime.date
    per_euro: dict[str, Decimal]

    def per(self, main: str, currency: str) -> Decimal | None:
        """Units of currency per unit of main, crossed through the euro; None if unknown."""
        table = {**self.per_euro, "EUR": Decimal(1)}
        if main not in table or currency not in table:
            return None
        return table[currency] / table[main]


def parse(document: bytes) -> EuroRates:
    """Read the feed's XML; FeedUnavailable when it is not the ECB's format."""
    try:
        root = ElementTree.fromstring(document)
        days = [cube for cube in root.iter(_CUBE) if cube.get("time")]
        day = days[0]
        rates = {
            str(cube.get("currency")): Decimal(str(cube.get("rate")))
            for cube in day
            if cube.get("currency")
        }
        return EuroRates(datetime.date.fromisoformat(str(day.get("time"))), rates)
    except (ElementTree.ParseError, IndexError, ValueError, InvalidOperation) as exc:
        raise FeedUnavailable(f"not the ECB's rates feed: {exc}") from exc


def fetch(url: str = FEED_URL, timeout: float = 15) -> EuroRates:
    """Fetch and parse the feed; FeedUnavailable when the server has no internet, say."""
    try:
        with requests.get(url, timeout=timeout, stream=True) as response:
            response.raise_for_status()
            document = response.raw.read(_MAX_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise FeedUnavailable(f"the ECB's feed could not be fetched: {exc}") from exc
    if len(document) > _MAX_BYTES:
        raise FeedUnavailable("the ECB's feed is far larger than it should be")
    return parse(document)
