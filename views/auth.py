"""Account set-up, log-in and log-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from localization import select_locale
from models import EmailSettings, User, db
from models.login_session import LoginSession
from models.two_factor import TwoFactor, accept_second_factor
from views.forms import LoginForm, SetupForm
from views.log_ins import log_in
from views.ratelimit import limiter, too_many
from views.two_factor import CodeForm, wrong_code

bp = Blueprint("auth", __name__)

# The calendar feed is opened by calendar apps, with the long secret in its address.
PUBLIC_ENDPOINTS = frozenset(
    {
        "api.summary",  # it checks its own key
        "auth.setup",
        "auth.login",
        "auth.second_factor",
        "calendar.feed",
        "health.check",
        "icons.apple_touch_icon",
        "static",
    }
)
# A password that was right waits this long for its second factor.
SECOND_FACTOR_SECONDS = 300


def guard() -> Response | None:
    """Send visitors to set-up while no account exists, otherwise to log-in."""
    if isinstance(request.routing_exception, BadRequest):
        return None  # a host no address can be built for: Flask answers 400 itself
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if current_user.is_authenticated:
        # Here, before any view has changed anything, so its commit commits only this.
        current_user.login_session.seen(current_app.config["CLOCK"]())
        return None
    if not User.any_exist():
        return redirect(url_for("auth.setup"))
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _safe_next(target: str | None) -> str:
    parts = urlsplit(target or "")
    if target and not parts.scheme and not parts.netloc and target.startswith("/"):
        return target
    return url_for("dashboard.index")


@bp.route("/setup", methods=["GET", "POST"])
def setup() -> Response | str | tuple[str, int]:
    """Create the first account, which administers Dues."""
    if User.any_exist():
        return redirect(url_for("auth.login"))
    form = SetupForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("setup.html", form=form), status
    user = User(username=(form.username.data or "").strip(), email=form.email.data, is_admin=True)
    # The language the set-up page was shown in, from the browser's Accept-Language.
    user.locale = select_locale() or "en"
    user.set_password(form.password.data or "")
    user.email_settings = EmailSettings(from_email="")
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Another set-up won the race; the database allows one administrator only.
        db.session.rollback()
        return redirect(url_for("auth.login"))
    log_in(user)
    flash(_("Your account is ready. Set up email notifications to get reminders."))
    return redirect(url_for("notifications.settings_page"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    """Log in with username and password."""
    if not User.any_exist():
        return redirect(url_for("auth.setup"))
    form = LoginForm()
    if form.validate_on_submit():
        username = (form.username.data or "").strip()
        address = request.remote_addr
        # Per address and username, and per address: never per username alone, or
        # anyone could lock anyone out by typing wrong passwords for them.
        wait = limiter("login_address").wait_needed([("address", address)]) or limiter(
            "login"
        ).wait_needed([("pair", address, username)])
        if wait:
            form.password.errors = [too_many("log-in", wait)]
            return render_template("login.html", form=form), 429
        user = User.authenticate(username, form.password.data or "")
        if user is not None and TwoFactor.is_on(user.id):
            session["second_factor"] = {
                "account": user.id,
                "since": current_app.config["CLOCK"]().timestamp(),
                "next": _safe_next(request.args.get("next")),
                "remember": bool(form.remember.data),
            }
            return redirect(url_for("auth.second_factor"))
        if user is not None:
            log_in(user, remember=bool(form.remember.data))
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors = [_("Wrong username or password.")]
    status = 422 if form.is_submitted() else 200
    return render_template("login.html", form=form), status


def _waiting_for_second_factor() -> tuple[User, str, bool] | None:
    """Who typed the right password a moment ago, where to, and whether to stay logged in."""
    waiting = session.get("second_factor")
    if not isinstance(waiting, dict):
        return None
    since = waiting.get("since")
    now = current_app.config["CLOCK"]().timestamp()
    if not isinstance(since, float) or not 0 <= now - since <= SECOND_FACTOR_SECONDS:
        return None
    account = waiting.get("account")
    user = db.session.get(User, account) if isinstance(account, int) else None
    if user is None:
        return None
    return user, _safe_next(str(waiting.get("next"))), waiting.get("remember") is True


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor() -> Response | str | tuple[str, int]:
    """The log-in's second step: a code from the authenticator app, or a recovery code."""
    waiting = _waiting_for_second_factor()
    if waiting is None:
        session.pop("second_factor", None)
        return redirect(url_for("auth.login"))
    user, target, remember = waiting
    form = CodeForm()
    if form.validate_on_submit():
        # Per account: the password is already known, so the code is all that is left.
        wait = limiter("two_factor").wait_needed([("account", user.id)])
        if wait:
            form.code.errors = [too_many("log-in", wait)]
            return render_template("login_code.html", form=form), 429
        now = current_app.config["CLOCK"]()
        accepted = accept_second_factor(user.id, form.code.data or "", now)
        db.session.commit()
        if accepted:
            session.pop("second_factor", None)
            log_in(user, remember=remember)
            return redirect(target)
        form.code.errors = [wrong_code()]
    status = 422 if form.is_submitted() else 200
    return render_template("login_code.html", form=form), status


@bp.post("/logout")
def logout() -> Response:
    """Log out this device, every copy of its cookie too, and go back to the log-in page."""
    if current_user.is_authenticated and current_user.login_session is not None:
        LoginSession.end(current_user.id, current_user.login_session.id)
        db.session.commit()
    logout_user()
    session.clear()  # nothing of this session, flashed messages included, outlives it
    return redirect(url_for("auth.login"))
