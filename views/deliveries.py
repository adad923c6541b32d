"""The notification log: every reminder, sent or not, and why."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from models import Delivery

bp = Blueprint("deliveries", __name__, url_prefix="/log")


@bp.get("")
def index() -> str:
    """The account's delivery records, newest first."""
    return render_template("log.html", deliveries=Delivery.log_for(current_user.id))
