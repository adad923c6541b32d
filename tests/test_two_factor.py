"""Two-factor sign-in: set-up with an authenticator app's code, log-in, recovery codes, off."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from models import db
from tests.conftest import ACCOUNT
from tests.oauth_server import Clock

PAGE = "/account/two-factor"
LOGIN = "/login"
CODE = "/login/code"


def turn_on(client: FlaskClient, clock: Clock) -> tuple[pyotp.TOTP, list[str]]:
    """Set two-factor sign-in up through the pages, as a person with an app would."""
    assert "Set up two-factor sign-in" in client.get(PAGE).get_data(as_text=True)
    client.post(f"{PAGE}/begin")
    page = client.get(PAGE).get_data(as_text=True)
    key = re.search(r'<code id="two-factor-key">([A-Z2-7]+)</code>', page)
    assert key is not None and "<svg" in page
    app_on_phone = pyotp.TOTP(key[1])
    response = client.post(f"{PAGE}/confirm", data={"confirm-code": app_on_phone.at(clock.now())})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    clock.advance(30)  # the code that switched it on is spent: log-ins use the next one
    return app_on_phone, codes


def log_in_with_password(client: FlaskClient) -> str:
    """Where the right password alone leads."""
    client.post("/logout")
    response = client.post(LOGIN, data=ACCOUNT)
    assert response.status_code == 302
    return str(response.headers["Location"])


def test_a_wrong_first_code_leaves_it_off_and_says_so(logged_in: FlaskClient, clock: Clock) -> None:
    logged_in.post(f"{PAGE}/begin")
    response = logged_in.post(f"{PAGE}/confirm", data={"confirm-code": "000000"})
    assert response.status_code == 422
    assert "That code is not right" in response.get_data(as_text=True)
    assert log_in_with_password(logged_in) == "/"


def test_once_on_the_password_alone_does_not_log_in(
    app: Flask, logged_in: FlaskClient, clock: Clock
) -> None:
    app_on_phone, _ = turn_on(logged_in, clock)
    assert log_in_with_password(logged_in) == CODE
    assert logged_in.get("/account").status_code == 302, "not logged in before the code"
    response = logged_in.post(CODE, data={"code": app_on_phone.at(clock.now())})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert logged_in.get("/account").status_code == 200


def test_a_code_logs_in_once(app: Flask, logged_in: FlaskClient, clock: Clock) -> None:
    app_on_phone, _ = turn_on(logged_in, clock)
    code = app_on_phone.at(clock.now())
    log_in_with_password(logged_in)
    assert logged_in.post(CODE, data={"code": code}).status_code == 302
    log_in_with_password(logged_in)
    replayed = logged_in.post(CODE, data={"code": code})
    assert replayed.status_code == 422
    assert "already used" in replayed.get_data(as_text=True)
    clock.advance(30)
    assert logged_in.post(CODE, data={"code": app_on_phone.at(clock.now())}).status_code == 302


def test_a_phone_clock_one_step_off_is_accepted_two_is_not(
    logged_in: FlaskClient, clock: Clock
) -> None:
    app_on_phone, _ = turn_on(logged_in, clock)
    clock.advance(300)
    log_in_with_password(logged_in)
    now = clock.now()
    two_steps_slow = app_on_phone.at(now - dt.timedelta(seconds=60))
    one_step_slow = app_on_phone.at(now - dt.timedelta(seconds=30))
    assert logged_in.post(CODE, data={"code": two_steps_slow}).status_code == 422
    assert logged_in.post(CODE, data={"code": one_step_slow}).status_code == 302


def test_each_recovery_code_logs_in_once(logged_in: FlaskClient, clock: Clock) -> None:
    _, codes = turn_on(logged_in, clock)
    log_in_with_password(logged_in)
    assert logged_in.post(CODE, data={"code": codes[3].upper()}).status_code == 302
    assert "9 recovery codes are left" in logged_in.get(PAGE).get_data(as_text=True)
    log_in_with_password(logged_in)
    assert logged_in.post(CODE, data={"code": codes[3]}).status_code == 422


def test_the_second_step_waits_five_minutes(logged_in: FlaskClient, clock: Clock) -> None:
    app_on_phone, _ = turn_on(logged_in, clock)
    log_in_with_password(logged_in)
    clock.advance(301)
    late = logged_in.post(CODE, data={"code": app_on_phone.at(clock.now())})
    assert late.status_code == 302 and late.headers["Location"] == LOGIN
    assert logged_in.get("/account").status_code == 302


def test_guessing_codes_is_stopped_after_five(
    app: Flask, logged_in: FlaskClient, clock: Clock
) -> None:
    app_on_phone, _ = turn_on(logged_in, clock)
    log_in_with_password(logged_in)
    wrong = f"{(int(app_on_phone.at(clock.now())) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert logged_in.post(CODE, data={"code": wrong}).status_code == 422
    stopped = logged_in.post(CODE, data={"code": app_on_phone.at(clock.now())})
    assert stopped.status_code == 429
    assert "Too many log-in attempts" in stopped.get_data(as_text=True)


def test_turning_it_on_ends_every_other_session(
    app: Flask, logged_in: FlaskClient, clock: Clock
) -> None:
    cookie = logged_in.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    turn_on(logged_in, clock)
    assert logged_in.get("/account").status_code == 200, "this session goes on"
    assert other.get("/account").status_code == 302


def test_turning_it_off_takes_the_password_and_a_code(logged_in: FlaskClient, clock: Clock) -> None:
    app_on_phone, codes = turn_on(logged_in, clock)
    wrong_password = logged_in.post(
        f"{PAGE}/off", data={"off-current_password": "wrong", "off-code": codes[0]}
    )
    assert wrong_password.status_code == 422
    wrong_code = logged_in.post(
        f"{PAGE}/off", data={"off-current_password": ACCOUNT["password"], "off-code": "123"}
    )
    assert wrong_code.status_code == 422
    turned_off = logged_in.post(
        f"{PAGE}/off", data={"off-current_password": ACCOUNT["password"], "off-code": codes[0]}
    )
    assert turned_off.status_code == 302
    assert log_in_with_password(logged_in) == "/"


def test_new_recovery_codes_end_the_old_ones(logged_in: FlaskClient, clock: Clock) -> None:
    _, old = turn_on(logged_in, clock)
    response = logged_in.post(
        f"{PAGE}/recovery-codes", data={"renew-current_password": ACCOUNT["password"]}
    )
    new = re.findall(r"<li><code>([0-9a-f-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    log_in_with_password(logged_in)
    assert logged_in.post(CODE, data={"code": old[0]}).status_code == 422
    assert logged_in.post(CODE, data={"code": new[0]}).status_code == 302


def test_the_secret_is_encrypted_and_recovery_codes_are_digests(
    app: Flask, logged_in: FlaskClient, clock: Clock
) -> None:
    app_on_phone, codes = turn_on(logged_in, clock)
    with app.app_context():
        stored = repr(
            db.session.execute(text("SELECT * FROM two_factor")).all()
            + db.session.execute(text("SELECT * FROM recovery_code")).all()
        )
    assert app_on_phone.secret not in stored
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)
    assert app_on_phone.secret not in logged_in.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("known", [True, False])
def test_the_command_line_turns_it_off_for_a_locked_out_account(
    app: Flask, logged_in: FlaskClient, clock: Clock, known: bool
) -> None:
    turn_on(logged_in, clock)
    username = ACCOUNT["username"] if known else "nobody"
    result = app.test_cli_runner().invoke(args=["two-factor", "off", username])
    if known:
        assert result.exit_code == 0, result.output
        assert "Two-factor sign-in is off for alice" in result.output
        assert logged_in.get("/account").status_code == 302, "its sessions ended"
        assert log_in_with_password(logged_in) == "/"
    else:
        assert result.exit_code == 1
        assert "There is no account called nobody." in result.output
        assert log_in_with_password(logged_in) == CODE


def test_after_a_new_secret_key_recovery_codes_still_log_in(
    app: Flask, logged_in: FlaskClient, clock: Clock
) -> None:
    app_on_phone, codes = turn_on(logged_in, clock)
    app.config["SECRET_KEY"] = "a new secret key: the authenticator secret cannot be read"
    assert log_in_with_password(logged_in) == CODE
    assert logged_in.post(CODE, data={"code": app_on_phone.at(clock.now())}).status_code == 422
    assert logged_in.post(CODE, data={"code": codes[0]}).status_code == 302


def test_a_set_up_begun_under_another_secret_key_starts_again(
    app: Flask, logged_in: FlaskClient
) -> None:
    logged_in.post(f"{PAGE}/begin")
    app.config["SECRET_KEY"] = "a new secret key: the waiting secret cannot be read"
    assert log_in_with_password(logged_in) == "/", "the session was signed with the old key"
    page = logged_in.get(PAGE)
    assert page.status_code == 200
    assert "Set up two-factor sign-in" in page.get_data(as_text=True)
