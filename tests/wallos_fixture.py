"""Wallos-shaped files for the importer's tests, written the way Wallos v5.4.4 writes them.

The schema is made as a Wallos database gets it: the creation script's tables,
then the migrations' ALTER TABLE and CREATE TABLE statements in their order, so
columns sit where ADD COLUMN put them. Rows are written as Wallos's endpoints
write them: user text through htmlspecialchars, prices as floats, dates as text
('' from the form, NULL from the API), start_date as ISO text in an INTEGER
column, notify_days_before -1 for "the default". Seeded rows are not escaped.
"""

from __future__ import annotations

import html
import io
import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image

CREATION = [
    "CREATE TABLE user (id INTEGER PRIMARY KEY, username TEXT NOT NULL, email TEXT NOT NULL,"
    " password TEXT NOT NULL, main_currency INTEGER NOT NULL, avatar TEXT,"
    " FOREIGN KEY(main_currency) REFERENCES currencies(id))",
    "CREATE TABLE payment_methods (id INTEGER PRIMARY KEY, name TEXT NOT NULL, icon TEXT)",
    "CREATE TABLE subscriptions (id INTEGER PRIMARY KEY, name TEXT NOT NULL, logo TEXT,"
    " price REAL NOT NULL, currency_id INTEGER, next_payment DATE, cycle INTEGER,"
    " frequency INTEGER, notes TEXT, payment_method_id INTEGER, payer_user_id INTEGER,"
    " category_id INTEGER, notify BOOLEAN DEFAULT false)",
    "CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "CREATE TABLE currencies (id INTEGER PRIMARY KEY, name TEXT NOT NULL, symbol TEXT NOT NULL,"
    " code TEXT NOT NULL, rate TEXT NOT NULL)",
    "CREATE TABLE household (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    "CREATE TABLE cycles (id INTEGER PRIMARY KEY, days INTEGER NOT NULL, name TEXT NOT NULL)",
    "CREATE TABLE frequencies (id INTEGER PRIMARY KEY, name INTEGER NOT NULL)",
    "CREATE TABLE fixer (api_key TEXT NOT NULL)",
    "CREATE TABLE last_exchange_update (date DATE NOT NULL)",
    "CREATE TABLE notifications (id INTEGER PRIMARY KEY, enabled BOOLEAN DEFAULT false,"
    " days INTEGER, smtp_address VARCHAR(255), smtp_port INTEGER, smtp_username VARCHAR(255),"
    " smtp_password VARCHAR(255))",
]
MIGRATIONS = [
    "CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, migration TEXT NOT NULL,"
    " migrated_at DATETIME DEFAULT CURRENT_TIMESTAMP)",
    "ALTER TABLE payment_methods ADD COLUMN enabled BOOLEAN DEFAULT 1",
    "ALTER TABLE notifications ADD COLUMN from_email VARCHAR(255)",
    "ALTER TABLE subscriptions ADD COLUMN url VARCHAR(255)",
    "ALTER TABLE user ADD COLUMN language TEXT DEFAULT 'en'",
    "ALTER TABLE subscriptions ADD COLUMN inactive BOOLEAN DEFAULT false",
    "ALTER TABLE household ADD COLUMN email TEXT DEFAULT ''",
    "ALTER TABLE categories ADD COLUMN `order` INTEGER DEFAULT 0",
    "ALTER TABLE payment_methods ADD COLUMN `order` INTEGER DEFAULT 0",
    "ALTER TABLE notifications ADD COLUMN `encryption` TEXT DEFAULT 'tls'",
    "CREATE TABLE IF NOT EXISTS email_notifications (enabled BOOLEAN DEFAULT 0,"
    " smtp_address TEXT DEFAULT '', smtp_port INTEGER DEFAULT 587, smtp_username TEXT DEFAULT '',"
    " smtp_password TEXT DEFAULT '', from_email TEXT DEFAULT '', encryption TEXT DEFAULT 'tls')",
    "CREATE TABLE IF NOT EXISTS notification_settings (days INTEGER DEFAULT 0)",
    "DROP TABLE IF EXISTS notifications",
    "ALTER TABLE user ADD COLUMN budget INTEGER DEFAULT 0",
    "ALTER TABLE subscriptions ADD COLUMN notify_days_before INTEGER DEFAULT 0",
    *(
        f"ALTER TABLE {table} ADD COLUMN user_id INTEGER DEFAULT 1"
        for table in (
            "payment_methods",
            "subscriptions",
            "categories",
            "currencies",
            "fixer",
            "household",
            "notification_settings",
            "email_notifications",
            "last_exchange_update",
        )
    ),  # fmt: skip
    "ALTER TABLE subscriptions ADD COLUMN cancellation_date DATE",
    "ALTER TABLE email_notifications ADD COLUMN other_emails TEXT DEFAULT ''",
    "ALTER TABLE user ADD COLUMN totp_enabled BOOLEAN DEFAULT 0",
    "CREATE TABLE IF NOT EXISTS totp (user_id INTEGER NOT NULL, totp_secret TEXT NOT NULL,"
    " backup_codes TEXT NOT NULL, last_totp_used INTEGER DEFAULT 0,"
    " FOREIGN KEY(user_id) REFERENCES user(id))",
    "ALTER TABLE user ADD COLUMN api_key TEXT",
    "ALTER TABLE subscriptions ADD COLUMN replacement_subscription_id INTEGER DEFAULT NULL",
    "ALTER TABLE subscriptions ADD COLUMN start_date INTEGER DEFAULT NULL",
    "ALTER TABLE subscriptions ADD COLUMN auto_renew INTEGER DEFAULT 1",
    "ALTER TABLE user ADD COLUMN firstname TEXT DEFAULT ''",
    "ALTER TABLE user ADD COLUMN lastname TEXT DEFAULT ''",
    "INSERT OR IGNORE INTO cycles (id, days, name) VALUES (5, 0, 'One-time')",
    "ALTER TABLE subscriptions ADD COLUMN logo_text_color TEXT DEFAULT NULL",
    "ALTER TABLE subscriptions ADD COLUMN logo_variant TEXT DEFAULT NULL",
    # The push channels' tables, one row per user and service, as their migrations leave them.
    "CREATE TABLE telegram_notifications (enabled INTEGER DEFAULT 0, bot_token TEXT DEFAULT '',"
    " chat_id TEXT DEFAULT '', user_id INTEGER DEFAULT 1)",
    "CREATE TABLE pushover_notifications (enabled INTEGER DEFAULT 0, user_key TEXT DEFAULT '',"
    " token TEXT DEFAULT '', user_id INTEGER DEFAULT 1)",
    "CREATE TABLE discord_notifications (enabled INTEGER DEFAULT 0, webhook_url TEXT DEFAULT '',"
    " bot_username TEXT DEFAULT '', bot_avatar_url TEXT DEFAULT '', user_id INTEGER DEFAULT 1)",
    "CREATE TABLE ntfy_notifications (enabled INTEGER DEFAULT 0, host TEXT DEFAULT '',"
    " topic TEXT DEFAULT '', headers TEXT DEFAULT '', user_id INTEGER,"
    " ignore_ssl INTEGER DEFAULT 0)",
    "CREATE TABLE gotify_notifications (enabled INTEGER DEFAULT 0, url TEXT DEFAULT '',"
    " token TEXT DEFAULT '', user_id INTEGER DEFAULT 1, ignore_ssl INTEGER DEFAULT 0)",
    "CREATE TABLE webhook_notifications (enabled INTEGER DEFAULT 0, headers TEXT DEFAULT '',"
    " url TEXT DEFAULT '', payload TEXT DEFAULT '', user_id INTEGER DEFAULT 1,"
    " request_method TEXT DEFAULT 'POST', iterator TEXT DEFAULT '', ignore_ssl INTEGER DEFAULT 0)",
    "CREATE TABLE pushplus_notifications (enabled INTEGER DEFAULT 0, token TEXT DEFAULT '',"
    " user_id INTEGER DEFAULT 1)",
]
SEEDED_CATEGORIES = (
    "No category", "Entertainment", "Music", "Utilities", "Food & Beverages",
    "Health & Wellbeing", "Productivity", "Banking", "Transport", "Education", "Insurance",
    "Gaming", "News & Magazines", "Software", "Technology", "Cloud Services",
    "Charity & Donations",
)  # fmt: skip
SEEDED_METHODS = ("PayPal", "Credit Card", "Bank Transfer", "Direct Debit", "Money")
CURRENCIES = (
    ("Euro", "€", "EUR"), ("US Dollar", "$", "USD"), ("British Pound Sterling", "£", "GBP"),
    ("Swiss Franc", "Fr", "CHF"), ("Australian Dollar", "$", "AUD"),
    ("Canadian Dollar", "$", "CAD"), ("Japanese Yen", "¥", "JPY"),
)  # fmt: skip


def escaped(text: str) -> str:
    """What PHP's htmlspecialchars($text) stores (ENT_QUOTES | ENT_HTML401)."""
    return html.escape(text, quote=True).replace("&#x27;", "&#039;")


class WallosDatabase:
    """A Wallos database being written, one user at a time."""

    def __init__(self, path: Path):
        self.path = path
        self.db = sqlite3.connect(path)
        for statement in CREATION + MIGRATIONS:
            self.db.execute(statement)
        self.db.executemany(
            "INSERT INTO cycles (id, days, name) VALUES (?, ?, ?)",
            [(1, 1, "Daily"), (2, 7, "Weekly"), (3, 30, "Monthly"), (4, 365, "Yearly")],
        )
        self.db.executemany("INSERT INTO frequencies (id, name) VALUES (?, ?)",
                            [(n, n) for n in range(1, 32)])  # fmt: skip

    def insert(self, table: str, **values: Any) -> int:
        """Insert a row as Wallos's endpoints bind it; its id."""
        names = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join("?" for _ in values)
        cursor = self.db.execute(
            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', tuple(values.values())
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_user(
        self, username: str, main_code: str, rates: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """A user with Wallos's seeded lists and currencies; the ids by name and code."""
        email = f"{username}@example.test"
        user_id = self.insert("user", username=username, email=email, password="$2y$10$hash",
                              main_currency=0, api_key="k" * 64)  # fmt: skip
        ids: dict[str, Any] = {"user": user_id, "currency": {}, "category": {}, "method": {}}
        for name, symbol, code in CURRENCIES:
            rate = (rates or {}).get(code, "1")
            ids["currency"][code] = self.insert("currencies", name=name, symbol=symbol, code=code,
                                                rate=rate, user_id=user_id)  # fmt: skip
        self.db.execute("UPDATE user SET main_currency = ? WHERE id = ?",
                        (ids["currency"][main_code], user_id))  # fmt: skip
        for order, name in enumerate(SEEDED_CATEGORIES, start=1):
            ids["category"][name] = self.insert(
                "categories", name=name, order=order, user_id=user_id
            )
        for order, name in enumerate(SEEDED_METHODS, start=1):
            icon = f"images/uploads/icons/{name.lower().replace(' ', '')}.png"
            ids["method"][name] = self.insert("payment_methods", name=name, icon=icon, enabled=1,
                                              order=order, user_id=user_id)  # fmt: skip
        ids["me"] = self.insert("household", name=username, email="", user_id=user_id)
        self.insert("notification_settings", days=1, user_id=user_id)
        return ids

    def close(self) -> bytes:
        """Finish writing; the file's bytes."""
        self.db.commit()
        self.db.close()
        return self.path.read_bytes()


def image(kind: str, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A small real image file of kind (PNG, GIF…), as Wallos keeps a logo."""
    out = io.BytesIO()
    Image.new("RGB", (135, 42), colour).save(out, format=kind)
    return out.getvalue()


def backup_zip(database: bytes, logos: dict[str, bytes]) -> bytes:
    """Admin → Backup: db/ and images/uploads/ zipped, wallos.db and logos/ at the top."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("wallos.db", database)
        archive.writestr("wallos.empty.db", b"")
        archive.writestr("logos/", b"")
        for name, data in logos.items():
            archive.writestr(f"logos/{name}", data)
        archive.writestr("logos/avatars/me.png", image("PNG"))
    return out.getvalue()


def _php_float(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


CYCLE_NAMES = {
    1: ("Daily", "Days"),
    2: ("Weekly", "Weeks"),
    3: ("Monthly", "Months"),
    4: ("Yearly", "Years"),
}


def json_export(database: Path, user_id: int) -> bytes:
    """Profile → Export as JSON, built from the rows as Wallos's export endpoint builds it."""
    db = sqlite3.connect(database)
    db.row_factory = sqlite3.Row
    names = {
        table: {
            row["id"]: row
            for row in db.execute(f"SELECT * FROM {table} WHERE user_id = ?", (user_id,))
        }
        for table in ("categories", "payment_methods", "household", "currencies")
    }
    rows = []
    for s in db.execute("SELECT * FROM subscriptions WHERE user_id = ? ORDER BY id", (user_id,)):
        single, plural = CYCLE_NAMES.get(s["cycle"], ("One-time", ""))
        cycle = (
            single if s["cycle"] == 5 or s["frequency"] == 1 else f"Every {s['frequency']} {plural}"
        )
        method = names["payment_methods"][s["payment_method_id"]]["name"]
        rows.append({
            "Name": s["name"].replace(",", " "),
            "Payment Cycle": cycle,
            "Next Payment": s["next_payment"],
            "Renewal": "Automatic" if s["auto_renew"] else "Manual",
            "Category": names["categories"][s["category_id"]]["name"].replace(",", " "),
            "Payment Method": method.replace(",", " "),
            "Paid By": names["household"][s["payer_user_id"]]["name"].replace(",", " "),
            "Price": names["currencies"][s["currency_id"]]["symbol"] + _php_float(s["price"]),
            "Notes": (s["notes"] or "").replace(",", " "),
            "URL": s["url"],
            "State": "Disabled" if s["inactive"] else "Enabled",
            "Notifications": "Enabled" if s["notify"] else "Disabled",
            "Cancellation Date": s["cancellation_date"],
            "Active": "No" if s["inactive"] else "Yes",
        })  # fmt: skip
    db.close()
    return json.dumps(rows, indent=2, ensure_ascii=False).encode()


NETFLIX_LOGO = "1700000000-Netflix-Chill.png"
LICENCE_LOGO = "1700000001-Lifetime-licence.gif"


def household_of_two(
    path: Path, *, smtp_port: int, encryption: str, ntfy_server: str = ""
) -> WallosDatabase:
    """Two Wallos users; alice has a subscription for every quirk, bob has rates fetched.

    With ntfy_server, alice also set up ntfy there, and switched it off.
    """
    wallos = WallosDatabase(path)
    alice = wallos.add_user("alice", "EUR")
    kids = wallos.insert("categories", name=escaped("Kids' stuff"), order=18, user_id=alice["user"])
    revolut = wallos.insert("payment_methods", name=escaped("Revolut <Metal>"),
                            icon="1700000002-revolut.png", enabled=1, order=6,
                            user_id=alice["user"])  # fmt: skip
    partner = wallos.insert("household", name=escaped("Bob & Co"), email="bob@example.test",
                            user_id=alice["user"])  # fmt: skip
    common = {"user_id": alice["user"], "logo_text_color": None, "logo_variant": None}
    wallos.insert(
        "subscriptions", **common, name=escaped("Netflix & Chill"), logo=NETFLIX_LOGO, price=15.99,
        currency_id=alice["currency"]["EUR"], next_payment="2027-01-15", cycle=3, frequency=1,
        notes=escaped('Family plan\nshared with "Bob"'),
        payment_method_id=alice["method"]["Credit Card"],
        payer_user_id=alice["me"], category_id=alice["category"]["Entertainment"], notify=1,
        url="https://netflix.com", inactive=0, notify_days_before=-1, cancellation_date="",
        replacement_subscription_id=None, start_date="2023-01-15", auto_renew=1,
    )  # fmt: skip
    spotify = wallos.insert(
        "subscriptions", **common, name="Spotify", logo="", price=89.9,
        currency_id=alice["currency"]["EUR"], next_payment="2027-03-01", cycle=4, frequency=1,
        notes=None, payment_method_id=revolut, payer_user_id=partner,
        category_id=alice["category"]["Music"], notify=1, url="", inactive=0,
        notify_days_before=7, cancellation_date=None, replacement_subscription_id=None,
        start_date=None, auto_renew=1,
    )  # fmt: skip
    wallos.insert(
        "subscriptions", **common, name="Adobe CC", logo=None, price=1234.5,
        currency_id=alice["currency"]["USD"], next_payment="2027-02-01", cycle=3, frequency=3,
        notes="", payment_method_id=alice["method"]["PayPal"], payer_user_id=alice["me"],
        category_id=kids, notify=0, url="adobe.com", inactive=1, notify_days_before=None,
        cancellation_date="2027-01-20", replacement_subscription_id=spotify, start_date="",
        auto_renew=1,
    )  # fmt: skip
    wallos.insert(
        "subscriptions", **common, name="Lifetime licence", logo=LICENCE_LOGO, price=49.0,
        currency_id=alice["currency"]["GBP"], next_payment="2026-12-20", cycle=5, frequency=1,
        notes="", payment_method_id=alice["method"]["PayPal"], payer_user_id=alice["me"],
        category_id=alice["category"]["No category"], notify=1, url="", inactive=0,
        notify_days_before=0, cancellation_date="", replacement_subscription_id=None,
        start_date="2024-06-01", auto_renew=0,
    )  # fmt: skip
    wallos.insert(
        "subscriptions", **common, name=escaped("Gym <24/7>"), logo="", price=12.0,
        currency_id=alice["currency"]["CHF"], next_payment="2026-12-10", cycle=2, frequency=2,
        notes="", payment_method_id=alice["method"]["Money"], payer_user_id=alice["me"],
        category_id=alice["category"]["Health & Wellbeing"], notify=1, url="", inactive=0,
        notify_days_before=-1, cancellation_date=None, replacement_subscription_id=None,
        start_date=None, auto_renew=1,
    )  # fmt: skip
    wallos.insert(
        "email_notifications", enabled=1, smtp_address="127.0.0.1", smtp_port=smtp_port,
        smtp_username="alice", smtp_password="wallos-plain-secret",
        from_email="wallos@example.test", encryption=encryption,
        other_emails="carol@example.test;dave@example.test", user_id=alice["user"],
    )  # fmt: skip
    wallos.db.execute(
        "UPDATE notification_settings SET days = 3 WHERE user_id = ?", (alice["user"],)
    )
    if ntfy_server:
        wallos.insert("ntfy_notifications", enabled=0, host=ntfy_server, topic="bills",
                      headers="", user_id=alice["user"])  # fmt: skip
    bob = wallos.add_user("bob", "USD", rates={"EUR": "0.92", "GBP": "0.79"})
    wallos.insert(
        "subscriptions", user_id=bob["user"], name="iCloud", logo=None, price=2.99,
        currency_id=bob["currency"]["EUR"], next_payment="2027-01-05", cycle=3, frequency=1,
        notes=None, payment_method_id=bob["method"]["PayPal"], payer_user_id=bob["me"],
        category_id=bob["category"]["Cloud Services"], notify=1, url=None, inactive=0,
        notify_days_before=-1, cancellation_date=None, replacement_subscription_id=None,
        start_date=None, auto_renew=1, logo_text_color=None, logo_variant=None,
    )  # fmt: skip
    return wallos


def household_files(
    folder: Path, *, smtp_port: int = 2525, encryption: str = "none", ntfy_server: str = ""
) -> dict[str, bytes]:
    """The three files a Wallos user has, for household_of_two: zip, database and JSON."""
    path = folder / "wallos.db"
    wallos = household_of_two(
        path, smtp_port=smtp_port, encryption=encryption, ntfy_server=ntfy_server
    )
    database = wallos.close()
    logos = {NETFLIX_LOGO: image("PNG"), LICENCE_LOGO: image("GIF", (20, 90, 200))}
    return {"zip": backup_zip(database, logos), "db": database, "json": json_export(path, 1)}
