"""Every form under arbitrary input: never a 500, never an injection, never half-saved."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mailer import compose, has_control_characters
from models import Category, EmailSettings, HouseholdMember, Subscription, User, db
from tests.conftest import ACCOUNT
from tests.oauth_server import Clock
from tests.test_settings_page import PAGE, form_values
from tests.test_subscriptions_page import subscription_values
from tests.test_two_factor import CODE, log_in_with_password, turn_on

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.one_of(
    st.text(max_size=120),
    st.text(max_size=20).map(lambda text: text + "\r\nBcc: victim@example.test"),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "x" * 70_000,
            "bücher.example",
            "xn--bcher-kva.example",
            "пример.испытание",
            "ünïcødé@bücher.example",
            "a@b.example\nRCPT TO:<x@example.test>",
            "-1",
            "99999999999999999999",
            "1e309",
            "NaN",
            "2026-02-30",
            "<script>alert(1)</script>",
            # Dates at the edges of the calendar, and Decimal's specials.
            "0001-01-01",
            "9999-12-31",
            "1899-12-31",
            "2201-01-01",
            "sNaN",
            "-sNaN",
            "Infinity",
            "-Infinity",
            "1E+999999",
            "1e-999999",
            "0E-1000",
            "none:²",
            "none:" + "9" * 5000,
        ]
    ),
)


def fields_of(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Each field either keeps its valid value or gets something nasty."""
    return st.fixed_dictionaries(
        {key: st.one_of(st.just(value), NASTY) for key, value in valid.items()}
    )


def snapshot(app: Flask, model: type[Any]) -> list[dict[str, Any]]:
    with app.app_context():
        rows = db.session.scalars(select(model).order_by(model.id)).all()
        return [
            {c.key: getattr(row, c.key) for c in model.__table__.columns if c.key != "updated_at"}
            for row in rows
        ]


def test_the_notification_settings_form(app: Flask, logged_in: FlaskClient) -> None:
    @FUZZ
    @given(values=fields_of({k: v for k, v in form_values().items() if k != "test_recipient"}))
    def check(values: dict[str, Any]) -> None:
        before = snapshot(app, EmailSettings)
        response = logged_in.post(PAGE, data=values)
        assert response.status_code in (302, 422)
        if response.status_code == 422:
            assert snapshot(app, EmailSettings) == before, "nothing saved"
            assert 'aria-invalid="true"' in response.get_data(as_text=True)
            return
        with app.app_context():
            stored = db.session.scalar(select(EmailSettings))
            assert stored is not None
            for text in (stored.host, stored.username, stored.from_email, stored.from_name):
                assert not has_control_characters(text)
            if stored.host and stored.from_email:
                config = stored.smtp_config()
                compose(config, to=["a@example.test"], subject="x", text="x")

    check()


def test_the_subscription_form(app: Flask, logged_in: FlaskClient) -> None:
    @FUZZ
    @given(values=fields_of(subscription_values()))
    def check(values: dict[str, Any]) -> None:
        with app.app_context():
            before = db.session.scalar(select(func.count()).select_from(Subscription))
        response = logged_in.post("/subscriptions/new", data=values)
        assert response.status_code in (302, 422)
        with app.app_context():
            after = db.session.scalar(select(func.count()).select_from(Subscription))
            if response.status_code == 422:
                assert after == before
                return
            assert after == (before or 0) + 1
            newest = db.session.scalar(select(Subscription).order_by(Subscription.id.desc()))
            assert newest is not None and not has_control_characters(newest.name)
        assert logged_in.get("/subscriptions").status_code == 200
        assert logged_in.get("/").status_code == 200

    check()


def test_the_new_account_form(app: Flask, logged_in: FlaskClient) -> None:
    valid = {"new-username": "bob", "new-email": "bob@example.test", "new-password": "password123"}

    @FUZZ
    @given(values=fields_of(valid))
    def check(values: dict[str, Any]) -> None:
        before = snapshot(app, User)
        response = logged_in.post("/account/users", data=values)
        assert response.status_code in (302, 422)
        if response.status_code == 422:
            assert snapshot(app, User) == before

    check()


@pytest.mark.parametrize("field", ["notes", "category_id", "payment_method_id", "name", "url"])
def test_a_nul_character_is_a_field_error_on_every_database(
    app: Flask, logged_in: FlaskClient, field: str
) -> None:
    response = logged_in.post("/subscriptions/new", data=subscription_values(**{field: "a\x00b"}))
    assert response.status_code == 422
    assert f'id="{field}-error">' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["use", "trust"])
def test_the_buttons_that_take_a_value(app: Flask, logged_in: FlaskClient, path: str) -> None:
    name = "use_detected" if path == "use" else "trust_fingerprint"

    @FUZZ
    @given(value=NASTY)
    def check(value: str) -> None:
        response = logged_in.post(f"{PAGE}/{path}", data=form_values(**{name: value}))
        assert response.status_code in (200, 400, 422)

    check()


@pytest.mark.parametrize("kind", ["categories", "household"])
def test_the_list_entry_forms(app: Flask, logged_in: FlaskClient, kind: str) -> None:
    """Adding an entry, and renaming the first: a page or a flash, and only clean names kept."""
    assert logged_in.post(f"/lists/{kind}", data={f"{kind}-name": "First"}).status_code == 302
    model = Category if kind == "categories" else HouseholdMember

    @FUZZ
    @given(
        added=fields_of({f"{kind}-name": "Second", f"{kind}-email": "b@example.test"}),
        renamed=fields_of({f"{kind}-1-name": "Renamed", f"{kind}-1-email": ""}),
    )
    def check(added: dict[str, Any], renamed: dict[str, Any]) -> None:
        assert logged_in.post(f"/lists/{kind}", data=added).status_code in (302, 422)
        assert logged_in.post(f"/lists/{kind}/1", data=renamed).status_code == 302
        with app.app_context():
            for entry in model.for_user(1):
                assert entry.name.strip() and not has_control_characters(entry.name)

    check()


def test_the_two_factor_forms(app: Flask, logged_in: FlaskClient, clock: Clock) -> None:
    """Turning it off and the log-in's code step: field errors, and never in by junk."""
    app_on_phone, _ = turn_on(logged_in, clock)
    valid_off = {"off-current_password": ACCOUNT["password"], "off-code": "000000"}

    @FUZZ
    @given(off=fields_of(valid_off), code=NASTY)
    def check(off: dict[str, Any], code: str) -> None:
        clock.advance(301)  # a fresh limit, and a fresh 30-second step, every time
        assert logged_in.post("/account/two-factor/off", data=off).status_code == 422
        assert log_in_with_password(logged_in) == CODE
        assert logged_in.post(CODE, data={"code": code}).status_code == 422
        assert logged_in.get("/account").status_code == 302, "junk let nobody in"
        assert logged_in.post(CODE, data={"code": app_on_phone.at(clock.now())}).status_code == 302

    check()
