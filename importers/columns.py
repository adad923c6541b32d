"""Model columns to JSON and back, each value checked against its column's type."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Column, String, Table
from sqlalchemy.orm import DeclarativeBase

from importers.errors import ImportRefused, unreadable_export


def columns(model: type[DeclarativeBase], leave_out: Collection[str]) -> list[Column[Any]]:
    """The model's columns a document carries, in table order."""
    table = model.__table__
    assert isinstance(table, Table)
    return [column for column in table.columns if column.key not in leave_out]


def to_json(value: object) -> Any:
    """A column value as JSON writes it: dates and times in ISO 8601, amounts as text."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_to_json(row: object, carried: list[Column[Any]]) -> dict[str, Any]:
    """The carried columns of a row, by name."""
    return {column.key: to_json(getattr(row, column.key)) for column in carried}


def _refused(where: str, key: str, expected: str) -> ImportRefused:
    return unreadable_export(f'{where} "{key}" should be {expected}')


def from_json(column: Column[Any], value: Any, where: str) -> Any:
    """The value for column; ImportRefused when the document holds the wrong type."""
    key, kind = column.key, column.type.python_type
    if value is None:
        if column.nullable:
            return None
        raise _refused(where, key, "set")
    if kind is bool:
        if not isinstance(value, bool):
            raise _refused(where, key, "true or false")
        return value
    if kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**31:
            raise _refused(where, key, "a whole number")
        return value
    if not isinstance(value, str):
        raise _refused(where, key, "text")
    if kind is str:
        length = column.type.length if isinstance(column.type, String) else None
        if length is not None and len(value) > length:
            raise _refused(where, key, f"at most {length} characters")
        return value
    try:
        if kind is Decimal:
            amount = Decimal(value)
            if not amount.is_finite() or amount.adjusted() > 12:
                raise InvalidOperation
            return amount
        if kind is datetime.datetime:
            moment = datetime.datetime.fromisoformat(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
        if kind is datetime.date:
            return datetime.date.fromisoformat(value)
    except (ValueError, InvalidOperation) as exc:
        raise _refused(where, key, f"a {kind.__name__}") from exc
    raise _refused(where, key, "something Dues stores")


def row_from_json(record: Any, carried: list[Column[Any]], where: str) -> dict[str, Any]:
    """The carried columns' values from a JSON object; missing keys take no value."""
    if not isinstance(record, Mapping):
        raise unreadable_export(f"{where} is not an object")
    return {c.key: from_json(c, record[c.key], where) for c in carried if c.key in record}
