"""The channel page's form, made from the kind's field declarations, and how it is stored."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # stubs lag 3.3
from wtforms.validators import InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from channels import KINDS, Field, FieldProblem, Kind, NotUsable, check_template, plugin_for
from mailer import host_refusal
from models import Category, Channel, UndecryptableSecret, address_policy
from views.fields import no_control_characters, printable_text, valid_ca_bundle

TRUST_CHOICES = [
    SelectChoice("verify", _l("Check it against the system's trusted authorities")),
    SelectChoice("ca", _l("Check it against my own CA")),
    SelectChoice("any", _l("Ignore SSL verification")),
]


def _stripped(value: str | None) -> str:
    return (value or "").strip()


class CategoryChoices(SelectMultipleField):
    """Categories as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ChannelForm(FlaskForm):
    """What every channel has; each kind's own fields are added by form_class."""

    name = StringField(
        _l("Name"),
        filters=[_stripped],
        validators=[
            InputRequired(_l("Give the channel a name.")),
            Length(max=100),
            no_control_characters,
        ],
    )
    enabled = BooleanField(_l("Send reminders here"), default=True)
    trust = SelectField(_l("Certificate check"), choices=TRUST_CHOICES, default="verify")
    ca_certificates = TextAreaField(
        _l("Trusted CA certificate (PEM)"),
        filters=[_stripped],
        validators=[Length(max=100_000), valid_ca_bundle],
    )
    only_categories = BooleanField(_l("Only reminders of these categories"))
    categories = CategoryChoices(_l("Categories"), coerce=int, choices=[])


def _input(field: Field) -> Any:
    """The WTForms field for one declared channel field."""
    label = _l(field.label)
    length = Length(max=2000, message=_l("This is longer than 2,000 characters."))
    if field.widget == "select":
        choices = [SelectChoice(choice, choice) for choice in field.choices]
        return SelectField(label, choices=choices, default=field.default)
    if field.widget == "json":
        return TextAreaField(label, filters=[_stripped], validators=[length, printable_text])
    validators: list[Any] = [length, no_control_characters]
    if field.required and not field.secret:
        validators.insert(0, InputRequired(_l("Enter a value for “%(field)s”.", field=label)))
    kind = PasswordField if field.secret else StringField
    return kind(label, filters=[_stripped], validators=validators)


@functools.cache
def form_class(kind_key: str) -> type[ChannelForm]:
    """The form for one kind of channel: the common fields and the kind's own."""
    fields = {field.name: _input(field) for field in KINDS[kind_key].fields}
    return type(f"{kind_key.title()}ChannelForm", (ChannelForm,), fields)


def form_for(channel: Channel, categories: list[tuple[int, str]], **kwargs: Any) -> ChannelForm:
    """The form for channel; with no formdata given, it shows the stored values (no secrets)."""
    data: dict[str, Any] = {
        "name": channel.name,
        "enabled": channel.enabled,
        "trust": channel.trust,
        "ca_certificates": channel.ca_certificates,
        "only_categories": channel.only_categories,
        "categories": [category.id for category in channel.categories],
        **{field.name: field.default for field in channel.kind_info.fields},
        **channel.values(),
    }
    form = form_class(channel.kind)(data=data, **kwargs)
    form.categories.choices = [SelectChoice(value, label) for value, label in categories]
    return form


def stored_secret_hints(channel: Channel) -> dict[str, str]:
    """For each secret field with a stored value, what the page may say of it."""
    try:
        secrets = channel.secret_values()
    except UndecryptableSecret:
        return {}
    hints = {}
    for name, value in secrets.items():
        host = urlsplit(value).hostname if "://" in value else None
        hints[name] = (
            _("Stored (an address at %(host)s): leave blank to keep it.", host=host)
            if host
            else _("Stored: leave blank to keep it.")
        )
    return hints


def _error(form: ChannelForm, name: str, message: str) -> None:
    field = form[name]
    field.errors = [*field.errors, message]


def _secrets(
    form: ChannelForm, channel: Channel, kind: Kind, server_changed: bool
) -> dict[str, str]:
    """The secret values to store: typed ones, else the stored ones while the server stays."""
    try:
        stored = channel.secret_values()
    except UndecryptableSecret:
        stored = {}
    secrets = {}
    for field in kind.secret_fields:
        typed = form[field.name].data
        if typed:
            secrets[field.name] = typed
        elif stored.get(field.name) and not server_changed:
            secrets[field.name] = stored[field.name]
        elif field.required and stored.get(field.name):
            _error(
                form,
                field.name,
                _("Enter “%(field)s” again: the server changed.", field=_(field.label)),
            )
        elif field.required:
            _error(form, field.name, _("Enter a value for “%(field)s”.", field=_(field.label)))
    return secrets


def apply_form(form: ChannelForm, channel: Channel, categories: list[Category]) -> bool:
    """Put the form's values on channel (uncommitted); False, with field errors, if unusable.

    A blank secret keeps the stored one only while the channel's server is unchanged;
    a new server drops every stored secret the form does not give again.
    """
    kind = channel.kind_info
    values = {field.name: form[field.name].data or "" for field in kind.fields if not field.secret}
    server_changed = channel.id is not None and kind.server(values) != channel.server
    secrets = _secrets(form, channel, kind, server_changed)
    channel.name = form.name.data or ""
    channel.enabled = bool(form.enabled.data)
    channel.trust = form.trust.data or "verify"
    channel.ca_certificates = form.ca_certificates.data or ""
    channel.only_categories = bool(form.only_categories.data)
    chosen = set(form.categories.data or [])
    channel.categories = [category for category in categories if category.id in chosen]
    channel.store(values, secrets)
    if channel.trust == "ca" and not channel.ca_certificates and kind.self_hosted:
        _error(form, "ca_certificates", _("Paste your CA's certificate, or choose another check."))
    if "body" in values:
        try:
            check_template(values["body"])
        except ValueError as exc:
            _error(form, "body", str(exc))
    if not form.errors:
        _check_url(form, channel, kind, {**values, **secrets})
    return not form.errors


def _check_url(form: ChannelForm, channel: Channel, kind: Kind, values: dict[str, str]) -> None:
    """Field errors for a URL that cannot be built, used, or reached by this account."""
    last_field = kind.fields[-1].name
    try:
        url = kind.build(values)
        if kind.key != "webhook":
            plugin_for(url)
    except FieldProblem as problem:
        _error(form, problem.field, str(problem))
        return
    except NotUsable as error:
        _error(form, last_field, f"{error.summary} {error.hint}")
        return
    if kind.self_hosted:
        host = urlsplit(url).hostname or ""
        refusal = host_refusal(host, address_policy(channel.user))
        if refusal:
            message = _("Dues may not connect to “%(host)s”: %(reason)s", host=host, reason=refusal)
            _error(form, kind.server_field or last_field, message)
