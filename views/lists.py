"""The account's lists: categories, payment methods and household members."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import DataRequired, Length, Optional

from models import Category, HouseholdMember, ListEntry, PaymentMethod, Subscription, db
from views.fields import EmailAddressField, no_control_characters, valid_address

bp = Blueprint("lists", __name__, url_prefix="/lists")


@dataclass(frozen=True)
class Kind:
    """One kind of list: its model, and what the page says of it in whole sentences.

    Whole sentences, not a noun put into one: languages inflect the noun and what
    goes with it (diese Kategorie, dieses Mitglied).
    """

    model: type[ListEntry]
    title: str
    add: str
    none: str
    taken: Callable[[str], str]
    used_by: Callable[[int], str]
    unused: str


KINDS = {
    "categories": Kind(
        Category,
        _l("Categories"),
        _l("Add category"),
        _l("no category"),
        lambda name: _("There is already a category %(name)s.", name=name),
        lambda num: ngettext(
            "%(num)d subscription uses this category.",
            "%(num)d subscriptions use this category.",
            num,
        ),
        _l("No subscription uses this category."),
    ),
    "payment-methods": Kind(
        PaymentMethod,
        _l("Payment methods"),
        _l("Add payment method"),
        _l("no payment method"),
        lambda name: _("There is already a payment method %(name)s.", name=name),
        lambda num: ngettext(
            "%(num)d subscription uses this payment method.",
            "%(num)d subscriptions use this payment method.",
            num,
        ),
        _l("No subscription uses this payment method."),
    ),
    "household": Kind(
        HouseholdMember,
        _l("Household"),
        _l("Add member"),
        _l("nobody"),
        lambda name: _("There is already a member %(name)s.", name=name),
        lambda num: ngettext(
            "%(num)d subscription is paid by this member.",
            "%(num)d subscriptions are paid by this member.",
            num,
        ),
        _l("No subscription is paid by this member."),
    ),
}


class EntryForm(FlaskForm):
    """A name, and for household members an optional email for their reminders."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter a name.")), Length(max=50), no_control_characters],
    )
    email = EmailAddressField(_l("Email (optional)"), validators=[Optional(), valid_address])


def _kind(kind_name: str) -> Kind:
    kind = KINDS.get(kind_name)
    if kind is None:
        abort(404)
    return kind


def _entry(kind: Kind, entry_id: int) -> ListEntry:
    entry = kind.model.owned(entry_id, current_user.id)
    if entry is None:
        abort(404)
    return entry


def _page(status: int = 200, errors: dict[str, EntryForm] | None = None) -> tuple[str, int]:
    lists = {name: kind.model.for_user(current_user.id) for name, kind in KINDS.items()}
    forms = {name: (errors or {}).get(name) or EntryForm(prefix=name) for name in KINDS}
    page = render_template("lists.html", kinds=KINDS, lists=lists, forms=forms)
    return page, status


def _name_taken(kind: Kind, form: EntryForm, entry: ListEntry | None = None) -> bool:
    name = (form.name.data or "").strip()
    existing = kind.model.named(current_user.id, name)
    if existing is not None and existing is not entry:
        form.name.errors = [*form.name.errors, kind.taken(name)]
        return True
    return False


@bp.get("")
def index() -> tuple[str, int]:
    """Every list of the account, with its forms."""
    return _page()


@bp.post("/<kind_name>")
def add(kind_name: str) -> Response | tuple[str, int]:
    """Add an entry at the end of a list."""
    kind = _kind(kind_name)
    form = EntryForm(prefix=kind_name)
    if not form.validate() or _name_taken(kind, form):
        return _page(422, {kind_name: form})
    entry = kind.model.add(current_user.id, (form.name.data or "").strip())
    if isinstance(entry, HouseholdMember):
        entry.email = form.email.data or ""
    db.session.commit()
    flash(_("Added %(name)s.", name=entry.name))
    return redirect(url_for(".index"))


@bp.post("/<kind_name>/<id:entry_id>")
def change(kind_name: str, entry_id: int) -> Response | tuple[str, int]:
    """Rename an entry (and a member's email), or move it up or down."""
    kind = _kind(kind_name)
    entry = _entry(kind, entry_id)
    if request.form.get("move") in ("up", "down"):
        entry.move(-1 if request.form["move"] == "up" else 1)
        db.session.commit()
        return redirect(url_for(".index"))
    form = EntryForm(prefix=f"{kind_name}-{entry_id}")
    if not form.validate() or _name_taken(kind, form, entry):
        errors = " ".join(str(error) for error in [*form.name.errors, *form.email.errors])
        flash(_("Not saved: %(errors)s", errors=errors))
        db.session.rollback()
        return redirect(url_for(".index"))
    entry.name = (form.name.data or "").strip()
    if isinstance(entry, HouseholdMember):
        entry.email = form.email.data or ""
    db.session.commit()
    flash(_("Saved %(name)s.", name=entry.name))
    return redirect(url_for(".index"))


class DeleteForm(FlaskForm):
    """Where the subscriptions of a deleted entry go."""

    replacement = SelectField(_l("Move its subscriptions to"), coerce=str, validate_choice=True)


@bp.route("/<kind_name>/<id:entry_id>/delete", methods=["GET", "POST"])
def delete(kind_name: str, entry_id: int) -> Response | tuple[str, int]:
    """Ask what becomes of the subscriptions that use the entry, then delete it."""
    kind = _kind(kind_name)
    entry = _entry(kind, entry_id)
    others = [other for other in kind.model.for_user(current_user.id) if other is not entry]
    form = DeleteForm()
    form.replacement.choices = [SelectChoice("", str(kind.none))] + [
        SelectChoice(str(other.id), other.name) for other in others
    ]
    column = getattr(Subscription, kind.model.subscription_column)
    used_by = db.session.scalar(select(func.count()).where(column == entry.id)) or 0
    if request.method == "POST" and form.validate():
        replacement = next((o for o in others if str(o.id) == form.replacement.data), None)
        Subscription.move_to(entry, replacement)
        db.session.delete(entry)
        db.session.commit()
        flash(_("Deleted %(name)s.", name=entry.name))
        return redirect(url_for(".index"))
    status = 422 if request.method == "POST" else 200
    page = render_template("list_delete.html", kind=kind, entry=entry, used_by=used_by, form=form)
    return page, status
