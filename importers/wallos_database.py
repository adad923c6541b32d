"""Reading a Wallos database: a copy opened read-only, checked to be Wallos's, then mapped.

The column names and meanings are Wallos v5.4.4's (its creation script and
migrations); NOTES in the README's import section say what maps to what.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from importers.errors import ImportRefused
from translations import _

# What Dues reads, by table; a database without these columns is not Wallos's.
REQUIRED_COLUMNS = {
    "user": {"id", "username", "email", "main_currency"},
    "subscriptions": {
        "id", "name", "logo", "price", "currency_id", "next_payment", "cycle", "frequency",
        "notes", "payment_method_id", "payer_user_id", "category_id", "notify", "url",
        "inactive", "notify_days_before", "user_id", "cancellation_date",
        "replacement_subscription_id", "start_date", "auto_renew",
    },
    "currencies": {"id", "code", "symbol", "rate", "user_id"},
    "categories": {"id", "name", "order", "user_id"},
    "payment_methods": {"id", "name", "icon", "enabled", "order", "user_id"},
    "household": {"id", "name", "email", "user_id"},
    "email_notifications": {
        "enabled", "smtp_address", "smtp_port", "smtp_username", "smtp_password",
        "from_email", "encryption", "other_emails", "user_id",
    },
    "notification_settings": {"days", "user_id"},
}  # fmt: skip


@dataclass(frozen=True)
class WallosUser:
    """One of the users a Wallos database holds."""

    id: int
    username: str
    email: str
    subscriptions: int


def _check_schema(connection: sqlite3.Connection) -> None:
    (status,) = connection.execute("PRAGMA quick_check").fetchone()
    if status != "ok":
        raise ImportRefused(_("The database file is damaged or cut short."))
    for table, columns in REQUIRED_COLUMNS.items():
        found = {
            row[1] for row in connection.execute("SELECT * FROM pragma_table_info(?)", (table,))
        }
        if not found:
            raise ImportRefused(
                _("This SQLite database is not Wallos's: it has no “%(table)s” table.", table=table)
            )
        if missing := sorted(columns - found):
            raise ImportRefused(
                _(
                    "This SQLite database is not a Wallos database Dues knows: the “%(table)s” "
                    "table lacks %(columns)s. Update Wallos, then back up again.",
                    table=table,
                    columns=", ".join(missing),
                )
            )


@contextmanager
def opened_copy(database: bytes) -> Iterator[sqlite3.Connection]:
    """The uploaded database, copied to a private temporary file and opened read-only."""
    with tempfile.TemporaryDirectory(prefix="dues-import-") as folder:
        path = Path(folder) / "wallos.db"
        path.write_bytes(database)
        path.chmod(0o400)
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        connection.row_factory = sqlite3.Row
        try:
            # Nothing in an uploaded schema (views, triggers) may run functions of ours.
            connection.execute("PRAGMA trusted_schema = OFF")
            _check_schema(connection)
            yield connection
        except sqlite3.DatabaseError as exc:
            raise ImportRefused(_("The database file is damaged or cut short.")) from exc
        finally:
            connection.close()


def user_rows(connection: sqlite3.Connection, table: str, user_id: int,
              order: str = "rowid") -> list[sqlite3.Row]:  # fmt: skip
    """The rows of one of Wallos's tables that belong to the user, in order."""
    query = f'SELECT * FROM "{table}" WHERE user_id = ? ORDER BY {order}'  # noqa: S608 - fixed names
    return connection.execute(query, (user_id,)).fetchall()


def wallos_users(connection: sqlite3.Connection) -> list[WallosUser]:
    """The users in the database, each with how many subscriptions they have."""
    rows = connection.execute(
        "SELECT user.id, user.username, user.email,"
        " (SELECT count(*) FROM subscriptions WHERE subscriptions.user_id = user.id)"
        " FROM user ORDER BY user.id"
    ).fetchall()
    if not rows:
        raise ImportRefused(_("The Wallos database holds no user."))
    return [WallosUser(int(row[0]), str(row[1]), str(row[2] or ""), int(row[3])) for row in rows]
