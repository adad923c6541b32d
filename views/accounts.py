"""The administrator's care of the other accounts: a new password, or deletion."""

from __future__ import annotations

import click
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from models import Channel, Subscription, User, db
from views.forms import NewPasswordForm

bp = Blueprint("accounts", __name__, url_prefix="/account/users", cli_group="accounts")


@bp.before_request
def administrator_only() -> None:
    """Only the administrator cares for other accounts."""
    if current_user.is_authenticated and not current_user.is_admin:
        abort(403)


def _other_account(user_id: int) -> User:
    """Another account than the administrator's own; 404 for anything else."""
    user = db.session.get(User, user_id)
    if user is None or user.is_admin:
        abort(404)
    return user


def _page(user: User, form: NewPasswordForm | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("account_user.html", user=user, form=form or NewPasswordForm()), status


@bp.get("/<id:user_id>")
def manage(user_id: int) -> tuple[str, int]:
    """One account, for a new password or deletion."""
    return _page(_other_account(user_id))


@bp.post("/<id:user_id>/password")
def set_password(user_id: int) -> Response | tuple[str, int]:
    """Give the account a new password, for someone who forgot theirs; their sessions end."""
    user = _other_account(user_id)
    form = NewPasswordForm()
    if not form.validate():
        return _page(user, form, 422)
    user.set_password(form.new_password.data or "")  # and every log-in of it ends
    db.session.commit()
    flash(
        _(
            "New password set for %(username)s. Every session of the account has been logged out.",
            username=user.username,
        )
    )
    return redirect(url_for(".manage", user_id=user.id))


@bp.route("/<id:user_id>/delete", methods=["GET", "POST"])
def delete(user_id: int) -> Response | str:
    """Ask, then delete the account with everything of it."""
    user = _other_account(user_id)
    if request.method != "POST":
        return render_template(
            "account_user_delete.html",
            user=user,
            subscriptions=len(Subscription.for_user(user.id)),
            channels=len(Channel.for_user(user.id)),
        )
    db.session.delete(user)  # its rows go with it: every foreign key to it cascades
    db.session.commit()
    flash(_("Account %(username)s and everything of it deleted.", username=user.username))
    return redirect(url_for("account.index"))


def account_named(username: str) -> User:
    """The account a command names; the command stops in words if there is none."""
    user = User.by_username(username)
    if user is None:
        raise click.ClickException(_("There is no account called %(username)s.", username=username))
    return user


@bp.cli.command("set-password")
@click.argument("username")
@click.password_option("--password", prompt="New password", help="Asked for when not given.")
def set_password_command(username: str, password: str) -> None:
    """Give an account a new password, the administrator's too; every session of it ends."""
    user = account_named(username)
    if not 8 <= len(password) <= 512:
        raise click.ClickException(_("Use 8 to 512 characters."))
    user.set_password(password)  # and every log-in of it ends
    db.session.commit()
    click.echo(
        _(
            "New password set for %(username)s. Every session of the account has been logged out.",
            username=username,
        )
    )
