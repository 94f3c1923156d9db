"""The sensitive-data guard: what it finds, what it must leave alone, and that what it
finds never appears in clear — not in a finding, not in a log line."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from api.observability import configure_logging
from api.safety import Finding, scan_fields, scan_text
from tests.safety_corpus import build_corpus, evaluate


def _found(text: str) -> list[tuple[str, str]]:
    return [(detector, text[start:end]) for detector, start, end in scan_text(text)]


class TestCorpusTargets:
    """Product targets on the fixed-seed synthetic corpus (figures: bench/safety_bench.py)."""

    CORPUS = build_corpus(seed=13)

    def test_corpus_has_enough_planted_and_clean_texts_in_both_languages(self) -> None:
        planted = [s for s in self.CORPUS if s.planted]
        clean = [s for s in self.CORPUS if not s.planted]
        assert len(planted) >= 200
        assert len(clean) >= len(planted)
        assert {s.language for s in planted} == {s.language for s in clean} == {"en", "fr"}

    def test_recall_and_precision_meet_the_targets(self) -> None:
        overall = evaluate(self.CORPUS)["all"]
        assert overall.recall >= 0.95, overall
        assert overall.precision >= 0.9, overall

    def test_every_detector_is_exercised_and_useful(self) -> None:
        for name, score in evaluate(self.CORPUS).items():
            assert score.found + score.missed >= 30, name
            assert score.recall >= 0.9, (name, score)
            assert score.precision >= 0.9, (name, score)


class TestIndependentText:
    def test_demo_entries_written_without_the_guard_in_mind_raise_nothing(self) -> None:
        # The demo generator writes program descriptions full of participant words,
        # figures, years and place names, and no personal data.
        from api.demo.generator import generate

        entries = list(generate(300).entries)
        findings = [
            f.snippet
            for e in entries
            for f in scan_fields({"title": e.title, "summary": e.summary, "body": e.body})
        ]
        assert findings == []


class TestDetectors:
    @pytest.mark.parametrize(
        ("text", "detector", "value"),
        [
            ("write to aicha.traore@example.org today", "email", "aicha.traore@example.org"),
            ("moussa.k [at] example [dot] sn", "email", "moussa.k [at] example [dot] sn"),
            ("Call him on +221 77 123 45 67 tomorrow.", "phone", "+221 77 123 45 67"),
            ("joignable au 76 12 34 56 le soir", "phone", "76 12 34 56"),
            ("WhatsApp 0712 345 678", "phone", "0712 345 678"),
            ("tel: 06 12 34 56 78", "phone", "06 12 34 56 78"),
            ("his number 0300 1234567 was in the file", "phone", "0300 1234567"),
            ("0033 6 12 34 56 78", "phone", "0033 6 12 34 56 78"),
            ("passport no. A12345678 was kept", "id_number", "A12345678"),
            ("sa CNI n° 1 2345 6789 01234", "id_number", "1 2345 6789 01234"),
            ("numéro d'écrou 2019/4567", "id_number", "2019/4567"),
            ("CNIC 35202-1234567-1", "id_number", "35202-1234567-1"),
            ("born on 12 March 1994 in Gao", "date_of_birth", "12 March 1994"),
            ("né le 12/03/1994 à Gao", "date_of_birth", "12/03/1994"),
            ("née à Mopti le 3 mars 1994", "date_of_birth", "3 mars 1994"),
            ("DOB: 1994-03-12", "date_of_birth", "1994-03-12"),
            ("they met at 14.6928, -17.4467 near", "coordinates", "14.6928, -17.4467"),
            ("GPS 14.69, -17.44", "coordinates", "14.69, -17.44"),
            ("at 14°41'34\"N 17°26'48\"W", "coordinates", "14°41'34\"N 17°26'48\"W"),
            ("he lives at 12 Kilimani Road, Nairobi", "address", "12 Kilimani Road"),
            ("au 12 rue de la Paix à Dakar", "address", "12 rue de la Paix"),
            ("House 45, Street 12, Sector G-9/3", "address", "House 45, Street 12, Sector G-9/3"),
            ("Rue 10 x 15, Médina", "address", "Rue 10 x 15"),
            ("We met the returnee Amadou Diallo in Gao.", "participant_name", "Amadou Diallo"),
            ("Fatima, 24, a former fighter, said", "participant_name", "Fatima"),
            ("le détenu Moussa K. a expliqué", "participant_name", "Moussa K."),
            ("bénéficiaire : Aïcha Traoré", "participant_name", "Aïcha Traoré"),
            ("Le rapatrié Ousmane Ag Mohamed est", "participant_name", "Ousmane Ag Mohamed"),
            ("Ahmed al-Hassan was a detainee", "participant_name", "Ahmed al-Hassan"),
        ],
    )
    def test_finds(self, text: str, detector: str, value: str) -> None:
        assert (detector, value) in _found(text)

    @pytest.mark.parametrize(
        "text",
        [
            "The programme had a budget of USD 2,450,000 over three years.",
            "Le budget total est de 1 250 000 000 FCFA.",
            "A cohort of 120 participants was enrolled.",
            "Recidivism was 12% at 24 months (n = 345).",
            "Under Law No. 2019-04 of 12 March 2019, returnees are screened.",
            "La loi n° 2019-04 du 12 mars 2019 encadre la prise en charge.",
            "The 2019-2023 strategy was adopted in 2018.",
            "See the report (Ref. UNDP/SEN/2021/0457), pp. 123-145.",
            "ISBN 978-2-1234-5680-3 lists the toolkit.",
            "Invoice 78653589 was paid on 10/10/2020.",
            "The case file 2019/4567/KE was closed.",
            "The effect size was d = 0.3512, 95% CI 0.21 to 0.49.",
            "Respondents scored 43.9019, 61.9586 and 79.1519 on the scales.",
            "Minister Amadou Ba opened the centre in 2021.",
            "The Beneficiary Selection Committee met in Dakar.",
            "Returnees from Somalia and Kenya took part.",
            "In Mombasa, returnees reported stigma.",
            "Returnees, Imams and Elders: A Dialogue",
            "The programme was born on 12 March 2019 from a partnership.",
            "The High Court ruled that detainees must see a lawyer.",
            "The 2019 Peace Road Map guides the strategy.",
            "Page 12345678 of nothing; temperatures of 45°C.",
        ],
    )
    def test_leaves_look_alikes_alone(self, text: str) -> None:
        assert _found(text) == []


IDENTIFIERS = (
    "Amadou Diallo",
    "+221 77 123 45 67",
    "amadou.d@example.org",
    "12 March 1994",
    "A12345678",
    "12 rue de la Paix",
    "14.6928, -17.4467",
)
TEXT = (
    "The returnee Amadou Diallo (born on 12 March 1994, passport no. A12345678, "
    "tel +221 77 123 45 67, amadou.d@example.org) lives at 12 rue de la Paix, "
    "GPS 14.6928, -17.4467. Budget: USD 1,250,000."
)


class TestFindingsAreMasked:
    def test_each_identifier_is_found_once_with_offsets_into_its_field(self) -> None:
        findings = scan_fields({"body": TEXT})
        assert sorted(TEXT[f.start : f.end] for f in findings) == sorted(IDENTIFIERS)

    def test_no_identifier_in_snippets_reprs_or_dicts(self) -> None:
        for finding in scan_fields({"body": TEXT}):
            shown = " ".join([finding.snippet, repr(finding), str(finding), str(finding.as_dict())])
            for identifier in IDENTIFIERS:
                assert identifier not in shown
            assert "[" in finding.snippet

    def test_snippet_keeps_the_context_a_curator_needs(self) -> None:
        [finding] = scan_fields({"body": "Her mobile is 0712 345 678, call after six."})
        assert finding.snippet == "Her mobile is [phone], call after six."
        assert finding.label == "phone number"

    def test_a_snippet_never_shows_part_of_a_neighbouring_identifier(self) -> None:
        text = "x" * 30 + " amadou.diallo@example.org " + "y" * 45 + " tel +221 77 123 45 67"
        findings = scan_fields({"body": text})
        phone = next(f for f in findings if f.detector == "phone")
        assert "example" not in phone.snippet
        assert "diallo" not in phone.snippet


class TestFieldByField:
    def test_findings_name_their_field_including_attachments(self) -> None:
        findings = scan_fields(
            {
                "title": "Lessons from Gao",
                "summary": "",
                "body": "The detainee Moussa Keïta asked for books.",
                "attachments[a1B2c3]": "Contact: +223 65 01 23 45",
                "lessons": None,
            }
        )
        assert [(f.field, f.detector) for f in findings] == [
            ("body", "participant_name"),
            ("attachments[a1B2c3]", "phone"),
        ]

    def test_clean_fields_give_no_findings(self) -> None:
        assert scan_fields({"title": "Mentoring works", "body": "A cohort of 120."}) == []

    def test_findings_are_values(self) -> None:
        finding = Finding("body", "phone", 1, 5, "[phone]")
        with pytest.raises(AttributeError):
            finding.start = 0  # type: ignore[misc]


@pytest.fixture
def debug_logging() -> Iterator[None]:
    saved = structlog.get_config()
    configure_logging("DEBUG", json=True)
    yield
    structlog.configure(**saved)


class TestNothingLoggedInClear:
    def test_scanning_and_logging_findings_at_debug_leaks_no_identifier(
        self,
        debug_logging: None,
        capsys: pytest.CaptureFixture[str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        log = structlog.get_logger("api.safety.test")
        findings = scan_fields({"body": TEXT, "attachments[x1]": TEXT})
        # What a caller holding a submission would log.
        log.debug("findings", findings=[f.as_dict() for f in findings])
        log.info("submission held", findings=findings, count=len(findings))
        logging.getLogger("api.safety.test").debug("findings: %r", findings)

        lines = capsys.readouterr().out.splitlines() + [r.getMessage() for r in caplog.records]
        assert len([line for line in lines if line.strip()]) >= 3
        assert any(
            json.loads(line)["event"] == "findings" for line in lines if line.startswith("{")
        )
        for line in lines:
            for identifier in IDENTIFIERS:
                assert identifier not in line
