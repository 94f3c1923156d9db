"""Catalogues and rendering helpers, without a server."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from api.vocabularies.registry import shipped_registry
from api.web import i18n
from api.web.templating import demote_headings, highlight

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}


def extracted_messages() -> set[tuple[str | None, str]]:
    """What `make translations` extracts (babel.cfg), read the same way."""
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "api/web/babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    found: set[tuple[str | None, str]] = set()
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        singular = message[0] if isinstance(message, tuple) else message
        found.add((context, singular))
    return found


class TestFrenchCatalogue:
    def test_every_message_of_the_pages_and_vocabularies_is_translated(self) -> None:
        with (i18n.TRANSLATIONS_DIR / "fr/LC_MESSAGES/messages.po").open("rb") as source:
            catalog = read_po(source)
        translated = {
            (message.context, message.id if isinstance(message.id, str) else message.id[0])
            for message in catalog
            if message.id
            and not message.fuzzy
            and all(message.string if isinstance(message.string, tuple) else [message.string])
        }
        missing = extracted_messages() - translated
        assert len(extracted_messages()) > 250
        assert missing == set(), "run `make translations` and translate these"

    def test_labels_follow_the_page_language(self) -> None:
        registry = shipped_registry()
        with i18n.use_language("fr"):
            assert i18n.term_label(registry, "region", "011") == "Afrique de l\u2019Ouest"
            assert i18n.term_label(registry, "region", "CI") == "Côte d'Ivoire"
            assert i18n.term_label(registry, "region", "DE") == "Allemagne"
            assert i18n.term_label(registry, "language", "en") == "Anglais"
            assert i18n.term_label(registry, "program_type", "ddr") == (
                "Désarmement, démobilisation et réintégration (DDR)"
            )
            assert i18n.term_label(registry, "program_type", "no-such-code") == "no-such-code"
        with i18n.use_language("en"):
            assert i18n.term_label(registry, "region", "DE") == "Germany"


class TestLanguageChoice:
    @pytest.mark.parametrize(
        ("cookie", "header", "chosen"),
        [
            (None, "fr-SN,fr;q=0.9,en;q=0.8", "fr"),
            (None, "de-DE, fr;q=0.7, en;q=0.8", "en"),
            (None, "de, fr;q=0.5", "fr"),
            (None, "fr;q=0, en", "en"),
            (None, "", "en"),
            (None, "garbage;;;q=x, fr", "fr"),
            ("en", "fr", "en"),
            ("xx", "fr", "fr"),
        ],
    )
    def test_cookie_then_accept_language_then_english(
        self, cookie: str | None, header: str, chosen: str
    ) -> None:
        assert i18n.choose_language(cookie, header) == chosen


class TestHighlight:
    def test_only_the_engines_mark_survives(self) -> None:
        fragment = (
            "Re<mark>integration</mark> &lt;b&gt; <script>alert(1)</script>"
            '<img src=x onerror=alert(1)><mark onclick="x()">mentoring</mark>'
        )
        assert str(highlight(fragment)) == (
            "Re<mark>integration</mark> &lt;b&gt; <mark>mentoring</mark>"
        )


class TestEntryBody:
    @pytest.mark.parametrize(
        ("body", "shown"),
        [
            (
                "<h1>Findings</h1><p>x</p><h2>Detail</h2><h5>Deep</h5><h6>Deeper</h6>",
                "<h3>Findings</h3><p>x</p><h4>Detail</h4><h6>Deep</h6><h6>Deeper</h6>",
            ),
            (
                "<h2>Context</h2><h3>Sites</h3><h2>Findings</h2>",
                "<h3>Context</h3><h4>Sites</h4><h3>Findings</h3>",
            ),
            ("<p>No headings</p>", "<p>No headings</p>"),
        ],
    )
    def test_body_headings_go_under_the_pages_own(self, body: str, shown: str) -> None:
        assert str(demote_headings(body)) == shown
