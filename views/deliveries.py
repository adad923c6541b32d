"""The notification log: every reminder, on every channel, sent or not, and why."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from models import Delivery

bp = Blueprint("deliveries", __name__, url_prefix="/log")


@bp.get("")
def index() -> str:
    """The account's delivery records, newest first; of one channel with ?channel=."""
    channels = Delivery.channels_of(current_user.id)
    chosen = request.args.get("channel", "")
    if chosen not in {key for key, _ in channels}:
        chosen = ""
    return render_template(
        "log.html",
        deliveries=Delivery.log_for(current_user.id, chosen or None),
        channels=channels,
        chosen=chosen,
    )
