"""Which language a page or an email is in, and dates and amounts as that language writes them.

Flask-Babel picks the locale: the account's setting once logged in, else the
browser's Accept-Language. The reminder job wraps each account in force_locale,
so its emails and notifications are in the account's language too.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal
from gettext import NullTranslations
from typing import Any

from babel import Locale
from babel.core import get_global
from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton, format_timedelta, get_day_names
from babel.numbers import format_currency
from flask import Flask, has_request_context, request
from flask_babel import (
    Babel,
    force_locale,
    format_date,
    format_datetime,
    format_decimal,
    get_translations,
    gettext,
    ngettext,
)
from flask_babel import get_locale as current_locale
from flask_login import current_user
from jinja2 import pass_context, pass_eval_context
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from markupsafe import Markup

import translations
from translations import _

# What an account can choose: the languages, and English with British formats.
LOCALES = {
    "en": "English (United States): €1,234.50",
    "en_GB": "English (United Kingdom): €1,234.50",
    "de": "Deutsch: 1.234,50 €",
    "es": "Español: 1234,50 €",
    "fr": "Français: 1 234,50 €",
    "zh_Hans": "简体中文: €1,234.50",
}
# Accept-Language tags, as browsers send them, and the locale each becomes.
_OFFERED = {"en": "en", "en-GB": "en_GB", "de": "de", "es": "es", "fr": "fr", "zh": "zh_Hans"}

__all__ = ["LOCALES", "force_locale", "init_app", "money", "relative_days"]


def select_locale() -> str | None:
    """The account's locale once logged in; before, the browser's best offered language.

    Outside a request (the job, the CLI) the default applies, unless force_locale says.
    """
    if not has_request_context():
        return None
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    return _OFFERED.get(request.accept_languages.best_match(list(_OFFERED)) or "en", "en")


def select_timezone() -> str | None:
    """The account's time zone, for dates and times on its pages."""
    if has_request_context() and current_user and current_user.is_authenticated:
        return str(current_user.timezone)
    return None


def money(amount: Decimal, currency: str) -> str:
    """amount in currency, with the symbol, separators and decimals of the current locale."""
    return _money_in(str(current_locale()), amount, currency)


# Babel reads the locale's currency pattern anew on each call; a reminder shows its
# amount three times, and a run shows the same few prices again and again.
@functools.lru_cache(maxsize=4096)
def _money_in(locale: str, amount: Decimal, currency: str) -> str:
    return format_currency(amount, currency, locale=locale)


def relative_days(days: int) -> str:
    """How far off a day is, in words: today, tomorrow, in 3 days, 3 天后."""
    return _relative_days_in(str(current_locale()), days)


# A list shows the same few distances and dates on every row; Babel would work
# each out from the locale's patterns again.
@functools.lru_cache(maxsize=4096)
def _relative_days_in(locale: str, days: int) -> str:
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    # A large threshold keeps 45 days as "in 45 days", not "in 2 months".
    words = format_timedelta(
        datetime.timedelta(days=days),
        granularity="day",
        threshold=1000,
        add_direction=True,
        locale=locale,
    )
    return str(words)


def day(date: datetime.date, width: str = "medium") -> str:
    """A date as the current locale writes it: medium on pages (3 Dec 2026), long in emails."""
    return _day_in(str(current_locale()), date, width)


@functools.lru_cache(maxsize=4096)
def _day_in(locale: str, date: datetime.date, width: str = "medium") -> str:
    return str(babel_format_date(date, width, locale=locale))


def moment(when: datetime.datetime) -> str:
    """A stored UTC time in the account's time zone, as the current locale writes it."""
    return str(format_datetime(when, "short"))


def month(date: datetime.date) -> str:
    """A month and its year: December 2026, Dezember 2026, 2026年12月."""
    return str(format_skeleton("yMMMM", date, locale=current_locale()))


def short_month(date: datetime.date) -> str:
    """A month's abbreviated name, for a chart's axis: Dec, Dez., 12月."""
    return str(format_date(date, "LLL"))


def month_name(date: datetime.date) -> str:
    """The month's name on its own: December, Dezember, 十二月."""
    return str(format_date(date, "LLLL"))


def first_weekday() -> int:
    """The day weeks start on where the current language is spoken: 0 is Monday, 6 Sunday."""
    locale = current_locale()
    if locale.territory is None:
        # A language alone has no week: take the country it is most spoken in
        # (en is the United States, whose weeks start on Sunday).
        locale = Locale.parse(get_global("likely_subtags").get(locale.language, locale.language))
    return int(locale.first_week_day)


def weekday_names() -> list[str]:
    """The days of a week from its first day, abbreviated as the current locale does."""
    names = get_day_names("abbreviated", context="stand-alone", locale=current_locale())
    first = first_weekday()
    return [str(names[(first + offset) % 7]) for offset in range(7)]


def per_cycle(every: int, unit: str) -> str:
    """A billing cycle after a price's slash: month, 3 months, Monat, 3 Monate."""
    return _per_cycle_in(str(current_locale()), every, unit)


@functools.lru_cache(maxsize=1024)
def _per_cycle_in(locale: str, every: int, unit: str) -> str:
    words = {
        "day": lambda: ngettext("day", "%(num)d days", every),
        "week": lambda: ngettext("week", "%(num)d weeks", every),
        "month": lambda: ngettext("month", "%(num)d months", every),
        "year": lambda: ngettext("year", "%(num)d years", every),
    }
    return str(words[unit]())


def status_name(status: str) -> str:
    """What a delivery record's status is called on the page."""
    names = {
        "pending": lambda: _("pending"),
        "sent": lambda: _("sent"),
        "failed": lambda: _("failed"),
    }
    return names[status]() if status in names else status


def init_app(app: Flask) -> None:
    """Set up Flask-Babel with the catalogs, and give pure modules its gettext."""
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(translations.CATALOGS),
    )
    translations.install(gettext, ngettext)
    for function in (moment, month, month_name):
        app.add_template_filter(function)
    # A long list formats four values a row; each would find the locale anew.
    app.add_template_filter(_in_render_locale(_money_in), "money")
    app.add_template_filter(_in_render_locale(_relative_days_in), "relative_days")
    app.add_template_filter(_in_render_locale(_day_in), "day")
    app.add_template_global(_in_render_locale(_per_cycle_in), "per_cycle")
    app.add_template_global(weekday_names)
    app.add_template_global(format_decimal)
    app.add_template_global(status_name)

    @app.context_processor
    def language() -> dict[str, object]:
        catalog = get_translations()
        locale = str(current_locale())
        return {
            "html_lang": locale.replace("_", "-"),
            "render_locale": locale,
            # The render's catalog, found once: Flask-Babel's template gettext looks
            # it up again for every string, which was most of a long list's time.
            # Bound as _ too, which Jinja's own _ would pass through a copy of the
            # whole context for every string inside a loop.
            "_": (template_gettext := _template_gettext(catalog)),
            "gettext": template_gettext,
            "ngettext": _template_ngettext(catalog),
        }


def _in_render_locale(format_in: Callable[..., str]) -> Callable[..., str]:
    """A template filter or function: format_in in the locale the render began in.

    Templates imported without context have no render_locale and look it up.
    """

    @pass_context
    def formatted(context: Context, *args: Any) -> str:
        return format_in(context.get("render_locale") or str(current_locale()), *args)

    return formatted


def _template_gettext(catalog: NullTranslations) -> Callable[..., str]:
    """Jinja's newstyle gettext over one catalog: marked safe as the template escapes, then %."""

    @pass_eval_context
    def template_gettext(context: EvalContext, message: str, **variables: Any) -> str:
        text = catalog.gettext(message)
        return (Markup(text) if context.autoescape else text) % variables

    return template_gettext


def _template_ngettext(catalog: NullTranslations) -> Callable[..., str]:
    """Jinja's newstyle ngettext over one catalog, with num set as Jinja sets it."""

    @pass_eval_context
    def template_ngettext(
        context: EvalContext, singular: str, plural: str, number: int, **variables: Any
    ) -> str:
        variables.setdefault("num", number)
        text = catalog.ngettext(singular, plural, number)
        return (Markup(text) if context.autoescape else text) % variables

    return template_ngettext
