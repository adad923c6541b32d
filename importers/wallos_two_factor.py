"""Wallos's two-factor sign-in, so the authenticator app and backup codes keep working.

Wallos keeps a user's TOTP secret (base32) and the unused backup codes (a JSON list)
in its `totp` table, and `user.totp_enabled` says whether log-in asks for them.
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3

from importers.plan import ImportPlan, PlannedTwoFactor
from importers.wallos_database import user_rows
from translations import _

# Wallos makes 20-byte secrets (32 characters) and ten 20-character codes; anything
# far outside that is not what Wallos wrote.
SECRET_LENGTHS = range(16, 129)
MAX_CODES = 20
MAX_CODE_LENGTH = 64


def _valid_secret(secret: str) -> bool:
    if len(secret) not in SECRET_LENGTHS:
        return False
    try:
        base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _backup_codes(text: str) -> list[str] | None:
    try:
        codes = json.loads(text or "[]")
    except json.JSONDecodeError:
        return None
    if not isinstance(codes, list):
        return None
    kept = [code.strip() for code in codes if isinstance(code, str) and code.strip()]
    if len(kept) != len(codes) or len(kept) > MAX_CODES:
        return None
    if any(len(code) > MAX_CODE_LENGTH for code in kept):
        return None
    return kept


def plan_wallos_two_factor(connection: sqlite3.Connection, user_id: int, plan: ImportPlan) -> None:
    """Add the user's two-factor sign-in to plan when Wallos has it on."""
    user = connection.execute("SELECT * FROM user WHERE id = ?", (user_id,)).fetchone()
    if user is None or "totp_enabled" not in user.keys() or not user["totp_enabled"]:
        return
    tables = {str(name) for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    rows = user_rows(connection, "totp", user_id) if "totp" in tables else []
    if not rows:
        plan.warnings.append(
            _("Wallos has two-factor sign-in on, but its secret is not in the file.")
        )
        return
    secret = "".join(str(rows[0]["totp_secret"] or "").split()).upper()
    codes = _backup_codes(str(rows[0]["backup_codes"] or ""))
    if not _valid_secret(secret) or codes is None:
        plan.warnings.append(
            _("Wallos's two-factor secret in the file cannot be read, so it is left out.")
        )
        return
    plan.two_factor = PlannedTwoFactor(secret, codes)
