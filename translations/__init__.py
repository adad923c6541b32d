"""The catalogs (translations/<locale>/LC_MESSAGES/messages.po) and the hook pure code uses.

The mailer, the channels and the OAuth client know nothing of Flask: they mark their
text with _ and ngettext from here, and the app installs Flask-Babel's functions, so
each message is written in the language of the page or the account being served.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

CATALOGS = Path(__file__).resolve().parent

Gettext = Callable[..., str]
Ngettext = Callable[..., str]


def _source_gettext(message: str, **values: Any) -> str:
    return message % values if values else message


def _source_ngettext(singular: str, plural: str, num: int, **values: Any) -> str:
    return (singular if num == 1 else plural) % {"num": num, **values}


_installed: dict[str, Any] = {"gettext": _source_gettext, "ngettext": _source_ngettext}


def install(gettext: Gettext, ngettext: Ngettext) -> None:
    """Use these functions (Flask-Babel's) for every message marked with _ and ngettext."""
    _installed.update(gettext=gettext, ngettext=ngettext)


def N_(message: str) -> str:
    """Mark message for the catalogs where it is declared; it is translated where shown."""
    return message


def _(message: str, **values: Any) -> str:
    """message in the current language, with %(name)s filled from values."""
    return str(_installed["gettext"](message, **values))


def ngettext(singular: str, plural: str, num: int, **values: Any) -> str:
    """The singular or a plural form for num, in the current language; %(num)d is num."""
    return str(_installed["ngettext"](singular, plural, num, **values))
