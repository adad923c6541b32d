"""Two-factor sign-in: an authenticator app's codes (TOTP), and one-time recovery codes."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

import pyotp
from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String, delete, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, db, utcnow
from models.secrets import UndecryptableSecret, decrypt, encrypt

if TYPE_CHECKING:
    from models.user import User

RECOVERY_CODE_COUNT = 10
ISSUER = "Dues"


class TwoFactor(Base):
    """An account's authenticator secret: waiting for its first code, or switched on."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    enabled_at: Mapped[datetime.datetime | None] = mapped_column(default=None)
    # The newest 30-second step whose code was accepted: a code works once.
    last_step: Mapped[int] = mapped_column(BigInteger, default=0)

    @property
    def secret(self) -> str:
        """The base32 secret the authenticator app holds."""
        return decrypt(self.secret_encrypted)

    def provisioning_uri(self, username: str) -> str:
        """The otpauth:// address a QR code carries to the app."""
        return pyotp.TOTP(self.secret).provisioning_uri(name=username, issuer_name=ISSUER)

    @staticmethod
    def of(user_id: int) -> TwoFactor | None:
        """The account's authenticator secret, if it has one."""
        return db.session.get(TwoFactor, user_id)

    @staticmethod
    def is_on(user_id: int) -> bool:
        """Whether the account's log-in asks for a second factor."""
        found = TwoFactor.of(user_id)
        return found is not None and found.enabled_at is not None

    @staticmethod
    def accounts_on() -> set[int]:
        """The ids of the accounts whose log-in asks for a second factor."""
        return set(
            db.session.scalars(select(TwoFactor.user_id).where(TwoFactor.enabled_at.is_not(None)))
        )

    @staticmethod
    def begin(user_id: int, secret: str | None = None) -> TwoFactor:
        """A new secret waiting for its first code, replacing any earlier one that waited."""
        found = TwoFactor.of(user_id)
        if found is None:
            found = TwoFactor(user_id=user_id)
            db.session.add(found)
        found.secret_encrypted = encrypt(secret or pyotp.random_base32())
        found.enabled_at = None
        found.last_step = 0
        return found

    def matching_step(self, code: str, now: datetime.datetime) -> int | None:
        """The time step code belongs to: this one or a neighbour, for a clock a little off."""
        code = "".join(code.split())
        if not (len(code) == 6 and code.isascii() and code.isdigit()):
            return None
        try:
            totp = pyotp.TOTP(self.secret)
        except UndecryptableSecret:
            # The secret key changed: no app code can be checked, recovery codes
            # (digests, not encrypted) still let the account in.
            return None
        for drift in (0, -1, 1):
            moment = now + datetime.timedelta(seconds=drift * totp.interval)
            if hmac.compare_digest(totp.at(moment), code):
                return int(totp.timecode(moment))
        return None

    def claim_step(self, step: int) -> bool:
        """Record step as used unless it, or a later one, was: a code is accepted once."""
        claimed = db.session.execute(
            update(TwoFactor)
            .where(TwoFactor.user_id == self.user_id, TwoFactor.last_step < step)
            .values(last_step=step)
            .execution_options(synchronize_session=False)
        )
        return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


class RecoveryCode(Base):
    """A one-time code for a log-in without the authenticator app, kept as a digest."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime.datetime | None] = mapped_column(default=None)

    @staticmethod
    def _digest(code: str) -> str:
        # The codes are 80 random bits: a fast hash is enough, no stretching needed.
        return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()

    @staticmethod
    def replace_all(user_id: int, codes: list[str] | None = None) -> list[str]:
        """New recovery codes for the account (made here unless given); the old ones end."""
        if codes is None:
            codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        db.session.add_all(
            RecoveryCode(user_id=user_id, digest=RecoveryCode._digest(code)) for code in codes
        )
        return codes

    @staticmethod
    def use(user_id: int, code: str) -> bool:
        """Spend code if it is one of the account's unused ones."""
        spent = db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.digest == RecoveryCode._digest(code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        return bool(spent.rowcount >= 1)  # type: ignore[attr-defined]

    @staticmethod
    def left(user_id: int) -> int:
        """How many of the account's recovery codes are unused."""
        return int(
            db.session.scalar(
                select(func.count())
                .select_from(RecoveryCode)
                .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
            )
            or 0
        )


def _new_code() -> str:
    raw = secrets.token_hex(10)
    return "-".join(raw[start : start + 5] for start in range(0, 20, 5))


def accept_second_factor(user_id: int, code: str, now: datetime.datetime) -> bool:
    """Whether code, from the app or a recovery code, lets the account in; each works once."""
    found = TwoFactor.of(user_id)
    if found is None or found.enabled_at is None:
        return False
    step = found.matching_step(code, now)
    if step is not None:
        return found.claim_step(step)
    return RecoveryCode.use(user_id, code)


def switch_on(user: User, secret: str, step: int, codes: list[str] | None = None) -> list[str]:
    """Ask for secret's codes at every log-in from now, and end every other session.

    step is the newest time step already used; codes are recovery codes the user
    already has (made here if None). Returns the recovery codes.
    """
    found = TwoFactor.begin(user.id, secret)
    found.enabled_at = utcnow()
    found.last_step = step
    user.end_sessions()
    return RecoveryCode.replace_all(user.id, codes)


def turn_off(user_id: int) -> None:
    """The account logs in with its password alone again."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user_id))
