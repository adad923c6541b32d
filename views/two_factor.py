"""Two-factor sign-in on the account page: set it up, new recovery codes, turn it off."""

from __future__ import annotations

import click
import segno
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from models import UndecryptableSecret, db
from models.two_factor import (
    RecoveryCode,
    TwoFactor,
    accept_second_factor,
    switch_on,
    turn_off,
)
from views.accounts import account_named
from views.forms import CurrentPasswordForm
from views.log_ins import this_device_stays

bp = Blueprint("two_factor", __name__, url_prefix="/account/two-factor", cli_group="two-factor")

# The secret and the recovery codes are on these pages: no cache may keep them.
NO_STORE = {"Cache-Control": "no-store"}


class CodeForm(FlaskForm):
    """A code from the authenticator app, or a recovery code."""

    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(_l("Enter the 6-digit code your authenticator app shows.")),
            Length(max=64, message=_l("That code is not right, or it was already used.")),
        ],
    )


class TurnOffForm(CurrentPasswordForm, CodeForm):
    """The current password and a code: what turning the second factor off takes."""


def wrong_code() -> str:
    """What a code that lets nobody in gets: it never says which of the two it was."""
    return str(_("That code is not right, or it was already used."))


def _qr_code(found: TwoFactor) -> Markup:
    """The QR code that hands the waiting secret to the authenticator app."""
    uri = found.provisioning_uri(current_user.username)
    title = _("QR code for your authenticator app")
    return Markup(
        segno.make(uri, error="m").svg_inline(scale=4, border=2, light="#fff", title=title)
    )


def _page(status: int = 200, **forms: FlaskForm) -> tuple[str, int, dict[str, str]]:
    found = TwoFactor.of(current_user.id)
    qr = None
    if found is not None and found.enabled_at is None:
        try:
            qr = _qr_code(found)
        except UndecryptableSecret:
            found = None  # the secret key changed since set-up began: it starts again
    page = render_template(
        "two_factor.html",
        found=found,
        qr=qr,
        left=RecoveryCode.left(current_user.id) if found and found.enabled_at else 0,
        confirm=forms.get("confirm") or CodeForm(prefix="confirm"),
        renew=forms.get("renew") or CurrentPasswordForm(prefix="renew"),
        off=forms.get("off") or TurnOffForm(prefix="off"),
    )
    return page, status, NO_STORE


def _recovery_codes_page(codes: list[str]) -> tuple[str, int, dict[str, str]]:
    return render_template("recovery_codes.html", codes=codes), 200, NO_STORE


@bp.get("")
def index() -> tuple[str, int, dict[str, str]]:
    """Where two-factor sign-in is set up, and changed once it is on."""
    return _page()


@bp.post("/begin")
def begin() -> Response:
    """A new secret for the authenticator app, waiting for its first code."""
    if not TwoFactor.is_on(current_user.id):
        TwoFactor.begin(current_user.id)
        db.session.commit()
    return redirect(url_for(".index"))


@bp.post("/confirm")
def confirm() -> Response | tuple[str, int, dict[str, str]]:
    """Switch the second factor on once the app's first code matches."""
    form = CodeForm(prefix="confirm")
    found = TwoFactor.of(current_user.id)
    if found is None or found.enabled_at is not None:
        return redirect(url_for(".index"))
    if form.validate():
        now = current_app.config["CLOCK"]()
        step = found.matching_step(form.code.data or "", now)
        if step is None:
            form.code.errors = [wrong_code()]
        else:
            with this_device_stays():
                codes = switch_on(current_user, found.secret, step)  # every log-in ends
                db.session.commit()
            flash(_("Two-factor sign-in is on. Every other session has been logged out."))
            return _recovery_codes_page(codes)
    return _page(422, confirm=form)


@bp.post("/recovery-codes")
def renew() -> Response | tuple[str, int, dict[str, str]]:
    """New recovery codes, after the current password; the old ones stop working."""
    form = CurrentPasswordForm(prefix="renew")
    if form.validate():
        form.confirms(current_user)
    if form.errors or not TwoFactor.is_on(current_user.id):
        return _page(422, renew=form)
    codes = RecoveryCode.replace_all(current_user.id)
    db.session.commit()
    return _recovery_codes_page(codes)


@bp.post("/off")
def off() -> Response | tuple[str, int, dict[str, str]]:
    """Log in with the password alone again, after the password and a code."""
    form = TurnOffForm(prefix="off")
    if form.validate() and form.confirms(current_user):
        now = current_app.config["CLOCK"]()
        if not accept_second_factor(current_user.id, form.code.data or "", now):
            form.code.errors = [wrong_code()]
    if form.errors:
        return _page(422, off=form)
    turn_off(current_user.id)
    db.session.commit()
    flash(_("Two-factor sign-in is off: your password alone logs you in."))
    return redirect(url_for("account.index"))


@bp.cli.command("off")
@click.argument("username")
def off_command(username: str) -> None:
    """Turn two-factor sign-in off for an account that lost its app and its recovery codes."""
    user = account_named(username)
    turn_off(user.id)
    user.end_sessions()
    db.session.commit()
    click.echo(
        _(
            "Two-factor sign-in is off for %(username)s: the password alone logs in, "
            "and every session of the account has been logged out.",
            username=username,
        )
    )
