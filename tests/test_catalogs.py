"""Every catalog is complete: no message untranslated, fuzzy, stale or with other placeholders.

Read with Babel's catalog API, and compared with the text extracted from the code
now, so a string added without its translations fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from localization import LOCALES

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "translations"
LANGUAGES = sorted({code for code in LOCALES if not code.startswith("en")})
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\{\s*\w+\s*\}\}")
METHODS = [
    ("**/tests/**", "ignore"),
    ("**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
    ("templates/**.md", "jinja2"),
]
KEYWORDS = {"_": None, "_l": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def catalog(language: str) -> Catalog:
    with open(CATALOGS / language / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=language)


def source_ids() -> set[str | tuple[str, ...]]:
    """Every message the code and the templates mark, extracted now."""
    found = extract_from_dir(
        str(ROOT),
        METHODS,
        {"templates/**.html": {"autoescape": "true"}},
        keywords=KEYWORDS,
        comment_tags=(),
        strip_comment_tags=True,
    )
    return {message if isinstance(message, str) else tuple(message) for *_, message, _, _ in found}


def forms(message: Message) -> list[str]:
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


def test_the_languages_offered_are_the_catalogs_present() -> None:
    present = sorted(path.name for path in CATALOGS.iterdir() if (path / "LC_MESSAGES").is_dir())
    assert present == LANGUAGES == ["de", "es", "fr", "zh_Hans"]


@pytest.fixture(scope="module")
def extracted() -> set[str | tuple[str, ...]]:
    return source_ids()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_catalog_holds_exactly_the_messages_of_the_code(
    language: str, extracted: set[str | tuple[str, ...]]
) -> None:
    ids = {message.id for message in catalog(language) if message.id}
    assert not extracted - ids, f"not in the {language} catalog (run make translations)"
    assert not ids - extracted, f"in the {language} catalog but no longer in the code"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_not_fuzzy_with_the_same_placeholders(language: str) -> None:
    messages = catalog(language)
    problems = ["the catalog is marked fuzzy: it would not be compiled"] if messages.fuzzy else []
    for message in messages:
        if not message.id:
            continue
        strings = list(message.string) if isinstance(message.string, tuple) else [message.string]
        source = set().union(*(placeholders(text) for text in forms(message)))
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(strings):
            problems.append(f"untranslated: {message.id!r}")
            continue
        # Each plural form may drop the number where the language says "one" in words,
        # but no form may bring a placeholder of its own, and together they keep all.
        translated = [placeholders(text) for text in strings]
        if any(found - source for found in translated) or set().union(*translated) != source:
            problems.append(f"placeholders differ: {message.id!r} -> {strings!r}")
    errors = [f"{message.id!r}: {error}" for message, found in messages.check() for error in found]
    assert not problems and not errors, "\n".join(problems + errors)
