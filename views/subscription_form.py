"""The subscription form and what it holds once valid."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

import logos
from models import (
    Category,
    CycleUnit,
    HouseholdMember,
    PaymentMethod,
    Subscription,
    format_offsets,
    parse_offsets,
    utcnow,
)
from views.fields import no_control_characters, printable_text, valid_offsets, whole_number

_CURRENCY = re.compile(r"^[A-Z]{3}$")
# Dates outside this window are typing mistakes, and near the ends of the calendar
# the reminder arithmetic would overflow.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2200, 12, 31)


def date_in_window(form: FlaskForm, field: Field) -> None:
    """Accept dates from 1900 to 2200."""
    if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(_("Enter a date between 1900 and 2200."))


def finite_amount(form: FlaskForm, field: Field) -> None:
    """Refuse NaN, infinities and amounts written with huge exponents, before comparing."""
    value = field.data
    try:
        usable = isinstance(value, Decimal) and value.is_finite() and value.adjusted() < 10
    except InvalidOperation:
        usable = False
    if value is not None and not usable:
        raise StopValidation(_("Enter the price as a number, such as 12.99."))


CYCLE_CHOICES = [
    SelectChoice(CycleUnit.DAY.value, _l("days")),
    SelectChoice(CycleUnit.WEEK.value, _l("weeks")),
    SelectChoice(CycleUnit.MONTH.value, _l("months")),
    SelectChoice(CycleUnit.YEAR.value, _l("years")),
]


def valid_currency(form: FlaskForm, field: Field) -> None:
    """Accept a three-letter ISO 4217 code, in any case."""
    field.data = (field.data or "").strip().upper()
    if not _CURRENCY.match(field.data):
        raise ValidationError(_("Enter a three-letter currency code, such as EUR or USD."))


def _optional_id(value: object) -> int | None:
    """A select's value as an id; "" (none chosen) as None."""
    if value in (None, "", "None"):
        return None
    return int(str(value))


def _entry_select(label: Any) -> SelectField:
    return SelectField(label, coerce=_optional_id, validate_choice=True)


def _choices(entries: Iterable[Any], none: str) -> list[SelectChoice]:
    return [SelectChoice("", none)] + [SelectChoice(e.id, e.name) for e in entries]


def _text(label: Any, maximum: int, *extra: object) -> StringField:
    return StringField(label, validators=[*extra, Length(max=maximum), no_control_characters])


class SubscriptionForm(FlaskForm):
    """Everything about one subscription."""

    name = _text(_l("Name"), 100, DataRequired(_l("Enter a name.")))
    price = DecimalField(
        _l("Price"),
        places=2,
        validators=[
            InputRequired(_l("Enter the price, such as 12.99.")),
            finite_amount,
            NumberRange(0, 10**9, _l("Enter a price from 0 up to 1,000,000,000.")),
        ],
    )
    currency = StringField(_l("Currency"), default="EUR", validators=[valid_currency])
    cycle_every = whole_number(_l("Every"), 1, 1, 365, _l("Enter a whole number from 1 to 365."))
    cycle_unit = SelectField(
        _l("Billing cycle"),
        choices=CYCLE_CHOICES,
        default=CycleUnit.MONTH.value,
        validate_choice=True,
    )
    next_payment = DateField(
        _l("Next payment"),
        validators=[InputRequired(_l("Enter the next payment date.")), date_in_window],
    )
    start_date = DateField(_l("Start date"), validators=[Optional(), date_in_window])
    auto_renew = BooleanField(_l("Renews automatically"), default=True)
    category_id = _entry_select(_l("Category"))
    payment_method_id = _entry_select(_l("Payment method"))
    payer_id = _entry_select(_l("Paid by"))
    replaced_by_id = _entry_select(_l("Replaced by"))
    logo = FileField(_l("Logo"))
    remove_logo = BooleanField(_l("Remove the logo"))
    # The uploaded logo once validated: the small PNG or sanitised SVG, and its type.
    prepared_logo: tuple[bytes, str] | None = None

    def validate_logo(self, field: Field) -> None:
        """Read and prepare an uploaded logo now, so that a bad one is a field error."""
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return
        try:
            self.prepared_logo = logos.prepared(upload.read(logos.MAX_UPLOAD + 1))
        except logos.LogoRefused as exc:
            raise ValidationError(str(exc)) from exc

    url = URLField(_l("Website"), validators=[Optional(), URL(message=_l("Enter a web address."))])
    notes = TextAreaField(_l("Notes"), validators=[Length(max=2000), printable_text])
    active = BooleanField(_l("Active"), default=True)
    notify = BooleanField(_l("Notify me"), default=True)
    reminder_offsets = _text(_l("Remind me (days before)"), 100, valid_offsets)
    cancellation_date = DateField(_l("Cancellation date"), validators=[Optional(), date_in_window])

    def __init__(self, *args: Any, user_id: int, editing: Subscription | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.category_id.choices = _choices(Category.for_user(user_id), _("none"))
        self.payment_method_id.choices = _choices(PaymentMethod.for_user(user_id), _("none"))
        self.payer_id.choices = _choices(HouseholdMember.for_user(user_id), _("me"))
        others = [s for s in Subscription.for_user(user_id) if s is not editing]
        self.replaced_by_id.choices = _choices(others, _("nothing"))

    def fill(self, subscription: Subscription) -> None:
        """Copy the validated values onto subscription."""
        subscription.name = (self.name.data or "").strip()
        subscription.change_price(Decimal(self.price.data or 0), utcnow().date())
        subscription.currency = self.currency.data or ""
        subscription.cycle_every = int(self.cycle_every.data or 1)
        subscription.cycle_unit = CycleUnit(self.cycle_unit.data).value
        assert self.next_payment.data is not None
        subscription.next_payment = self.next_payment.data
        subscription.start_date = self.start_date.data
        subscription.billing_anchor = subscription.anchor_from_dates()
        subscription.auto_renew = bool(self.auto_renew.data)
        subscription.category_id = self.category_id.data
        subscription.payment_method_id = self.payment_method_id.data
        subscription.payer_id = self.payer_id.data
        subscription.replaced_by_id = self.replaced_by_id.data
        if self.prepared_logo is not None:
            subscription.logo, subscription.logo_type = self.prepared_logo
        elif self.remove_logo.data:
            subscription.logo, subscription.logo_type = None, ""
        subscription.url = (self.url.data or "").strip()
        subscription.notes = self.notes.data or ""
        subscription.active = bool(self.active.data)
        subscription.notify = bool(self.notify.data)
        subscription.reminder_offsets = format_offsets(
            parse_offsets(self.reminder_offsets.data or "")
        )
        subscription.cancellation_date = self.cancellation_date.data
