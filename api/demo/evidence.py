"""Pure: the structured evidence of a demo entry — findings, lessons and
recommendations, a program profile, follow-ups and curator ratings.

Drawn from its own random stream per entry (`(seed, index)`, salted), so the
demo entries' other fields are exactly those of earlier versions of the generator.
Texts are synthetic and name no person."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

_FINDINGS = (
    ("Participants who completed the program reoffended less than the comparison group.",
     ("recidivism_any_12m", "recidivism_any_24m")),
    ("Employment at twelve months was the strongest predictor of staying disengaged.",
     ("employment_12m",)),
    ("Family contact during the program was associated with higher completion.",
     ("completion_rate", "family_reunification")),
    ("Community acceptance scores rose where local leaders hosted dialogue sessions.",
     ("community_acceptance",)),
    ("Drop-out concentrated in the first two months, before mentors were assigned.",
     ("dropout_rate",)),
    ("Attitudes supporting violence changed little; social ties changed most.",
     ("attitude_change_effect",)),
)  # fmt: skip
_LESSONS = (
    "Involve families from the first month, not at release.",
    "A mentor who stays the same person across custody and release matters more than content.",
    "Agree with the prosecutor in writing what staff must report, before the first intake.",
    "Budget aftercare for at least two years; most setbacks came after month twelve.",
    "Collect the same indicators at the same intervals across sites from the start.",
    "Women participants needed child care to attend; without it attendance halved.",
)
_RECOMMENDATIONS = (
    ("Extend aftercare from 12 to 24 months.", ("recidivism_any_24m",)),
    ("Assign a mentor before release, not after.", ("dropout_rate",)),
    ("Partner with employers during the program's last quarter.", ("employment_12m",)),
    ("Publish a written reporting rule for staff and participants.", ()),
    ("Measure reoffending at 12, 24 and 36 months with the same definition.",
     ("recidivism_any_12m", "recidivism_any_36m")),
    ("Fund community acceptance dialogues in every receiving district.",
     ("community_acceptance",)),
)  # fmt: skip
_UNITS = ("Programme management", "Aftercare team", "Monitoring and evaluation unit",
          "Partnerships desk", "Board of trustees", "Ministry liaison office")  # fmt: skip
_ACTIONS = ("Budget line proposed for the next funding cycle.", "Pilot in two districts.",
            "Revised procedure drafted; staff training scheduled.",
            "Declined: the referral agency sets this rule.",
            "Included in the new data plan.")  # fmt: skip
_STATUSES = ("planned", "in_progress", "done", "not_accepted")
_OBJECTIVES = ("disengagement", "deradicalisation", "rehabilitation", "reintegration",
               "prevention")  # fmt: skip
_ROUTES = ("voluntary", "referral", "court_ordered", "amnesty_defection")
_DISCIPLINES = ("health_professionals", "social_services", "religious_leaders", "families",
                "former_extremists", "educators", "police", "probation_service")  # fmt: skip
_REPORTING = (
    ("never", "Sessions are confidential; staff report nothing to the authorities."),
    ("imminent_harm_only", "The case manager reports a threat to life to the police."),
    ("planned_offence", "The program director reports a planned offence to the prosecutor."),
    ("any_offence", "The probation officer reports disclosed offences, past ones included."),
)  # fmt: skip
_EFFECTS = ("improved", "improved", "mixed", "no_effect", "worsened")
_REASONS = (
    "Comparison group matched on age and offence; {months}-month follow-up; attrition under 20%.",
    "Before/after measures only; the fall may reflect who chose to complete.",
    "Small sample and self-reported outcome; consistent with the qualitative findings.",
    "Administrative reoffending data for all participants; no comparison group.",
)


@dataclass(frozen=True, slots=True)
class DemoRating:
    outcome: str
    effect: str
    evaluation_design: str
    evidence_level: str
    reasoning: str
    rated_on: date
    # A replaced rating stays as history: (its effect, level, reasoning) before the change.
    earlier: tuple[str, str, str] | None = None
    dispute: str | None = None


@dataclass(frozen=True, slots=True)
class DemoFollowUp:
    recommendation_id: str
    action: str
    responsible_unit: str
    due_date: date | None
    status: str


@dataclass(frozen=True, slots=True)
class DemoEvidence:
    findings: list[dict[str, Any]]
    lessons: list[dict[str, Any]]
    recommendations: list[dict[str, Any]]
    profile: dict[str, Any] | None
    follow_ups: tuple[DemoFollowUp, ...] = ()
    ratings: tuple[DemoRating, ...] = ()


def _rng(seed: int, index: int) -> random.Random:
    digest = hashlib.blake2b(f"offramp-demo-evidence:{seed}:{index}".encode(), digest_size=8)
    return random.Random(int.from_bytes(digest.digest(), "big"))


def _items(rng: random.Random, pool: Any, prefix: str, low: int, high: int,
           program_types: list[str]) -> list[dict[str, Any]]:  # fmt: skip
    chosen = rng.sample(range(len(pool)), rng.randint(low, high))
    items = []
    for n, i in enumerate(sorted(chosen), start=1):
        text, outcomes = pool[i] if isinstance(pool[i], tuple) else (pool[i], ())
        items.append({"id": f"{prefix}{n}", "text": text, "outcomes": list(outcomes),
                      "program_types": program_types[:1]})  # fmt: skip
    return items


def demo_evidence(
    seed: int,
    index: int,
    *,
    kind: str,
    program_types: list[str],
    indicator_codes: list[str],
    evaluation_design: str | None,
    evidence_level: str,
    period_end: date,
) -> DemoEvidence:
    rng = _rng(seed, index)
    profile = None
    if kind == "program_profile" or (kind == "evaluation" and rng.random() < 0.3):
        reporting, detail = rng.choice(_REPORTING)
        profile = {
            "objectives": rng.sample(_OBJECTIVES, rng.randint(1, 2)),
            "entry_routes": rng.sample(_ROUTES, rng.randint(1, 2)),
            "disciplines": rng.sample(_DISCIPLINES, rng.randint(2, 4)),
            "law_enforcement_role": rng.choice((
                "Police refer participants and receive quarterly aggregate reports only.",
                "No role after referral; the court receives a completion certificate.",
                "Security services vet entry; they do not attend sessions.")),
            "reporting_rule": reporting, "reporting_detail": detail,
            "legal_guarantees": rng.choice((
                "What participants say in sessions cannot be used in court.",
                "Amnesty law guarantees no prosecution for membership alone.",
                "None beyond ordinary medical confidentiality.")),
            "aftercare": rng.choice(("Monthly mentor contact for 12 months.",
                                     "Two years of case management after exit.", "")),
            "retribution_protection": rng.choice((
                "Relocation fund and an emergency contact line.",
                "Safe housing for the first three months.", "")),
            "community_involvement": rng.choice((
                "Community acceptance dialogues before return.",
                "Local councils co-chair the reintegration panel.", "")),
            "duration_months": rng.choice((6, 9, 12, 18, 24)),
            "cohort_size": rng.choice((8, 25, 40, 60, 120, 300)),
            "cost_per_participant_usd": float(rng.choice((450, 1200, 2400, 5200, 9800))),
        }  # fmt: skip
    if kind not in ("evaluation", "lessons_learned"):
        return DemoEvidence([], [], [], profile)
    findings = _items(rng, _FINDINGS, "f", 1, 3, program_types) if kind == "evaluation" else []
    lessons = _items(rng, _LESSONS, "l", 1, 3, program_types)
    recommendations = _items(rng, _RECOMMENDATIONS, "r", 1, 4, program_types)
    follow_ups = tuple(
        DemoFollowUp(
            recommendation_id=item["id"],
            action=rng.choice(_ACTIONS),
            responsible_unit=rng.choice(_UNITS),
            due_date=period_end + timedelta(days=rng.randint(180, 900)),
            status=rng.choice(_STATUSES),
        )
        for item in recommendations
        if rng.random() < 0.6
    )
    ratings: list[DemoRating] = []
    rated = [c for c in indicator_codes if c.startswith(("recidivism", "employment", "reengage"))]
    if kind == "evaluation" and evaluation_design and rated and rng.random() < 0.5:
        outcome = rated[0]
        earlier = None
        if rng.random() < 0.35:
            earlier = (rng.choice(_EFFECTS), "moderate",
                       "First rating, before the 24-month data were published.")  # fmt: skip
        ratings.append(DemoRating(
            outcome=outcome, effect=rng.choice(_EFFECTS), evaluation_design=evaluation_design,
            evidence_level=evidence_level if evidence_level != "not_assessed" else "descriptive",
            reasoning=rng.choice(_REASONS).format(months=rng.choice((12, 24, 36))),
            rated_on=period_end + timedelta(days=rng.randint(200, 500)), earlier=earlier,
            dispute="The organization disputes the level: its 36-month follow-up covers every "
            "participant." if rng.random() < 0.2 else None,
        ))  # fmt: skip
    return DemoEvidence(findings, lessons, recommendations, profile, follow_ups, tuple(ratings))


@dataclass(frozen=True, slots=True)
class DemoSeriesEntry:
    """One entry of a program series: a profile, or one of its evaluations."""

    id: str
    kind: str
    title: str
    summary: str
    organization: str
    country: str
    program_types: list[str]
    year: int
    indicators: list[tuple[str, float, str | None]]
    evidence: DemoEvidence
    program_id: str | None
    evaluation_design: str | None
    evidence_level: str


_SERIES = (
    # organization slug, country, program name, program types, first year
    ("sahel-pathways-initiative", "ML", "Pathways Home", ["reintegration", "mentoring"], 2012),
    (
        "lake-chad-bridges-collective",
        "NG",
        "Safe Return",
        ["returnee_repatriation", "reintegration"],
        2013,
    ),
    (
        "maghreb-second-chance-centre",
        "TN",
        "Second Chance",
        ["exit_disengagement", "probation_aftercare"],
        2011,
    ),
)
_DESIGNS = (
    ("pre_post", "preliminary"),
    ("quasi_experimental", "moderate"),
    ("longitudinal_cohort", "moderate"),
    ("randomized_controlled_trial", "strong"),
)


def program_series(organizations: set[str], seed: int) -> list[DemoSeriesEntry]:
    """Program profiles with three or four evaluations each, years apart, whose 12-,
    24- and 36-month reoffending can be read as a trend (the program timeline). Only
    for the series whose organization exists in the demo."""
    out: list[DemoSeriesEntry] = []
    for n, (org, country, name, types, first) in enumerate(_SERIES):
        if org not in organizations:
            continue
        rng = _rng(seed, -1 - n)
        program_id = f"demo-program-{n + 1}"
        profile = demo_evidence(
            seed, -100 - n, kind="program_profile", program_types=types, indicator_codes=[],
            evaluation_design=None, evidence_level="not_assessed", period_end=date(first, 1, 1),
        )  # fmt: skip
        out.append(DemoSeriesEntry(
            id=program_id, kind="program_profile", title=f"{name}: program profile",
            summary=f"How {name} is designed: entry routes, reporting rule, aftercare.",
            organization=org, country=country, program_types=types, year=first,
            indicators=[], evidence=profile, program_id=None, evaluation_design=None,
            evidence_level="not_assessed",
        ))  # fmt: skip
        base = rng.uniform(18, 30)
        for step in range(rng.randint(3, 4)):
            year = first + 2 + 3 * step
            design, level = _DESIGNS[min(step, len(_DESIGNS) - 1)]
            fall = 1 - 0.12 * step
            enrolled = rng.randint(80, 400)
            evidence = demo_evidence(seed, -200 - 10 * n - step, kind="evaluation",
                                     program_types=types, indicator_codes=["recidivism_any_12m"],
                                     evaluation_design=design, evidence_level=level,
                                     period_end=date(year, 12, 31))  # fmt: skip
            out.append(DemoSeriesEntry(
                id=f"{program_id}-eval-{step + 1}", kind="evaluation",
                title=f"{name}: evaluation {year}",
                summary=f"Outcomes of {name} participants followed up to 36 months ({year}).",
                organization=org, country=country, program_types=types, year=year,
                indicators=[
                    ("participants_enrolled", float(enrolled), None),
                    ("evaluation_sample_size", float(int(enrolled * 0.8)), None),
                    ("recidivism_any_12m", round(base * fall * 0.5, 1), None),
                    ("recidivism_any_24m", round(base * fall * 0.8, 1), None),
                    ("recidivism_any_36m", round(base * fall, 1), None),
                    ("employment_12m", round(rng.uniform(30, 60) + 5 * step, 1), None),
                ],
                evidence=evidence, program_id=program_id, evaluation_design=design,
                evidence_level=level,
            ))  # fmt: skip
    return out
