"""Token buckets for rate limits, in the database so that every serving process shares them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, String, bindparam, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, db


class RateLimitBucket(Base):
    """One key's bucket in one limit: it holds up to `limit` tries and refills steadily."""

    __tablename__ = "rate_limit_bucket"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    # A digest of what is limited (an address, an account): never the value itself.
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    tokens: Mapped[float]
    updated_at: Mapped[float]
    # When the bucket is full again, and the row says nothing a missing row would not.
    full_at: Mapped[float] = mapped_column(index=True)


def take_tries(scope: str, keys: Sequence[str], limit: int, period: float, now: float) -> float:
    """Take one try from every key's bucket, all or none; 0 if taken, else seconds to wait.

    One UPDATE takes them, only where a whole try is left, so processes sharing
    the database never take more than the limit between them.
    """
    rate = limit / period
    wanted = sorted(set(keys))
    refilled = case(
        (
            RateLimitBucket.tokens + (now - RateLimitBucket.updated_at) * rate >= limit,
            float(limit),
        ),
        else_=RateLimitBucket.tokens + (now - RateLimitBucket.updated_at) * rate,
    )
    mine = (RateLimitBucket.scope == scope, RateLimitBucket.key.in_(wanted))
    with db.engine.connect() as connection:
        _add_missing(connection, scope, wanted, limit, now)
        taken = connection.execute(
            update(RateLimitBucket)
            .where(*mine, refilled >= 1)
            .values(
                tokens=refilled - 1,
                updated_at=now,
                full_at=now + (limit - (refilled - 1)) / rate,
            )
            .returning(RateLimitBucket.key)
        ).all()
        if len(taken) == len(wanted):
            connection.commit()
            return 0.0
        connection.rollback()
        lowest = connection.scalar(select(func.min(refilled)).where(*mine))
        connection.rollback()
    return (1 - float(lowest if lowest is not None else 0)) / rate


def _add_missing(
    connection: Connection, scope: str, keys: Sequence[str], limit: int, now: float
) -> None:
    """A full bucket for each key that has none."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    rows = [
        {"scope": scope, "key": key, "tokens": float(limit), "updated_at": now, "full_at": now}
        for key in keys
    ]
    connection.execute(insert(RateLimitBucket).on_conflict_do_nothing(), rows)


def prune_buckets(now: float) -> None:
    """Forget the buckets that are full again; rows another process holds are left to it."""
    idle = (
        select(RateLimitBucket.scope, RateLimitBucket.key)
        .where(RateLimitBucket.full_at <= now)
        .with_for_update(skip_locked=True)
    )
    with db.engine.begin() as connection:
        stale = connection.execute(idle).all()
        if stale:
            connection.execute(
                delete(RateLimitBucket).where(
                    RateLimitBucket.scope == bindparam("s"), RateLimitBucket.key == bindparam("k")
                ),
                [{"s": scope, "k": key} for scope, key in stale],
            )


def bucket_count(scope: str) -> int:
    """How many keys of scope have a bucket now."""
    count = db.session.scalar(
        select(func.count()).select_from(RateLimitBucket).where(RateLimitBucket.scope == scope)
    )
    return int(count or 0)
