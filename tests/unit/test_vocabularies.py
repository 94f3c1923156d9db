"""Unit tests for the shipped vocabularies and `VocabularyRegistry`.

Only the packaged data files are read; registries with edge cases (deprecated
terms, orphan or cyclic regions) are built from hand-made `Term` values.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from typing import Any

import pytest

from api.vocabularies import (
    VOCABULARY_NAMES,
    Term,
    UnknownVocabulary,
    VocabularyRegistry,
    load_shipped_terms,
    loader,
    shipped_registry,
)

YAML_VOCABULARY_SIZES = {
    "program_type": 25,
    "setting": 16,
    "target_population": 16,
    "actor": 19,
    "evaluation_design": 15,
    "evidence_level": 5,
    "kind": 4,
    "indicator": 20,
    "impediment_type": 10,
}


@pytest.fixture(scope="module")
def registry() -> VocabularyRegistry:
    return shipped_registry()


@pytest.fixture(scope="module")
def tree(registry: VocabularyRegistry) -> list[dict[str, Any]]:
    return registry.region_tree()


def _region(code: str, parent: str | None, level: str, order: int = 0) -> Term:
    return Term("region", code, f"Region {code}", parent=parent, level=level, sort_order=order)


def _walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for node in nodes:
        found.append(node)
        found.extend(_walk(node["children"]))
    return found


class TestShippedTermCounts:
    def test_vocabularies_appear_in_canonical_order(self) -> None:
        order = list(dict.fromkeys(term.vocabulary for term in load_shipped_terms()))
        assert order == list(VOCABULARY_NAMES)

    def test_region_levels(self, registry: VocabularyRegistry) -> None:
        levels = Counter(term.level for term in registry.terms("region"))
        # 249 ISO 3166-1 alpha-2 codes plus Kosovo (XK, user-assigned).
        assert levels == {
            "world": 1,
            "region": 6,
            "subregion": 17,
            "intermediate": 7,
            "country": 250,
        }

    def test_world_and_region_nodes(self, registry: VocabularyRegistry) -> None:
        top = [t.code for t in registry.terms("region") if t.level in ("world", "region")]
        assert top == ["001", "002", "019", "142", "150", "009", "010"]

    def test_quoted_csv_names_keep_their_commas(self, registry: VocabularyRegistry) -> None:
        labels = {t.code: t.label for t in registry.terms("region")}
        assert labels["FM"] == "Micronesia, Fed. Sts."
        assert labels["BQ"] == "Bonaire, Saint Eustatius and Saba"

    def test_region_term_fields(self, registry: VocabularyRegistry) -> None:
        kenya = registry.get("region", "KE")
        assert kenya is not None
        assert dataclasses.replace(kenya, sort_order=0) == Term(
            "region", "KE", "Kenya", parent="014", level="country",
            aliases=("Kenyan", "kényan", "kényane"),  # its French name is "Kenya" too
        )  # fmt: skip
        world = registry.get("region", "001")
        assert world is not None
        assert (world.parent, world.level, world.sort_order) == (None, "world", 0)

    @pytest.mark.parametrize(("name", "size"), sorted(YAML_VOCABULARY_SIZES.items()))
    def test_yaml_vocabulary_sizes(
        self, registry: VocabularyRegistry, name: str, size: int
    ) -> None:
        terms = registry.terms(name)
        assert len(terms) == size
        assert [t.sort_order for t in terms] == list(range(size))

    def test_yaml_codes_in_file_order(self, registry: VocabularyRegistry) -> None:
        assert [t.code for t in registry.terms("evidence_level")] == [
            "strong",
            "moderate",
            "preliminary",
            "descriptive",
            "not_assessed",
        ]
        assert [t.code for t in registry.terms("kind")] == [
            "evaluation",
            "lessons_learned",
            "program_profile",
            "policy_framework",
        ]
        assert registry.terms("program_type")[0].code == "community_resilience"
        assert registry.terms("indicator")[-1].code == "evaluation_sample_size"

    def test_yaml_fields(self, registry: VocabularyRegistry) -> None:
        assert registry.get("evaluation_design", "none") == Term(
            "evaluation_design", "none", "No formal evaluation", sort_order=14
        )
        exit_term = registry.get("program_type", "exit_disengagement")
        assert exit_term is not None
        assert exit_term.note == "helping individuals leave violent extremist groups"
        assert exit_term.unit is None

    def test_every_indicator_has_a_known_unit(self, registry: VocabularyRegistry) -> None:
        units = {t.unit for t in registry.terms("indicator")}
        assert units == {"count", "percent", "months", "currency_usd", "score", "effect_size"}

    def test_languages(self, registry: VocabularyRegistry) -> None:
        languages = registry.terms("language")
        codes = [t.code for t in languages]
        assert len(languages) >= 180
        assert codes == sorted(codes)
        labels = {t.code: t.label for t in languages}
        assert (labels["en"], labels["fr"], labels["ar"]) == ("English", "French", "Arabic")

    def test_returns_fresh_list(self) -> None:
        first = load_shipped_terms()
        first.clear()
        assert len(load_shipped_terms()) == 281 + sum(YAML_VOCABULARY_SIZES.values()) + len(
            shipped_registry().terms("language")
        )

    def test_terms_are_frozen(self, registry: VocabularyRegistry) -> None:
        term = registry.terms("kind")[0]
        with pytest.raises(dataclasses.FrozenInstanceError):
            term.label = "changed"  # type: ignore[misc]


class TestNames:
    def test_shipped_names(self, registry: VocabularyRegistry) -> None:
        assert registry.names() == list(VOCABULARY_NAMES)

    def test_known_vocabularies_exist_without_terms(self) -> None:
        empty = VocabularyRegistry([])
        assert empty.names() == list(VOCABULARY_NAMES)
        assert empty.terms("kind") == []
        assert empty.ancestors("KE") == []

    def test_extra_vocabularies_follow_sorted(self) -> None:
        reg = VocabularyRegistry([Term("zeta", "a", "A"), Term("alpha", "b", "B")])
        assert reg.names() == [*VOCABULARY_NAMES, "alpha", "zeta"]
        assert reg.terms("zeta") == [Term("zeta", "a", "A")]


class TestUnknownVocabulary:
    def test_terms_raises(self, registry: VocabularyRegistry) -> None:
        with pytest.raises(UnknownVocabulary) as info:
            registry.terms("colour")
        assert info.value.name == "colour"
        assert isinstance(info.value, LookupError)
        assert not isinstance(info.value, KeyError)

    @pytest.mark.parametrize("method", ["get", "is_valid", "replacement"])
    def test_code_lookups_raise(self, registry: VocabularyRegistry, method: str) -> None:
        with pytest.raises(UnknownVocabulary):
            getattr(registry, method)("colour", "red")


class TestDuplicateTerms:
    def test_duplicate_code_rejected(self) -> None:
        with pytest.raises(ValueError, match="duplicate code 'x'"):
            VocabularyRegistry([Term("kind", "x", "X"), Term("kind", "x", "Y")])

    def test_same_code_in_two_vocabularies_allowed(self) -> None:
        reg = VocabularyRegistry([Term("kind", "x", "X"), Term("setting", "x", "Y")])
        assert reg.get("kind", "x") == Term("kind", "x", "X")
        assert reg.get("setting", "x") == Term("setting", "x", "Y")


class TestAncestors:
    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            ("KE", ["014", "202", "002", "001"]),
            ("FR", ["155", "150", "001"]),
            ("BR", ["005", "419", "019", "001"]),
            ("JP", ["030", "142", "001"]),
            ("AQ", ["010", "001"]),
            ("XK", ["039", "150", "001"]),
            ("014", ["202", "002", "001"]),
            ("002", ["001"]),
            ("001", []),
            ("ZZ", []),
            ("", []),
        ],
    )
    def test_chain(self, registry: VocabularyRegistry, code: str, expected: list[str]) -> None:
        assert registry.ancestors(code) == expected

    def test_returns_a_copy(self, registry: VocabularyRegistry) -> None:
        registry.ancestors("KE").clear()
        assert registry.ancestors("KE") == ["014", "202", "002", "001"]

    def test_every_shipped_country_reaches_world(self, registry: VocabularyRegistry) -> None:
        broken = [
            t.code
            for t in registry.terms("region")
            if t.level == "country" and registry.ancestors(t.code)[-1:] != ["001"]
        ]
        assert broken == []


class TestOrphanAndCyclicRegions:
    @pytest.fixture
    def reg(self) -> VocabularyRegistry:
        return VocabularyRegistry(
            [
                _region("001", None, "world", 0),
                _region("002", "001", "region", 1),
                _region("KE", "002", "country", 2),
                _region("XA", None, "country", 3),
                _region("XB", "999", "country", 4),
                _region("777", "888", "region", 5),
                _region("888", "777", "region", 6),
                _region("XC", "777", "country", 7),
            ]
        )

    def test_ancestors_stop_where_chain_ends(self, reg: VocabularyRegistry) -> None:
        assert reg.ancestors("XA") == []
        assert reg.ancestors("XB") == []
        assert reg.ancestors("777") == ["888"]
        assert reg.ancestors("XC") == ["777", "888"]

    def test_expand_and_countries_under(self, reg: VocabularyRegistry) -> None:
        assert reg.expand_regions(["XB", "XC"]) == ["777", "888", "XB", "XC"]
        assert reg.countries_under("888") == {"XC"}
        assert reg.countries_under("001") == {"KE"}

    def test_tree_lists_every_region_once(self, reg: VocabularyRegistry) -> None:
        tree = reg.region_tree()
        assert [root["code"] for root in tree] == ["001", "XA", "XB", "777"]
        codes = [node["code"] for node in _walk(tree)]
        assert sorted(codes) == sorted(["001", "002", "KE", "XA", "XB", "777", "888", "XC"])
        assert len(codes) == len(set(codes))


class TestExpandRegions:
    def test_single_country(self, registry: VocabularyRegistry) -> None:
        assert registry.expand_regions(["KE"]) == ["001", "002", "014", "202", "KE"]

    def test_deduplicates_and_sorts(self, registry: VocabularyRegistry) -> None:
        assert registry.expand_regions(["KE", "FR", "KE", "002"]) == [
            "001",
            "002",
            "014",
            "150",
            "155",
            "202",
            "FR",
            "KE",
        ]

    def test_accepts_any_iterable(self, registry: VocabularyRegistry) -> None:
        assert registry.expand_regions(iter(("JP",))) == ["001", "030", "142", "JP"]

    def test_empty(self, registry: VocabularyRegistry) -> None:
        assert registry.expand_regions([]) == []

    def test_unknown_code_kept_without_ancestors(self, registry: VocabularyRegistry) -> None:
        assert registry.expand_regions(["ZZ", "BR"]) == ["001", "005", "019", "419", "BR", "ZZ"]


class TestCountries:
    def test_is_country(self, registry: VocabularyRegistry) -> None:
        assert registry.is_country("KE") is True
        assert registry.is_country("014") is False
        assert registry.is_country("001") is False
        assert registry.is_country("ZZ") is False

    def test_eastern_africa(self, registry: VocabularyRegistry) -> None:
        under = registry.countries_under("014")
        assert "KE" in under
        assert "FR" not in under
        assert len(under) == 22

    def test_country_is_under_itself(self, registry: VocabularyRegistry) -> None:
        assert registry.countries_under("KE") == {"KE"}

    def test_world_covers_every_country(self, registry: VocabularyRegistry) -> None:
        assert len(registry.countries_under("001")) == 250

    def test_africa(self, registry: VocabularyRegistry) -> None:
        africa = registry.countries_under("002")
        assert len(africa) == 60
        assert registry.countries_under("202") < africa

    def test_unknown_region(self, registry: VocabularyRegistry) -> None:
        assert registry.countries_under("ZZ") == set()

    def test_returns_a_copy(self, registry: VocabularyRegistry) -> None:
        registry.countries_under("014").clear()
        assert "KE" in registry.countries_under("014")


class TestRegionTree:
    def test_single_world_root(self, tree: list[dict[str, Any]]) -> None:
        assert len(tree) == 1
        root = tree[0]
        assert (root["code"], root["label"], root["level"]) == ("001", "World", "world")
        assert "ancestors" not in root

    def test_children_of_world_are_regions(self, tree: list[dict[str, Any]]) -> None:
        children = tree[0]["children"]
        assert [c["code"] for c in children] == ["002", "019", "142", "150", "009", "010"]
        assert {c["level"] for c in children} == {"region"}

    def test_kenya_leaf(self, tree: list[dict[str, Any]]) -> None:
        africa = next(c for c in tree[0]["children"] if c["code"] == "002")
        ssa = next(c for c in africa["children"] if c["code"] == "202")
        east = next(c for c in ssa["children"] if c["code"] == "014")
        kenya = next(c for c in east["children"] if c["code"] == "KE")
        assert kenya == {
            "code": "KE",
            "label": "Kenya",
            "level": "country",
            "children": [],
            "ancestors": ["014", "202", "002", "001"],
        }

    def test_every_country_is_a_leaf_exactly_once(self, tree: list[dict[str, Any]]) -> None:
        nodes = _walk(tree)
        countries = [n for n in nodes if n["level"] == "country"]
        assert len(countries) == 250
        assert len({n["code"] for n in countries}) == 250
        assert all(n["children"] == [] and "ancestors" in n for n in countries)
        assert len(nodes) == 281

    def test_fresh_structure_each_call(self) -> None:
        reg = shipped_registry()
        first = reg.region_tree()
        first[0]["children"].clear()
        assert len(reg.region_tree()[0]["children"]) == 6


class TestIsValid:
    @pytest.fixture
    def reg(self) -> VocabularyRegistry:
        return VocabularyRegistry(
            [
                Term("setting", "prison", "Prison"),
                Term("setting", "jail", "Jail", deprecated=True, replaced_by="prison"),
                Term("setting", "old", "Old", deprecated=True),
                Term("setting", "active", "Active", replaced_by="prison"),
            ]
        )

    def test_shipped_codes(self, registry: VocabularyRegistry) -> None:
        assert registry.is_valid("setting", "prison") is True
        assert registry.is_valid("region", "KE") is True
        assert registry.is_valid("language", "fr") is True
        assert registry.is_valid("setting", "Prison") is False
        assert registry.is_valid("setting", "KE") is False

    def test_active_term(self, reg: VocabularyRegistry) -> None:
        assert reg.is_valid("setting", "prison") is True
        assert reg.is_valid("setting", "prison", allow_deprecated=True) is True

    def test_deprecated_term_rejected_by_default(self, reg: VocabularyRegistry) -> None:
        assert reg.is_valid("setting", "jail") is False
        assert reg.is_valid("setting", "jail", allow_deprecated=True) is True

    def test_unknown_code_never_valid(self, reg: VocabularyRegistry) -> None:
        assert reg.is_valid("setting", "school", allow_deprecated=True) is False

    def test_replacement(self, reg: VocabularyRegistry) -> None:
        assert reg.replacement("setting", "jail") == "prison"
        assert reg.replacement("setting", "old") is None
        assert reg.replacement("setting", "prison") is None
        assert reg.replacement("setting", "school") is None

    def test_replacement_ignored_on_active_term(self, reg: VocabularyRegistry) -> None:
        assert reg.replacement("setting", "active") is None

    def test_terms_include_deprecated_in_order(self, reg: VocabularyRegistry) -> None:
        assert [t.code for t in reg.terms("setting")] == ["active", "jail", "old", "prison"]


class TestIndicatorValues:
    @pytest.mark.parametrize(
        ("code", "value"),
        [
            ("completion_rate", 100),
            ("completion_rate", 0),
            ("completion_rate", 37.5),
            ("participants_enrolled", 0),
            ("participants_enrolled", 12),
            ("participants_enrolled", 12.0),
            ("follow_up_months", 18.5),
            ("cost_per_participant", 0.0),
            ("cost_per_participant", 2500.75),
            ("community_acceptance", 100),
            ("attitude_change_effect", -0.4),
            ("attitude_change_effect", 5),
            ("attitude_change_effect", -5),
        ],
    )
    def test_accepted(self, registry: VocabularyRegistry, code: str, value: float) -> None:
        assert registry.check_indicator_value(code, value) is None

    @pytest.mark.parametrize(
        ("code", "value", "message"),
        [
            ("completion_rate", 101, "Completion rate: a percentage must be between 0 and 100"),
            ("completion_rate", -0.1, "Completion rate: a percentage must be between 0 and 100"),
            (
                "participants_enrolled",
                2.5,
                "Participants enrolled: a count must be a whole number of at least 0",
            ),
            (
                "participants_enrolled",
                -1,
                "Participants enrolled: a count must be a whole number of at least 0",
            ),
            (
                "follow_up_months",
                -3,
                "Follow-up period: a number of months must be at least 0",
            ),
            (
                "cost_per_participant",
                -0.01,
                "Cost per participant: an amount in USD must be at least 0",
            ),
            (
                "community_acceptance",
                100.5,
                "Community acceptance (survey score): a score must be between 0 and 100",
            ),
            (
                "attitude_change_effect",
                5.01,
                "Change in attitudes supporting violence (standardized effect size): "
                "an effect size must be between -5 and 5",
            ),
        ],
    )
    def test_rejected(
        self, registry: VocabularyRegistry, code: str, value: float, message: str
    ) -> None:
        assert registry.check_indicator_value(code, value) == message

    @pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
    @pytest.mark.parametrize(
        "code", ["completion_rate", "attitude_change_effect", "follow_up_months"]
    )
    def test_non_finite_rejected(
        self, registry: VocabularyRegistry, code: str, value: float
    ) -> None:
        message = registry.check_indicator_value(code, value)
        assert message is not None
        assert message.endswith("value must be a finite number")

    def test_bool_rejected(self, registry: VocabularyRegistry) -> None:
        assert (
            registry.check_indicator_value("participants_enrolled", True)
            == "Participants enrolled: value must be a number"
        )

    def test_unknown_indicator(self, registry: VocabularyRegistry) -> None:
        assert registry.check_indicator_value("happiness", 1) == "unknown indicator"

    def test_indicator_unit(self, registry: VocabularyRegistry) -> None:
        assert registry.indicator_unit("completion_rate") == "percent"
        assert registry.indicator_unit("participants_enrolled") == "count"
        assert registry.indicator_unit("attitude_change_effect") == "effect_size"
        assert registry.indicator_unit("happiness") is None

    def test_unit_without_rule_only_checks_finiteness(self) -> None:
        reg = VocabularyRegistry([Term("indicator", "ratio", "Ratio", unit="ratio")])
        assert reg.check_indicator_value("ratio", -42.0) is None
        assert (
            reg.check_indicator_value("ratio", math.nan) == "Ratio: value must be a finite number"
        )


class TestLoaderRejectsMalformedData:
    """The parsers fail loudly at startup instead of shipping partial vocabularies."""

    def test_region_with_unknown_level(self) -> None:
        text = "code,name,level,parent,iso3,m49\n001,World,planet,,,001\n"
        with pytest.raises(ValueError, match=r"regions.csv:2: unknown level 'planet'"):
            loader._parse_regions(text)

    def test_region_empty_parent_is_none(self) -> None:
        text = 'code,name,level,parent,iso3,m49\nFM,"Micronesia, Fed. Sts.",country,,FSM,583\n'
        assert loader._parse_regions(text) == [
            Term("region", "FM", "Micronesia, Fed. Sts.", level="country")
        ]

    def test_yaml_boolean_code(self) -> None:
        body = "\n".join(f"{name}: {{a: {{label: A}}}}" for name in loader._YAML_VOCABULARIES)
        with pytest.raises(ValueError, match="code True is not a string"):
            loader._parse_yaml_vocabularies(body + "\nkind: {yes: {label: Yes}}\n")

    def test_yaml_missing_vocabulary(self) -> None:
        with pytest.raises(ValueError, match="program_type must be a non-empty mapping"):
            loader._parse_yaml_vocabularies("kind: {a: {label: A}}\n")

    def test_yaml_unknown_key(self) -> None:
        body = "\n".join(
            f"{name}: {{a: {{label: A, colour: red}}}}" for name in loader._YAML_VOCABULARIES
        )
        with pytest.raises(ValueError, match=r"program_type\.a: unknown keys \['colour'\]"):
            loader._parse_yaml_vocabularies(body)
