"""Dues' DUES_* settings: each declared once with its default and what it accepts.

A value that cannot work stops the start with a sentence naming the variable,
rather than a traceback at the first request or reminder run that reads it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from exchange.ecb import FEED_URL
from models import utcnow

DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_SAMESITE": "Lax",
    # "Stay logged in": Flask-Login's cookie, as guarded as the session's, for 30 days.
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_DURATION": datetime.timedelta(days=30),
    "WTF_CSRF_TIME_LIMIT": None,
    "BASE_URL": "http://127.0.0.1:5000",
    "SCHEDULER": "on",
    "LOGIN_ATTEMPTS_PER_MINUTE": 10,
    "SENDS_PER_MINUTE": 10,
    "CONCURRENT_SENDS": 4,
    # Accounts the reminder job sends to at once, each over its own connection:
    # enough that ten dead servers, each holding a worker for its timeout, leave
    # plenty for everyone else.
    "SEND_CONCURRENCY": 32,
    "SCHEDULER_INTERVAL": 300,
    # What "now" is for OAuth token expiry; the tests move it instead of sleeping.
    "CLOCK": utcnow,
    # No page takes more than the CA bundle's 100 kB; anything larger is refused
    # before it is read, whatever its content type.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Reverse proxies in front of Dues whose X-Forwarded-* headers are believed.
    "TRUSTED_PROXIES": 0,
    # Exchange rates from the ECB's public feed, once a day; "off" without internet.
    "RATES_FETCH": "on",
    "RATES_URL": FEED_URL,
}

# The whole-number settings, with the least each may be.
WHOLE_NUMBERS = {
    "LOGIN_ATTEMPTS_PER_MINUTE": 1,
    "SENDS_PER_MINUTE": 1,
    "CONCURRENT_SENDS": 1,
    "SEND_CONCURRENCY": 1,
    "TRUSTED_PROXIES": 0,
}
SWITCHES = ("SCHEDULER", "RATES_FETCH")
_ON, _OFF = ("on", "true", "1", "yes"), ("off", "false", "0", "no")


def load(app: Flask, overrides: Mapping[str, Any] | None) -> None:
    """Set app's config from the defaults, DUES_* variables and overrides, then check it."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("DUES")
    if overrides is not None:
        app.config.from_mapping(overrides)
    for name, least in WHOLE_NUMBERS.items():
        app.config[name] = _whole_number(name, app.config[name], least)
    for name in SWITCHES:
        app.config[name] = _switch(name, app.config[name])
    app.config["SCHEDULER_INTERVAL"] = _seconds(
        "SCHEDULER_INTERVAL", app.config["SCHEDULER_INTERVAL"]
    )
    _check_base_url(str(app.config["BASE_URL"]))


def _refuse(name: str, value: object, wanted: str) -> ValueError:
    return ValueError(f"DUES_{name}={value} cannot work: give {wanted}.")


def _whole_number(name: str, value: object, least: int) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or int(text) < least:
        raise _refuse(name, value, f"a whole number of {least} or more")
    return int(text)


def _seconds(name: str, value: object) -> float:
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = 0.0
    if isinstance(value, bool) or not 0 < seconds < float("inf"):
        raise _refuse(name, value, "a number of seconds above 0, such as 300")
    return seconds


def _switch(name: str, value: object) -> bool:
    word = str(value).strip().lower()
    if word not in _ON + _OFF:
        raise _refuse(name, value, "on or off")
    return word in _ON


def _check_base_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    if not host or parts.scheme not in ("http", "https"):
        raise _refuse(
            "BASE_URL", url, "the address Dues is opened at, such as https://dues.example.com"
        )
