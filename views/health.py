"""The health check for containers and monitors: the database answers, nothing else told."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from models import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def check() -> tuple[str, int, dict[str, str]]:
    """200 "ok" when the database answers, 503 when it does not; needs no log-in."""
    headers = {"Content-Type": "text/plain", "Cache-Control": "no-store"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "database unavailable\n", 503, headers
    return "ok\n", 200, headers
