"""Encryption at rest for stored credentials, keyed by the app's secret key."""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from translations import _


class UndecryptableSecret(Exception):
    """A stored secret cannot be read with the current secret key."""


@functools.cache
def _fernet_for(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"dues stored credentials"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _fernet() -> Fernet:
    return _fernet_for(str(current_app.config["SECRET_KEY"]))


def encrypt(plain: str) -> bytes:
    """The secret, encrypted and authenticated for storage."""
    return _fernet().encrypt(plain.encode())


def decrypt(token: bytes) -> str:
    """The stored secret in plain text."""
    try:
        return _fernet().decrypt(token).decode()
    except InvalidToken as exc:
        raise UndecryptableSecret(
            _("The stored password cannot be read with this secret key; enter it again.")
        ) from exc
