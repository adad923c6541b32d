"""Field validators and fields the forms share: each error names what to fix."""

from __future__ import annotations

import functools
import ipaddress
import re
import ssl
import zoneinfo
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import EmailField, Field, IntegerField
from wtforms.validators import InputRequired, NumberRange, ValidationError
from wtforms.widgets import html_params

from mailer import has_control_characters, parse_ca_bundle
from models import parse_offsets, split_list

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def no_control_characters(form: FlaskForm, field: Field) -> None:
    """Refuse line breaks and other control characters (header and command injection)."""
    if field.data and has_control_characters(str(field.data)):
        raise ValidationError(_("Line breaks and control characters are not allowed here."))


def printable_text(form: FlaskForm, field: Field) -> None:
    """Refuse control characters other than line breaks and tabs (NUL above all)."""
    if field.data and has_control_characters(
        str(field.data).replace("\r", "").replace("\n", "").replace("\t", "")
    ):
        raise ValidationError(_("Control characters are not allowed here."))


def valid_host(form: FlaskForm, field: Field) -> None:
    """Accept a host name (IDNA too) or an IP address."""
    host = (field.data or "").strip()
    field.data = host
    if not host:
        return
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(_("Enter a host name such as smtp.example.com, or an IP.")) from exc
    if not all(_HOST_LABEL.match(label) for label in ascii_host.rstrip(".").split(".")):
        raise ValidationError(_("Enter a host name such as smtp.example.com, or an IP."))


def valid_offsets(form: FlaskForm, field: Field) -> None:
    """Accept days before the date, such as '7, 1'."""
    try:
        parse_offsets(field.data or "")
    except ValueError as exc:
        raise ValidationError(
            _("Enter whole days from 0 to 365, separated by commas, such as 7, 1.")
        ) from exc


@functools.cache
def time_zone_choices() -> list[str]:
    """Every IANA time zone name, sorted."""
    return sorted(zoneinfo.available_timezones())


@functools.cache
def _time_zone_options() -> tuple[tuple[str, str], ...]:
    return tuple(
        (name, str(Markup('<option value="{0}">{0}</option>').format(name)))
        for name in time_zone_choices()
    )


class TimeZoneSelect:
    """A <select> of every IANA zone: its ~600 options are built once, not on every page."""

    def __call__(self, field: Field, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        options = "".join(
            html.replace("<option ", "<option selected ", 1) if name == field.data else html
            for name, html in _time_zone_options()
        )
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


def valid_ca_bundle(form: FlaskForm, field: Field) -> None:
    """Accept one or more PEM certificates that a TLS context can load."""
    pem = (field.data or "").strip()
    if not pem:
        return
    try:
        parse_ca_bundle(pem)
        ssl.create_default_context(cadata=pem)
    except (ValueError, ssl.SSLError) as exc:
        raise ValidationError(
            _(
                "Paste one or more certificates in PEM form, each from "
                "-----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----."
            )
        ) from exc


def _address_problem(address: str) -> str | None:
    """Why address is not a usable email address, or None when it is."""
    try:
        # Self-hosters mail names without a public TLD too (user@nas, user@example.test).
        validate_email(
            address, check_deliverability=False, globally_deliverable=False, test_environment=True
        )
    except EmailNotValidError as exc:
        return str(exc)
    return None


def valid_address(form: FlaskForm, field: Field) -> None:
    """Accept one email address."""
    problem = field.data and _address_problem(field.data)
    if problem:
        raise ValidationError(_("Enter a valid email address. %(problem)s", problem=problem))


def address_list(form: FlaskForm, field: Field) -> None:
    """Accept addresses separated by commas or semicolons, naming the first bad one."""
    for address in split_list(field.data or ""):
        problem = _address_problem(address)
        if problem:
            raise ValidationError(f'"{address}" is not a valid email address. {problem}')


class EmailAddressField(EmailField):
    """An email input whose value is trimmed."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()


def whole_number(label: str, default: int, low: int, high: int, message: str) -> IntegerField:
    """A required whole number from low to high; one message for every way it is wrong."""
    return IntegerField(
        label, default=default, validators=[InputRequired(message), NumberRange(low, high, message)]
    )
