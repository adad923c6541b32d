"""The channels pages: list, add, edit, delete, and "Send test notification"."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from channels import KINDS, ChannelError, Receipt, deliver
from models import Category, Channel, db, utcnow
from reminder_email import compose_notification, sample_items
from views.channel_form import ChannelForm, apply_form, form_for, stored_secret_hints
from views.ratelimit import TalksBusy, server_talks, too_often

bp = Blueprint("channels", __name__, url_prefix="/settings/channels")


@dataclass(frozen=True)
class TestOutcome:
    """What "Send test notification" did: a receipt, or the error saying why not."""

    trust: str
    receipt: Receipt | None = None
    error: ChannelError | None = None


def _categories() -> list[Category]:
    return Category.for_user(current_user.id)


def _owned(channel_id: int) -> Channel:
    channel = Channel.owned(channel_id, current_user.id)
    if channel is None:
        abort(404)
    return channel


def _new(kind: str) -> Channel:
    if kind not in KINDS:
        abort(404)
    user = current_user._get_current_object()
    return Channel(
        user=user,
        user_id=user.id,
        kind=kind,
        name=_(KINDS[kind].label),
        settings="{}",
        trust="verify",
        ca_certificates="",
        enabled=True,
        only_categories=False,
    )


def _page(
    channel: Channel,
    form: ChannelForm,
    *,
    status: int = 200,
    outcome: TestOutcome | None = None,
    notice: str = "",
) -> tuple[str, int]:
    page = render_template(
        "channel_form.html",
        channel=channel,
        kind=channel.kind_info,
        form=form,
        stored=stored_secret_hints(channel) if channel.id else {},
        outcome=outcome,
        notice=notice,
    )
    return page, status


@bp.get("")
def index() -> str:
    """The account's channels, and the kinds a new one can be."""
    settings = current_user.email_settings
    return render_template(
        "channels.html",
        channels=Channel.for_user(current_user.id),
        kinds=KINDS,
        email_on=bool(settings and settings.enabled),
    )


@bp.get("/new/<kind>")
def new(kind: str) -> tuple[str, int]:
    """An empty form for a new channel of kind."""
    channel = _new(kind)
    return _page(channel, form_for(channel, _choices()))


@bp.get("/<id:channel_id>")
def edit(channel_id: int) -> tuple[str, int]:
    """The channel's form with its stored values; secrets are never sent back."""
    channel = _owned(channel_id)
    return _page(channel, form_for(channel, _choices()))


def _choices() -> list[tuple[int, str]]:
    return [(category.id, category.name) for category in _categories()]


def _submitted(channel: Channel) -> tuple[ChannelForm, bool]:
    """The posted form applied to channel (uncommitted); whether it is valid."""
    form = form_for(channel, _choices())
    valid = form.validate()
    with db.session.no_autoflush:
        applied = apply_form(form, channel, _categories())
    return form, valid and applied


def _save(channel: Channel) -> Response | tuple[str, int]:
    form, valid = _submitted(channel)
    if not valid:
        db.session.rollback()
        return _page(channel, form, status=422)
    db.session.add(channel)
    db.session.commit()
    flash(_("Saved “%(name)s”.", name=channel.name))
    return redirect(url_for("channels.edit", channel_id=channel.id))


@bp.post("/new/<kind>")
def create(kind: str) -> Response | tuple[str, int]:
    """Add the channel, if its settings make a usable URL."""
    return _save(_new(kind))


@bp.post("/<id:channel_id>")
def update(channel_id: int) -> Response | tuple[str, int]:
    """Save the channel's settings."""
    return _save(_owned(channel_id))


def _test(channel: Channel) -> tuple[str, int]:
    """Send a sample reminder with the form's values, saved or not; save nothing."""
    form, valid = _submitted(channel)
    try:
        with db.session.no_autoflush:
            return _tested(channel, form, valid)
    finally:
        db.session.rollback()  # a test changes nothing that is stored


def _tested(channel: Channel, form: ChannelForm, valid: bool) -> tuple[str, int]:
    if not valid:
        return _page(channel, form, status=422)
    if refusal := too_often("messages"):
        return _page(channel, form, status=429, notice=refusal)
    target = channel.target()
    sample = compose_notification(current_user, sample_items(current_user, utcnow().date()))
    notification = dataclasses.replace(sample, title=_("Test: %(title)s", title=sample.title))
    try:
        with server_talks().slot(current_user.id):
            outcome = TestOutcome(target.trust, receipt=deliver(target, notification))
    except ChannelError as error:
        outcome = TestOutcome(target.trust, error=error)
    except TalksBusy as busy:
        return _page(channel, form, status=429, notice=str(busy))
    return _page(channel, form, outcome=outcome)


@bp.post("/new/<kind>/test")
def test_new(kind: str) -> tuple[str, int]:
    """Send a test notification with the values of a channel not yet added."""
    return _test(_new(kind))


@bp.post("/<id:channel_id>/test")
def test(channel_id: int) -> tuple[str, int]:
    """Send a test notification with the page's values."""
    return _test(_owned(channel_id))


@bp.post("/<id:channel_id>/delete")
def delete(channel_id: int) -> Response:
    """Remove the channel; its past records stay in the log under its name."""
    channel = _owned(channel_id)
    db.session.delete(channel)
    db.session.commit()
    flash(_("Removed “%(name)s”.", name=channel.name))
    return redirect(url_for("channels.index"))
