"""Secrets in an export, sealed with a passphrase the user types (scrypt, then Fernet)."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from importers.errors import ImportRefused
from translations import _

# scrypt's cost: about a tenth of a second and 32 MB here, per try at a passphrase.
_N, _R, _P = 2**15, 8, 1
MIN_PASSPHRASE = 8


class WrongPassphrase(ImportRefused):
    """The passphrase does not open the export's secrets."""


def _fernet(passphrase: str, salt: bytes, n: int, r: int, p: int) -> Fernet:
    key = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secrets: dict[str, str], passphrase: str) -> dict[str, Any]:
    """The secrets, encrypted with a key derived from passphrase, with what derives it."""
    salt = os.urandom(16)
    token = _fernet(passphrase, salt, _N, _R, _P).encrypt(json.dumps(secrets).encode())
    return {
        "kdf": "scrypt",
        "n": _N,
        "r": _R,
        "p": _P,
        "salt": base64.b64encode(salt).decode(),
        "ciphertext": token.decode(),
    }


def unseal(sealed: Any, passphrase: str) -> dict[str, str]:
    """The secrets sealed in an export; WrongPassphrase if passphrase does not open them."""
    try:
        n, r, p = int(sealed["n"]), int(sealed["r"]), int(sealed["p"])
        if sealed["kdf"] != "scrypt" or not (2**10 <= n <= 2**20 and 1 <= r <= 16 and p == 1):
            raise ValueError("unknown key derivation")
        salt = base64.b64decode(sealed["salt"], validate=True)
        token = str(sealed["ciphertext"]).encode()
    except (KeyError, TypeError, ValueError) as exc:
        raise ImportRefused(_("The export's sealed secrets are damaged.")) from exc
    try:
        plain = _fernet(passphrase, salt, n, r, p).decrypt(token)
    except InvalidToken as exc:
        raise WrongPassphrase(
            _("That passphrase does not open the secrets in this export.")
        ) from exc
    secrets = json.loads(plain)
    if not isinstance(secrets, dict) or not all(isinstance(v, str) for v in secrets.values()):
        raise ImportRefused(_("The export's sealed secrets are damaged."))
    return {str(key): value for key, value in secrets.items()}
