"""The URL converter for a row's id: only numbers a database row can have match."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# The largest id SQLite and PostgreSQL's bigint hold; SQLite cannot even bind a larger one.
LARGEST_ROW_ID = 2**63 - 1


class RowId(IntegerConverter):
    """A positive integer that fits a database id; any other number is a 404."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=LARGEST_ROW_ID)
