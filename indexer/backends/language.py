"""Pure language helpers shared by both engines: stop words (English, French),
folding/tokenizing the way the engines do, and the thesaurus of vocabulary
concepts that turns into synonyms.

Owns: which words carry no meaning in a search (`STOP_WORDS`, the same list in
both engines: Meilisearch's `stopWords` setting and the embedded analyzers), and
`Thesaurus`: every vocabulary term a search can name (program type, target
population, setting, region) with all its names (label and aliases), the
phrase matching of query words against those names, and Meilisearch's
`synonyms` setting derived from it.

Does not: know where the vocabulary comes from (`indexer.thesaurus` builds one
from the registry) nor run queries.

Choices: the stop lists are the common function words of each language (close
to the Snowball lists) plus question words ("how", "what", "comment", "quoi")
that practitioners type in questions. Words that are also content words in the
other language are left out ("est" is French "is" but also "east" in
"Afrique de l'Est"; "sans"/"pour" stay, they never name anything)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

STOP_WORDS_EN: frozenset[str] = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if
    in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too
    under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves whats hows been there s t""".split()  # noqa: SIM905 - a word list
)
STOP_WORDS_FR: frozenset[str] = frozenset(
    """au aux avec ce ces cette dans de des du elle elles en et eux il ils je la le les
    leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas pour qu
    que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l m n s t
    y ete etre avoir ai as avons avez ont sont suis etes etait etaient fait faire
    comment quoi quel quelle quels quelles quand pourquoi ceci cela ca dont lorsque afin
    entre chez""".split()  # noqa: SIM905 - a word list
)
STOP_WORDS: frozenset[str] = STOP_WORDS_EN | STOP_WORDS_FR

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lowercase and strip accents, as the engines' `ascii_fold` does."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded words (letters and digits; everything else separates)."""
    return _WORD.findall(fold(text))


def content_words(text: str) -> list[str]:
    """`words` without stop words."""
    return [w for w in words(text) if w not in STOP_WORDS]


@dataclass(frozen=True)
class Concept:
    """A vocabulary term a search can name; `facet` is the document field it tags."""

    facet: str
    code: str
    label: str
    names: tuple[str, ...]  # label first, then aliases (as written)


@dataclass(frozen=True)
class ConceptMatch:
    """Query words [start, end) name `concepts` (all sharing that name)."""

    start: int
    end: int
    concepts: tuple[Concept, ...]


MAX_PHRASE_WORDS = 4
MAX_SYNONYMS = 50  # Meilisearch's limit per term


class Thesaurus:
    """Names → concepts, matched on folded content words (see module docstring)."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts: tuple[Concept, ...] = tuple(concepts)
        by_name: dict[tuple[str, ...], list[Concept]] = {}
        for concept in self.concepts:
            for name in concept.names:
                key = tuple(content_words(name))
                if key and len(key) <= MAX_PHRASE_WORDS:
                    by_name.setdefault(key, []).append(concept)
        self._by_name = {k: tuple(dict.fromkeys(v)) for k, v in by_name.items()}

    def __len__(self) -> int:
        return len(self.concepts)

    def match(self, query_words: Sequence[str]) -> list[ConceptMatch]:
        """Longest names first, left to right, without overlaps."""
        out: list[ConceptMatch] = []
        i = 0
        n = len(query_words)
        while i < n:
            for size in range(min(MAX_PHRASE_WORDS, n - i), 0, -1):
                found = self._by_name.get(tuple(query_words[i : i + size]))
                if found:
                    out.append(ConceptMatch(i, i + size, found))
                    i += size
                    break
            else:
                i += 1
        return out

    def alternatives(self, match: ConceptMatch) -> list[tuple[str, ...]]:
        """Every name of the matched concepts, as content-word tuples, once each."""
        names = (tuple(content_words(n)) for c in match.concepts for n in c.names)
        return [key for key in dict.fromkeys(names) if key]

    def synonyms_setting(self) -> dict[str, list[str]]:
        """Meilisearch `synonyms`: each name → the other names of its concepts.

        Written in both directions (Meilisearch applies a key's list one way), in
        folded content words, at most MAX_SYNONYMS per key, sorted: the same
        vocabulary always gives the same setting (so an unchanged one is not
        re-applied)."""
        out: dict[str, set[str]] = {}
        for concept in self.concepts:
            names = {" ".join(content_words(n)) for n in concept.names} - {""}
            for name in names:
                out.setdefault(name, set()).update(names - {name})
        return {k: sorted(v)[:MAX_SYNONYMS] for k, v in sorted(out.items()) if v}


EMPTY_THESAURUS = Thesaurus(())


def vocabulary_text(concepts: Iterable[Concept]) -> str:
    """The searchable text naming an entry's tags: every name, one per line."""
    lines: list[str] = []
    for concept in concepts:
        lines.extend(concept.names)
    return "\n".join(dict.fromkeys(lines))
