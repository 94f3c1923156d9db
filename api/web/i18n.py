"""Languages of the web interface: choosing one per request, and its catalogues.

Owns: the supported interface languages, the choice for a request (the language
cookie set by the switch, else the best `Accept-Language` match, else English),
the gettext catalogues and the translated labels of vocabulary terms.
Does not own: the language of entries — an entry is shown in the language it was
written in and only the interface around it is translated.

Catalogues are the `.po` files under `translations/`, compiled in memory when the
process first needs them (Babel's own compiler; fuzzy entries are left out), so a
fresh clone runs and tests without a build step and no compiled file can drift
from its source. Country and language names come from the ISO catalogues that
`pycountry` ships; other vocabulary labels are translated in the `.po` files with
the vocabulary name as message context, and a label a curator renamed (so no
translation exists for it) is shown as written.

Invariant: the current language lives in a context variable set around each
render, so concurrent requests in other threads never see each other's language."""

from __future__ import annotations

import csv
import functools
import gettext as gettext_module
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO

import pycountry
import yaml
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from api.vocabularies.registry import UnknownVocabulary, VocabularyRegistry

DEFAULT_LANGUAGE = "en"
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
LANGUAGE_COOKIE = "offramp_lang"
LANGUAGE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600
TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"
MAX_ACCEPT_LANGUAGE_ITEMS = 20


@functools.cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The interface catalogue of `language` (English is the source: no catalogue)."""
    path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return gettext_module.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext_module.GNUTranslations(compiled)


@functools.cache
def _iso_catalogue(domain: str, language: str) -> gettext_module.NullTranslations:
    return gettext_module.translation(
        domain, pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


_current: ContextVar[str] = ContextVar("offramp_web_language", default=DEFAULT_LANGUAGE)


@contextmanager
def use_language(language: str) -> Iterator[None]:
    token = _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _current.reset(token)


def current_language() -> str:
    return _current.get()


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_current.get()).pgettext(context, message)


def country_name(code: str, english: str) -> str:
    """A country's name in the current language, by ISO 3166-1 alpha-2 code."""
    language = _current.get()
    if language == DEFAULT_LANGUAGE:
        return english
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return english
    translated = _iso_catalogue("iso3166-1", language).gettext(country.name)
    return translated if translated != country.name else english


def language_name(code: str, english: str) -> str:
    language = _current.get()
    if language == DEFAULT_LANGUAGE:
        return english
    return _iso_catalogue("iso639-3", language).gettext(english)


def parse_accept_language(header: str) -> list[str]:
    """Primary language subtags in the client's order of preference (q=0 dropped)."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:MAX_ACCEPT_LANGUAGE_ITEMS]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary and quality > 0:
            weighted.append((-quality, position, primary))
    return [language for _q, _p, language in sorted(weighted)]


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGUAGES:
        return cookie
    for candidate in parse_accept_language(accept_language or ""):
        if candidate in LANGUAGES:
            return candidate
        if candidate == "*":
            break
    return DEFAULT_LANGUAGE


def term_label(registry: VocabularyRegistry, vocabulary: str, code: str) -> str:
    """The label of a vocabulary code in the current language; the code itself
    when the vocabulary no longer knows it (an old entry, a removed term)."""
    try:
        term = registry.get(vocabulary, code)
    except UnknownVocabulary:
        return code
    if term is None:
        return code
    if vocabulary == "region":
        if term.level == "country":
            return country_name(code, term.label)
        return pgettext("region", term.label)
    if vocabulary == "language":
        return language_name(code, term.label)
    return pgettext(vocabulary, term.label)


# -- extraction (pybabel, see babel.cfg): vocabulary labels as messages ----------


def extract_vocabulary_labels(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str, tuple[str, str], list[str]]]:
    """Babel extraction method for the shipped vocabulary files: every label
    becomes a `pgettext(vocabulary, label)` message. Countries and languages are
    left out (their names come from the ISO catalogues)."""
    name = Path(getattr(fileobj, "name", "")).name
    text = fileobj.read().decode("utf-8")
    if name.endswith(".csv"):
        for lineno, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
            if row["level"] != "country":
                yield lineno, "pgettext", ("region", row["name"]), []
        return
    data = yaml.safe_load(text) or {}
    for vocabulary, terms in data.items():
        for code, term in (terms or {}).items():
            label = term.get("label") if isinstance(term, dict) else None
            if label:
                yield _line_of(text, f"  {code}:"), "pgettext", (vocabulary, label), []


def _line_of(text: str, needle: str) -> int:
    return text[: max(text.find(needle), 0)].count("\n") + 1
