"""Moving in from Wallos: the backup zip, the database file and the JSON export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from importers.wallos_database import opened_copy
from importers.wallos_mapping import plan_from_wallos
from models import (
    Category,
    ExchangeRate,
    HouseholdMember,
    PaymentMethod,
    Subscription,
    User,
    db,
)
from tests.wallos_fixture import household_files, household_of_two


def upload(client: FlaskClient, data: bytes, name: str = "wallos.zip") -> Any:
    """Upload a file to the import page."""
    return client.post(
        "/account/data/upload",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def import_now(client: FlaskClient, **choices: str) -> Any:
    """Press Import on the preview, with these choices."""
    return client.post(
        "/account/data/preview", data={"action": "import", "with_email": "on", **choices}
    )


@pytest.fixture(autouse=True)
def app_context(app: Flask) -> Iterator[None]:
    """The test's own reads of the database, beside the client's requests."""
    with app.app_context():
        yield


def alice(app: Flask) -> User:
    """The account as the requests left it."""
    db.session.expire_all()
    user = User.by_username("alice")
    assert user is not None
    return user


def by_name(user: User) -> dict[str, Subscription]:
    return {s.name: s for s in Subscription.for_user(user.id)}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, bytes]:
    return household_files(tmp_path)


def assert_alice_imported(user: User, *, with_logos: bool) -> None:
    """Every field of every subscription, as Wallos held it."""
    subscriptions = by_name(user)
    assert set(subscriptions) == {
        "Netflix & Chill",
        "Spotify",
        "Adobe CC",
        "Lifetime licence",
        "Gym <24/7>",
    }
    netflix = subscriptions["Netflix & Chill"]
    assert (netflix.price, netflix.currency, netflix.cycle_every, netflix.cycle_unit) == (
        Decimal("15.99"),
        "EUR",
        1,
        "month",
    )
    assert (netflix.next_payment, netflix.start_date, netflix.billing_anchor) == (
        dt.date(2027, 1, 15),
        dt.date(2023, 1, 15),
        dt.date(2023, 1, 15),
    )
    assert netflix.auto_renew and netflix.active and netflix.notify
    assert (netflix.category and netflix.category.name) == "Entertainment"
    assert (netflix.payment_method and netflix.payment_method.name) == "Credit Card"
    assert netflix.payer is None  # Wallos's first household row is the user: paid by me
    assert netflix.reminder_offsets == ""  # -1: the default
    assert netflix.cancellation_date is None  # '' in Wallos
    assert netflix.url == "https://netflix.com"
    assert netflix.notes == 'Family plan\nshared with "Bob"'
    assert netflix.ref == "wallos:alice/1"
    assert (netflix.logo_type == "image/png") is with_logos
    spotify = subscriptions["Spotify"]
    assert (spotify.price, spotify.currency, spotify.cycle_unit) == (
        Decimal("89.90"),
        "EUR",
        "year",
    )
    assert spotify.start_date is None and spotify.notes == "" and spotify.logo_type == ""
    assert (spotify.payment_method and spotify.payment_method.name) == "Revolut <Metal>"
    assert spotify.payer is not None and (spotify.payer.name, spotify.payer.email) == (
        "Bob & Co",
        "bob@example.test",
    )
    assert spotify.reminder_offsets == "7"
    adobe = subscriptions["Adobe CC"]
    assert (adobe.price, adobe.currency, adobe.cycle_every, adobe.cycle_unit) == (
        Decimal("1234.50"),
        "USD",
        3,
        "month",
    )
    assert not adobe.active and not adobe.notify and adobe.reminder_offsets == ""
    assert adobe.cancellation_date == dt.date(2027, 1, 20)
    assert (adobe.category and adobe.category.name) == "Kids' stuff"
    assert adobe.replaced_by is spotify
    assert adobe.url == "https://adobe.com" and adobe.start_date is None
    licence = subscriptions["Lifetime licence"]
    assert (licence.price, licence.currency, licence.auto_renew) == (Decimal("49.00"), "GBP", False)
    assert licence.category is None  # "No category"
    assert licence.reminder_offsets == "0"  # on the day
    assert licence.start_date == dt.date(2024, 6, 1)
    assert (licence.logo_type == "image/png") is with_logos  # a GIF, redrawn as PNG
    gym = subscriptions["Gym <24/7>"]
    assert (gym.price, gym.currency, gym.cycle_every, gym.cycle_unit) == (
        Decimal("12.00"),
        "CHF",
        2,
        "week",
    )
    assert (gym.category and gym.category.name) == "Health & Wellbeing"
    assert (gym.payment_method and gym.payment_method.name) == "Money"


def assert_alice_settings(user: User) -> None:
    settings = user.email_settings
    assert (settings.enabled, settings.host, settings.security) == (True, "127.0.0.1", "none")
    assert settings.verify_certificate
    assert (settings.username, settings.stored_password()) == ("alice", "wallos-plain-secret")
    assert settings.password_encrypted and b"wallos-plain-secret" not in settings.password_encrypted
    assert settings.from_email == "wallos@example.test"
    assert settings.other_recipient_list == ["carol@example.test", "dave@example.test"]
    assert settings.default_offsets == "3"
    assert user.currency == "EUR"
    categories = [c.name for c in Category.for_user(user.id)]
    assert categories[:4] == ["Entertainment", "Music", "Utilities", "Food & Beverages"]
    assert "Kids' stuff" in categories and "No category" not in categories
    methods = {m.name for m in PaymentMethod.for_user(user.id)}
    # The used stock methods and the custom one; unused stock ones stay out.
    assert methods == {"Credit Card", "Revolut <Metal>", "PayPal", "Money"}
    assert [(m.name, m.email) for m in HouseholdMember.for_user(user.id)] == [
        ("Bob & Co", "bob@example.test")
    ]
    assert ExchangeRate.for_user(user.id) == {}  # Wallos's rates were all 1


def assert_alice_everything(user: User, *, with_logos: bool) -> None:
    """Subscriptions, lists and settings, as alice had them in Wallos."""
    assert_alice_imported(user, with_logos=with_logos)
    assert_alice_settings(user)


def test_backup_zip_imports_every_field(
    app: Flask, logged_in: FlaskClient, files: dict[str, bytes]
) -> None:
    response = upload(logged_in, files["zip"])
    assert response.status_code == 302
    preview = logged_in.get("/account/data/preview")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert (
        "Creates 5 subscriptions" in page and "alice (alice@example.test): 5 subscriptions" in page
    )
    assert "exchange rates are all 1" in page
    assert "None (plain, never upgraded to STARTTLS)" in page
    assert "wallos-plain-secret" not in page
    assert Subscription.for_user(alice(app).id) == []  # the preview changed nothing
    response = import_now(logged_in, wallos_user="1")
    assert response.status_code == 302 and response.location.endswith("/subscriptions")
    assert_alice_everything(alice(app), with_logos=True)


def test_database_file_imports_all_but_logos(
    app: Flask, logged_in: FlaskClient, files: dict[str, bytes]
) -> None:
    assert upload(logged_in, files["db"], "wallos.db").status_code == 302
    assert "come only with the backup zip" in logged_in.get("/account/data/preview").get_data(
        as_text=True
    )
    assert import_now(logged_in).status_code == 302
    assert_alice_everything(alice(app), with_logos=False)


def test_the_second_wallos_user_with_their_rates(
    app: Flask, logged_in: FlaskClient, files: dict[str, bytes]
) -> None:
    upload(logged_in, files["db"], "wallos.db")
    assert import_now(logged_in, wallos_user="2").status_code == 302
    user = alice(app)
    (icloud,) = Subscription.for_user(user.id)
    assert (icloud.name, icloud.currency, icloud.ref) == ("iCloud", "EUR", "wallos:bob/6")
    assert user.currency == "USD"
    assert {c: r.per_main for c, r in ExchangeRate.for_user(user.id).items()} == {
        "EUR": Decimal("0.92")
    }


def test_importing_the_same_file_again_changes_nothing(
    app: Flask, logged_in: FlaskClient, files: dict[str, bytes]
) -> None:
    upload(logged_in, files["zip"])
    import_now(logged_in)
    user = alice(app)
    before = {(s.ref, s.name, s.price, s.next_payment) for s in Subscription.for_user(user.id)}
    lists = (
        len(Category.for_user(user.id)),
        len(PaymentMethod.for_user(user.id)),
        len(HouseholdMember.for_user(user.id)),
    )
    password_cipher = user.email_settings.password_encrypted
    upload(logged_in, files["zip"])
    page = logged_in.get("/account/data/preview").get_data(as_text=True)
    assert "Nothing: everything in this file is already here." in page
    import_now(logged_in)
    db.session.expire_all()
    user = alice(app)
    assert {
        (s.ref, s.name, s.price, s.next_payment) for s in Subscription.for_user(user.id)
    } == before
    assert lists == (
        len(Category.for_user(user.id)),
        len(PaymentMethod.for_user(user.id)),
        len(HouseholdMember.for_user(user.id)),
    )
    assert user.email_settings.password_encrypted == password_cipher


def test_json_export_asks_for_the_dollar_and_says_what_is_lost(
    app: Flask, logged_in: FlaskClient, files: dict[str, bytes]
) -> None:
    upload(logged_in, files["json"], "subscriptions.json")
    page = logged_in.get("/account/data/preview").get_data(as_text=True)
    assert "no currency codes, no start dates" in page and "backup zip" in page
    assert "Currency of prices written “$”" in page
    refused = import_now(logged_in)  # "$" not answered: nothing happens
    assert refused.status_code == 422 and "Which currency is $?" in refused.get_data(as_text=True)
    assert Subscription.for_user(alice(app).id) == []
    assert import_now(logged_in, **{"currency:$": "USD"}).status_code == 302
    subscriptions = by_name(alice(app))
    assert set(subscriptions) == {
        "Netflix & Chill",
        "Spotify",
        "Adobe CC",
        "Lifetime licence",
        "Gym <24/7>",
    }
    adobe, netflix = subscriptions["Adobe CC"], subscriptions["Netflix & Chill"]
    assert (adobe.price, adobe.currency, adobe.cycle_every, adobe.active, adobe.notify) == (
        Decimal("1234.50"),
        "USD",
        3,
        False,
        False,
    )
    assert adobe.cancellation_date == dt.date(2027, 1, 20)
    assert (netflix.price, netflix.currency, netflix.notes) == (
        Decimal("15.99"),
        "EUR",
        'Family plan\nshared with "Bob"',
    )
    assert netflix.payer is None and subscriptions["Spotify"].payer is not None
    assert subscriptions["Lifetime licence"].auto_renew is False
    assert subscriptions["Gym <24/7>"].currency == "CHF"


def test_the_import_page_is_reached_from_the_account_page(logged_in: FlaskClient) -> None:
    assert "/account/data" in logged_in.get("/account").get_data(as_text=True)
    page = logged_in.get("/account/data").get_data(as_text=True)
    assert "Wallos backup zip" in page and "Download the export" in page


def test_of_two_settings_rows_the_one_wallos_reads_is_imported(app: Flask, tmp_path: Path) -> None:
    """Wallos reads a user's first row; a race in Wallos could leave a second."""
    wallos = household_of_two(tmp_path / "wallos.db", smtp_port=2525, encryption="tls")
    wallos.insert("email_notifications", enabled=0, smtp_address="stale.example.test",
                  smtp_port=25, user_id=1)  # fmt: skip
    wallos.insert("notification_settings", days=9, user_id=1)
    with opened_copy(wallos.close()) as connection, app.test_request_context():
        plan = plan_from_wallos(connection, 1, "test", None)
    assert plan.email is not None
    assert (plan.email["host"], plan.email["port"], plan.email["enabled"]) == (
        "127.0.0.1",
        2525,
        True,
    )
    assert plan.email["default_offsets"] == "3"
