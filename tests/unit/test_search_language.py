"""Stop words, the thesaurus of vocabulary names and its Meilisearch synonyms."""

from __future__ import annotations

from api.vocabularies.registry import shipped_registry
from indexer.backends.language import (
    STOP_WORDS,
    Concept,
    Thesaurus,
    content_words,
    vocabulary_text,
)
from indexer.thesaurus import thesaurus_of

DDR = Concept("program_type", "ddr", "DDR", ("Disarmament and demobilisation", "DDR"))
WOMEN = Concept("target_population", "women", "Women", ("Women", "femmes"))


def test_stop_words_of_both_languages_but_not_east() -> None:
    assert content_words("How to help the women of l'Afrique de l'Est") == [
        "help", "women", "afrique", "est",
    ]  # fmt: skip
    assert {"comment", "les", "what", "has", "been"} <= STOP_WORDS
    assert "us" not in STOP_WORDS  # the United States


def test_longest_name_wins_and_stop_words_inside_names_are_skipped() -> None:
    thesaurus = Thesaurus([DDR, WOMEN])
    words = content_words("disarmament and demobilisation for femmes")
    [ddr, women] = thesaurus.match(words)
    assert (ddr.start, ddr.end, ddr.concepts) == (0, 2, (DDR,))
    assert (women.start, women.end, women.concepts) == (2, 3, (WOMEN,))
    assert thesaurus.match(["demobilisation"]) == []  # part of a name is not the name


def test_synonyms_are_written_both_ways_in_folded_words() -> None:
    assert Thesaurus([WOMEN]).synonyms_setting() == {"femmes": ["women"], "women": ["femmes"]}


def test_shipped_vocabulary_names_countries_in_french_and_by_demonym() -> None:
    thesaurus = thesaurus_of(shipped_registry())
    for words, code in ((["malien"], "ML"), (["cote", "ivoire"], "CI"), (["afghane"], "AF")):
        [match] = thesaurus.match(words)
        assert [c.code for c in match.concepts] == [code], words
    [returnee] = thesaurus.match(["returnee"])
    assert {c.code for c in returnee.concepts} >= {"returnee_repatriation", "returnees"}
    assert thesaurus.match(["world"]) == []  # every entry is in the world


def test_vocabulary_text_names_each_tag_once() -> None:
    assert vocabulary_text([WOMEN, WOMEN]) == "Women\nfemmes"
