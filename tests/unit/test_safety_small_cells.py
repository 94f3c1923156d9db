"""Small-cell protection: which indicator values rest on fewer than k people, and what
a reader other than the owner sees of them."""

from __future__ import annotations

from api.config import Settings
from api.safety import Indicator, protect_indicators, small_cells
from api.vocabularies.registry import shipped_registry

K = 10


def _ind(code: str, value: float, note: str | None = None) -> Indicator:
    # Units come from the shipped vocabulary, as the entry view gets them.
    return Indicator(code, value, shipped_registry().indicator_unit(code), note)


def _small(*indicators: Indicator, k: int = K) -> list[str]:
    return [check.code for check in small_cells(list(indicators), k=k)]


class TestDefaultK:
    def test_default_is_ten_and_configurable(self) -> None:
        assert Settings().small_cell_k == 10
        assert Settings(small_cell_k=5).small_cell_k == 5


class TestCounts:
    def test_count_below_k_is_small(self) -> None:
        assert _small(_ind("participants_completed", 9)) == ["participants_completed"]

    def test_count_of_exactly_k_is_shown(self) -> None:
        assert _small(_ind("participants_enrolled", 10)) == []

    def test_zero_exposes_nobody(self) -> None:
        assert _small(_ind("referrals_received", 0)) == []

    def test_k_of_one_suppresses_nothing(self) -> None:
        assert _small(_ind("participants_enrolled", 1), k=1) == []


class TestRates:
    def test_rate_on_a_small_evaluation_sample_is_small(self) -> None:
        found = _small(
            _ind("participants_enrolled", 200),
            _ind("evaluation_sample_size", 8),
            _ind("recidivism_any_24m", 12.5),
        )
        assert found == ["evaluation_sample_size", "recidivism_any_24m"]

    def test_rate_on_exactly_k_people_is_shown(self) -> None:
        assert _small(_ind("evaluation_sample_size", 10), _ind("employment_12m", 40)) == []

    def test_completion_rate_rests_on_enrolment_not_on_the_sample(self) -> None:
        found = _small(
            _ind("participants_enrolled", 120),
            _ind("evaluation_sample_size", 6),
            _ind("completion_rate", 75),
        )
        assert "completion_rate" not in found

    def test_outcome_rate_falls_back_to_completers_then_enrolled(self) -> None:
        assert _small(_ind("participants_completed", 7), _ind("housing_stable_12m", 50)) == [
            "participants_completed",
            "housing_stable_12m",
        ]
        assert _small(_ind("participants_enrolled", 4), _ind("dropout_rate", 25)) == [
            "participants_enrolled",
            "dropout_rate",
        ]

    def test_base_written_in_the_note_wins(self) -> None:
        found = _small(
            _ind("evaluation_sample_size", 300),
            _ind("recidivism_terrorism_12m", 14.3, note="subgroup of women, n = 7"),
        )
        assert found == ["recidivism_terrorism_12m"]

    def test_missing_cohort_is_not_suppressed_but_reported_unknown(self) -> None:
        from api.safety import check_cells

        [check] = check_cells([_ind("reengagement_rate", 3)], k=K)
        assert (check.base, check.small) == (None, False)

    def test_scores_and_effect_sizes_rest_on_the_sample_too(self) -> None:
        found = _small(
            _ind("evaluation_sample_size", 5),
            _ind("community_acceptance", 70),
            _ind("attitude_change_effect", 0.3),
        )
        assert found == ["evaluation_sample_size", "community_acceptance", "attitude_change_effect"]

    def test_program_descriptors_are_never_small(self) -> None:
        found = _small(
            _ind("participants_enrolled", 3),
            _ind("follow_up_months", 2),
            _ind("cost_per_participant", 5),
        )
        assert found == ["participants_enrolled"]


class TestDisplay:
    ENTRY = (
        _ind("participants_enrolled", 6),
        _ind("completion_rate", 83.3, note="5 of the 6 completed"),
        _ind("follow_up_months", 12),
    )

    def test_non_owner_sees_less_than_k_without_value_or_note(self) -> None:
        shown = protect_indicators(list(self.ENTRY), k=K, viewer_is_owner=False)
        assert [(s.display, s.value, s.note, s.suppressed) for s in shown] == [
            ("< 10", None, None, True),
            ("< 10", None, None, True),
            ("12", 12, None, False),
        ]

    def test_owner_sees_everything(self) -> None:
        shown = protect_indicators(list(self.ENTRY), k=K, viewer_is_owner=True)
        assert [(s.value, s.note, s.suppressed) for s in shown] == [
            (6, None, False),
            (83.3, "5 of the 6 completed", False),
            (12, None, False),
        ]

    def test_display_follows_k(self) -> None:
        shown = protect_indicators([_ind("participants_enrolled", 12)], k=20, viewer_is_owner=False)
        assert shown[0].display == "< 20"
