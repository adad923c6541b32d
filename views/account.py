"""The account page: email, main currency, password; and, for the admin, the accounts."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import DataRequired, Length, ValidationError

from localization import LOCALES
from models import ApiKey, AppSettings, EmailSettings, TwoFactor, User, db, parse_networks
from models.login_session import LoginSession
from views.fields import EmailAddressField, valid_address
from views.forms import CurrentPasswordForm, NewPasswordForm, SetupForm
from views.log_ins import this_device_stays
from views.subscription_form import valid_currency

bp = Blueprint("account", __name__, url_prefix="/account")


class DetailsForm(FlaskForm):
    """What the account is reached at and counts in."""

    email = EmailAddressField(
        _l("Email"), validators=[DataRequired(_l("Enter your email.")), valid_address]
    )
    currency = StringField(_l("Main currency"), validators=[valid_currency])
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, label) for code, label in LOCALES.items()],
        default="en",
        validate_choice=True,
    )


def valid_networks(form: FlaskForm, field: Field) -> None:
    """Accept networks and addresses such as 192.168.1.0/24, 10.0.0.5."""
    try:
        parse_networks(field.data or "")
    except ValueError as exc:
        raise ValidationError(
            _("%(problem)s: write networks such as 192.168.1.0/24.", problem=exc)
        ) from exc


class NetworksForm(FlaskForm):
    """Internal networks that every account may send through."""

    allowed_networks = TextAreaField(
        _l("Allowed networks"), validators=[Length(max=5000), valid_networks]
    )


class PasswordForm(CurrentPasswordForm, NewPasswordForm):
    """A new password, confirmed by the current one."""


# Marks in a User-Agent header, in the order that tells them apart (Edge says Chrome too).
_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def device_name(user_agent: str) -> str:
    """A log-in's browser and system, as a person names them: "Firefox on Android"."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return str(_("%(browser)s on %(system)s", browser=browser, system=system))
    return browser or system or str(_("An unknown browser"))


def _page(status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    details = forms.get("details") or DetailsForm(obj=current_user)
    password = forms.get("password") or PasswordForm()
    new_account = forms.get("new_account") or SetupForm(prefix="new")
    networks = forms.get("networks") or NetworksForm(obj=AppSettings.current())
    accounts = (
        list(db.session.scalars(select(User).order_by(User.id))) if current_user.is_admin else []
    )
    page = render_template(
        "account.html",
        details=details,
        password=password,
        new_account=new_account,
        networks=networks,
        accounts=accounts,
        two_factor_on=TwoFactor.is_on(current_user.id),
        # For the administrator's list: who has a second factor, and who was here when.
        second_factors=TwoFactor.accounts_on() if current_user.is_admin else set(),
        last_uses=LoginSession.last_uses() if current_user.is_admin else {},
        sessions=LoginSession.of(current_user.id),
        api_key=ApiKey.of(current_user.id),
        device_name=device_name,
    )
    return page, status


@bp.get("")
def index() -> tuple[str, int]:
    """Show the account's details and, for the admin, every account."""
    return _page()


@bp.post("")
def save_details() -> Response | tuple[str, int]:
    """Change the email and main currency."""
    form = DetailsForm()
    if not form.validate():
        return _page(422, details=form)
    current_user.email = form.email.data
    current_user.currency = form.currency.data
    current_user.locale = form.locale.data
    db.session.commit()
    flash(_("Account saved."))
    return redirect(url_for(".index"))


@bp.post("/password")
def change_password() -> Response | tuple[str, int]:
    """Change the password, after checking the current one."""
    form = PasswordForm()
    if form.validate():
        form.confirms(current_user)
    if form.errors:
        return _page(422, password=form)
    with this_device_stays():
        current_user.set_password(form.new_password.data or "")  # every log-in ends
        db.session.commit()
    flash(_("Password changed. Every other session of this account has been logged out."))
    return redirect(url_for(".index"))


@bp.post("/sessions")
def end_other_sessions() -> Response:
    """Log out every other session of the account: another browser, a lost phone."""
    with this_device_stays():
        current_user.end_sessions()
        db.session.commit()
    flash(_("Every other session of this account has been logged out."))
    return redirect(url_for(".index"))


@bp.post("/sessions/<id:session_id>/end")
def end_session(session_id: int) -> Response:
    """Log out one other session of the account, from the list of them."""
    LoginSession.end(current_user.id, session_id)
    db.session.commit()
    flash(_("That session has been logged out."))
    return redirect(url_for(".index"))


@bp.post("/users")
def add_account() -> Response | tuple[str, int]:
    """The admin adds an account; nobody else can."""
    if not current_user.is_admin:
        abort(403)
    form = SetupForm(prefix="new")
    if form.validate() and User.by_username((form.username.data or "").strip()):
        form.username.errors = [_("That username is taken.")]
    if form.errors:
        return _page(422, new_account=form)
    user = User(
        username=(form.username.data or "").strip(),
        email=form.email.data,
        locale=current_user.locale,  # the administrator's language, until they choose theirs
    )
    user.set_password(form.password.data or "")
    user.email_settings = EmailSettings()
    db.session.add(user)
    db.session.commit()
    flash(_("Account %(username)s added.", username=user.username))
    return redirect(url_for(".index"))


@bp.post("/networks")
def save_networks() -> Response | tuple[str, int]:
    """The admin lets other accounts send through some internal networks."""
    if not current_user.is_admin:
        abort(403)
    form = NetworksForm()
    if not form.validate():
        return _page(422, networks=form)
    networks = parse_networks(form.allowed_networks.data or "")
    AppSettings.current().allowed_networks = ", ".join(str(network) for network in networks)
    db.session.commit()
    flash(_("Allowed networks saved."))
    return redirect(url_for(".index"))
