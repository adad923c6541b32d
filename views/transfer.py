"""The account's data page: export (JSON and CSV), and import from Wallos or a Dues export."""

from __future__ import annotations

import json

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
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.wrappers import Response
from wtforms import BooleanField, Field, PasswordField
from wtforms.validators import ValidationError

from importers import ImportRefused
from importers.apply import ImportResult, apply_plan
from importers.csv_export import subscriptions_csv
from importers.dues_format import export_document
from importers.pending import drop_upload, keep_upload, kept_upload
from importers.sealed import MIN_PASSPHRASE, WrongPassphrase
from importers.sources import Reading, choices_from, read_plan
from importers.upload import MAX_UPLOAD, read_upload
from models import Subscription, db, utcnow
from views.log_ins import this_device_stays

bp = Blueprint("transfer", __name__, url_prefix="/account/data")
_PENDING = "import_upload"
_NO_STORE = {"Cache-Control": "no-store"}


def raise_upload_limit() -> None:
    """Let a signed-in account upload a backup larger than other pages accept."""
    if request.endpoint == "transfer.upload" and current_user.is_authenticated:
        request.max_content_length = MAX_UPLOAD


class ExportForm(FlaskForm):
    """Whether the export carries the account's secrets, sealed with a passphrase."""

    include_secrets = BooleanField(_l("Include secrets (SMTP password, OAuth client secret)"))
    passphrase = PasswordField(_l("Passphrase"))

    def validate_passphrase(self, field: Field) -> None:
        """A passphrase long enough to seal the secrets, when they are included."""
        if self.include_secrets.data and len(field.data or "") < MIN_PASSPHRASE:
            raise ValidationError(
                _("Type a passphrase of at least %(num)d characters.", num=MIN_PASSPHRASE)
            )


class UploadForm(FlaskForm):
    """The file to import."""

    file = FileField(_l("File"))


def _page(export: ExportForm | None = None, upload: UploadForm | None = None,
          error: str = "", status: int = 200) -> tuple[str, int]:  # fmt: skip
    page = render_template(
        "transfer.html", export=export or ExportForm(), upload=upload or UploadForm(), error=error
    )
    return page, status


def _download(body: str | bytes, mimetype: str, name: str) -> Response:
    """A file the browser saves, never kept in a cache: it is the account's data."""
    headers = {"Content-Disposition": f'attachment; filename="{name}"'} | _NO_STORE
    return Response(body, mimetype=mimetype, headers=headers)


@bp.get("")
def index() -> tuple[str, int]:
    """The export forms and the import upload."""
    return _page()


@bp.post("/export")
def export() -> Response | tuple[str, int]:
    """The account as one JSON document, secrets sealed only if asked for."""
    form = ExportForm()
    if not form.validate():
        return _page(export=form, status=422)
    passphrase = (form.passphrase.data or "") if form.include_secrets.data else ""
    document = export_document(current_user, utcnow(), passphrase)
    body = json.dumps(document, ensure_ascii=False, indent=1)
    return _download(
        body, "application/json", f"dues-{current_user.username}-{utcnow().date()}.json"
    )


@bp.get("/subscriptions.csv")
def export_csv() -> Response:
    """The subscriptions as a CSV file."""
    body = subscriptions_csv(Subscription.for_user(current_user.id))
    return _download(body, "text/csv", f"dues-subscriptions-{utcnow().date()}.csv")


@bp.post("/upload")
def upload() -> Response | tuple[str, int]:
    """Check the file is one Dues reads, keep it, and show its preview."""
    form = UploadForm()
    file = form.file.data if form.validate() else None
    if file is None or not getattr(file, "filename", ""):
        return _page(upload=form, error=_("Choose a file to import."), status=422)
    with file.stream:
        data = file.stream.read(MAX_UPLOAD + 1)
    try:
        read_upload(data)
    except ImportRefused as exc:
        return _page(upload=form, error=str(exc), status=422)
    if token := session.get(_PENDING):
        drop_upload(current_app.instance_path, current_user.id, token)
    session[_PENDING] = keep_upload(current_app.instance_path, current_user.id, data)
    return redirect(url_for(".preview"))


def _dry_run(reading: Reading) -> ImportResult:
    """What importing would do: the import itself, rolled back."""
    try:
        return apply_plan(reading.plan, current_user)
    except (IntegrityError, DataError) as exc:
        raise ImportRefused(
            _("The file holds values Dues cannot store (%(problem)s).", problem=exc.orig)
        ) from exc
    finally:
        db.session.rollback()


@bp.route("/preview", methods=["GET", "POST"])
def preview() -> Response | tuple[str, int]:
    """What the kept upload brings with the choices made; on "Import", do it."""
    token = session.get(_PENDING, "")
    data = kept_upload(current_app.instance_path, current_user.id, token)
    if data is None:
        flash(_("Choose the file again: the uploaded one is no longer kept."))
        return redirect(url_for(".index"))
    form = FlaskForm()
    if request.method == "POST" and not form.validate():
        return redirect(url_for(".preview"))
    choices = (
        choices_from(request.form)
        if request.method == "POST"
        else choices_from({"with_email": "on", "with_two_factor": "on"})
    )
    passphrase_error = ""
    try:
        upload = read_upload(data)
        try:
            reading = read_plan(upload, choices, current_user.username, current_user.currency)
        except WrongPassphrase as exc:
            passphrase_error, choices.passphrase = str(exc), ""
            reading = read_plan(upload, choices, current_user.username, current_user.currency)
        result = _dry_run(reading)
    except ImportRefused as exc:
        return _page(error=str(exc), status=422)
    if request.form.get("action") == "import" and not reading.plan.questions:
        return _import(reading, token)
    status = 422 if request.form.get("action") == "import" or passphrase_error else 200
    page = render_template(
        "import_preview.html",
        form=form,
        reading=reading,
        result=result,
        choices=choices,
        passphrase_error=passphrase_error,
    )
    return page, status


def _import(reading: Reading, token: str) -> Response | tuple[str, int]:
    try:
        # Two-factor sign-in brought along ends every log-in of the account.
        with this_device_stays():
            result = apply_plan(reading.plan, current_user)
            db.session.commit()
    except (IntegrityError, DataError):
        db.session.rollback()
        return _page(
            error=_(
                "Another import changed this account meanwhile; nothing was imported. Try again."
            ),
            status=409,
        )
    drop_upload(current_app.instance_path, current_user.id, token)
    session.pop(_PENDING, None)
    made = ", ".join(result.made()) or _("nothing new")
    flash(_("Imported from the %(source)s: %(made)s.", source=_(reading.plan.source), made=made))
    return redirect(url_for("subscriptions.index"))


@bp.post("/cancel")
def cancel() -> Response:
    """Forget the kept upload."""
    if FlaskForm().validate() and (token := session.pop(_PENDING, None)):
        drop_upload(current_app.instance_path, current_user.id, token)
    return redirect(url_for(".index"))
