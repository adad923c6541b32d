"""Categories, payment methods and household members as managed lists, and payer routing."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Category, HouseholdMember, Subscription, db
from reminders import run_reminders
from tests.conftest import ACCOUNT, SmtpLab
from tests.factories import make_account, make_subscription
from tests.test_reminders import at
from tests.test_subscriptions_page import subscription_values

LISTS = "/lists"


def names(app: Flask, model: type[Category] | type[HouseholdMember]) -> list[str]:
    with app.app_context():
        return [entry.name for entry in model.for_user(1)]


def test_entries_are_added_renamed_and_reordered(app: Flask, logged_in: FlaskClient) -> None:
    for name in ("Streaming", "Software", "Insurance"):
        assert (
            logged_in.post(f"{LISTS}/categories", data={"categories-name": name}).status_code == 302
        )
    assert names(app, Category) == ["Streaming", "Software", "Insurance"]
    logged_in.post(f"{LISTS}/categories/3", data={"move": "up"})
    assert names(app, Category) == ["Streaming", "Insurance", "Software"]
    logged_in.post(f"{LISTS}/categories/2", data={"categories-2-name": "Apps"})
    assert names(app, Category) == ["Streaming", "Insurance", "Apps"]
    taken = logged_in.post(f"{LISTS}/categories", data={"categories-name": "Apps"})
    assert taken.status_code == 422
    assert "There is already a category Apps." in taken.get_data(as_text=True)


def test_deleting_an_entry_asks_where_its_subscriptions_go(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post(f"{LISTS}/categories", data={"categories-name": "Streaming"})
    logged_in.post(f"{LISTS}/categories", data={"categories-name": "Video"})
    logged_in.post("/subscriptions/new", data=subscription_values(category_id="1"))
    question = logged_in.get(f"{LISTS}/categories/1/delete").get_data(as_text=True)
    assert "1 subscription uses this category." in question
    logged_in.post(f"{LISTS}/categories/1/delete", data={"replacement": "2"})
    with app.app_context():
        subscription = db.session.scalar(select(Subscription))
        assert subscription is not None and subscription.category is not None
        assert subscription.category.name == "Video"
    logged_in.post(f"{LISTS}/categories/2/delete", data={"replacement": ""})
    with app.app_context():
        subscription = db.session.scalar(select(Subscription))
        assert subscription is not None and subscription.category_id is None


def test_another_accounts_entries_can_be_neither_used_nor_changed(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post(
        "/account/users",
        data={"new-username": "bob", "new-email": "bob@example.test", "new-password": "bob pass 1"},
    )
    logged_in.post(f"{LISTS}/categories", data={"categories-name": "Alice's"})
    logged_in.post("/logout")
    bob = app.test_client()
    bob.post("/login", data={"username": "bob", "password": "bob pass 1"})
    refused = bob.post("/subscriptions/new", data=subscription_values(category_id="1"))
    assert refused.status_code == 422 and 'id="category_id-error">Not a valid choice' in (
        refused.get_data(as_text=True)
    )
    assert bob.post(f"{LISTS}/categories/1", data={"categories-1-name": "Mine"}).status_code == 404
    assert bob.get(f"{LISTS}/categories/1/delete").status_code == 404
    assert names(app, Category) == ["Alice's"]


def test_reminders_go_to_the_member_who_pays_grouped_per_recipient(
    app: Flask, smtp: SmtpLab
) -> None:
    server = smtp.plain_no_starttls
    with app.app_context():
        user = make_account("alice", port=server.port)
        bob = HouseholdMember.add(user.id, "Bob")
        bob.email = "bob@example.test"
        carol = HouseholdMember.add(user.id, "Carol")  # no email: her reminders come to alice
        db.session.commit()
        for name, payer in (("Netflix", bob), ("Spotify", bob), ("Gym", carol), ("Cloud", None)):
            make_subscription(
                user, name, dt.date(2026, 12, 10), payer_id=payer.id if payer else None
            )
        summary = run_reminders(at("2026-12-09 09:00"))
    assert summary.sent == 4
    by_recipient = {tuple(r.rcpt_tos): r.message for r in server.received}
    assert set(by_recipient) == {("bob@example.test",), ("alice@example.test",)}
    assert by_recipient[("bob@example.test",)]["Subject"].startswith("2 payments coming up")
    bob_text = by_recipient[("bob@example.test",)].get_body(("plain",)).get_content()
    assert "Netflix" in bob_text and "Spotify" in bob_text and "Gym" not in bob_text
    alice_text = by_recipient[("alice@example.test",)].get_body(("plain",)).get_content()
    assert "Gym" in alice_text and "Cloud" in alice_text and "Netflix" not in alice_text


def test_the_list_page_shows_the_household(logged_in: FlaskClient) -> None:
    logged_in.post(
        f"{LISTS}/household", data={"household-name": "Bob", "household-email": "bob@example.test"}
    )
    page = logged_in.get(LISTS).get_data(as_text=True)
    assert 'value="Bob"' in page and 'value="bob@example.test"' in page
    assert ACCOUNT["username"] in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Enter a name."),
        ("name", "x" * 51, "Field cannot be longer than 50 characters."),
        ("email", "not-an-address", "Enter a valid email address."),
    ],
)
def test_a_rename_that_cannot_be_saved_says_why_and_keeps_the_entry(
    app: Flask, logged_in: FlaskClient, field: str, value: str, message: str
) -> None:
    """The errors' messages are lazy translations: joining them once ended in a 500."""
    logged_in.post(f"{LISTS}/household", data={"household-name": "Bob"})
    data = {"household-1-name": "Robert", "household-1-email": "", f"household-1-{field}": value}
    response = logged_in.post(f"{LISTS}/household/1", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert f"Not saved: {message}" in response.get_data(as_text=True)
    assert names(app, HouseholdMember) == ["Bob"]
