"""A device's log-in: started on the log-in page, renewed when every log-in ends."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from flask import current_app, request
from flask_login import current_user, login_user

from models import User, db
from models.login_session import LoginSession


def log_in(user: User, remember: bool = False) -> None:
    """Log user in on this device: a log-in of its own, which ends on its own."""
    now = current_app.config["CLOCK"]()
    LoginSession.open(user, request.user_agent.string, now, remember)
    db.session.commit()
    login_user(user, remember=remember)


@contextlib.contextmanager
def this_device_stays() -> Iterator[None]:
    """Around a change that may end every log-in of the account: this device logs in anew.

    The new log-in has a new id, so a copy of this device's old cookie ends too.
    """
    login = current_user.login_session
    login_id, remember = (login.id, login.remember) if login is not None else (None, False)
    yield
    if login_id is None or not LoginSession.lasts(login_id):
        log_in(current_user._get_current_object(), remember)
