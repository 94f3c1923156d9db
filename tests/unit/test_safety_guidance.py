"""The sharing guidance: every choice has a text in every language, and the API
documentation carries the same English words the editor shows."""

from __future__ import annotations

from typing import get_args

from api.entries.schemas import EntryCreate, OrganizationDisplay, Visibility
from api.safety import guidance


class TestGuidance:
    def test_every_choice_has_every_language(self) -> None:
        for mapping, choices in (
            (guidance.VISIBILITY, get_args(Visibility)),
            (guidance.ORGANIZATION_DISPLAY, get_args(OrganizationDisplay)),
        ):
            assert set(mapping) == set(choices)
            for texts in mapping.values():
                assert set(texts) == set(guidance.LANGUAGES)
        for texts in (guidance.SHARED_WITH, guidance.INTERNAL_NOTES, guidance.EXPLANATION,
                      guidance.WHAT_NOT_TO_INCLUDE, guidance.HIDDEN_ORGANIZATION):  # fmt: skip
            assert set(texts) == set(guidance.LANGUAGES)

    def test_the_api_docs_say_who_will_see_it(self) -> None:
        fields = EntryCreate.model_fields
        for choice, texts in guidance.VISIBILITY.items():
            assert texts["en"] in (fields["visibility"].description or ""), choice
        for choice, texts in guidance.ORGANIZATION_DISPLAY.items():
            assert texts["en"] in (fields["organization_display"].description or ""), choice
        assert guidance.SHARED_WITH["en"] == fields["shared_with"].description
        assert guidance.INTERNAL_NOTES["en"] == fields["internal_notes"].description

    def test_an_unknown_language_falls_back_to_english(self) -> None:
        assert guidance.text(guidance.HIDDEN_ORGANIZATION, "sw") == "A member organization"
        assert guidance.text(guidance.HIDDEN_ORGANIZATION, "fr") == "Une organisation membre"
