"""Deterministic generator of synthetic Offramp Exchange demo data.

This module owns the *content* of the demo dataset: a fixed set of fictional
organizations and a lazily generated stream of fictional entries built from
templates and the shipped controlled vocabularies
(`api/vocabularies/data/vocabularies.yaml` and `regions.csv`, read directly
through `importlib.resources`). It is pure: no database, no network, no clock,
no global `random` state. Attachments are described as paragraphs
(`DemoAttachment`); turning them into PDF/DOCX/Markdown/text bytes is the
loader's job.

Invariants:

* `generate(size, seed=s)` is a pure function of `(size, s)`; entry *i* is a
  pure function of `(s, i)` alone, so `generate(N)` is a prefix of
  `generate(M)` for every M > N, and ids stay stable as the demo grows.
* Every code emitted exists in the shipped vocabularies; indicator values are
  valid for their unit.
* For every size >= 300 (the default is 320) the coverage slots guarantee: all
  kinds, program types, visibilities, statuses and languages (en, fr, es, ar,
  ru, id) occur; every UN M49 subregion of Africa, the Americas, Asia, Europe
  and Oceania has an entry tagged with one of its countries; attachments of all
  four media types occur; entries about reintegrating returnee women in
  Eastern Africa exist.
* An attachment's codeword never occurs in its entry's title, summary or body.
* Entries are yielded one at a time, so memory stays flat for any size.
"""

from __future__ import annotations

import base64
import bisect
import csv
import functools
import hashlib
import io
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import Any, Final, Literal, TypeVar

import yaml

from api.demo.evidence import DemoEvidence, demo_evidence
from api.demo.policy import demo_policy

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_SIZE",
    "MEDIA_TYPES",
    "DemoAttachment",
    "DemoDataset",
    "DemoEntry",
    "DemoIndicator",
    "DemoOrganization",
    "EntryKind",
    "EntryStatus",
    "OrganizationKind",
    "Visibility",
    "generate",
]

DEFAULT_SIZE: Final = 320
DEFAULT_SEED: Final = 20261128

OrganizationKind = Literal["ngo", "government", "research", "international"]
EntryKind = Literal["evaluation", "lessons_learned", "program_profile", "policy_framework"]
Visibility = Literal["public", "network", "partners", "private"]
EntryStatus = Literal["published", "draft"]

MEDIA_PDF: Final = "application/pdf"
MEDIA_DOCX: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_MARKDOWN: Final = "text/markdown"
MEDIA_TEXT: Final = "text/plain"
MEDIA_TYPES: Final[tuple[str, ...]] = (MEDIA_PDF, MEDIA_DOCX, MEDIA_MARKDOWN, MEDIA_TEXT)
_EXTENSIONS: Final = {MEDIA_PDF: "pdf", MEDIA_DOCX: "docx", MEDIA_MARKDOWN: "md", MEDIA_TEXT: "txt"}


# --------------------------------------------------------------------------- public types


@dataclass(frozen=True, slots=True)
class DemoOrganization:
    slug: str
    name: str
    country: str  # ISO 3166-1 alpha-2
    kind: OrganizationKind


@dataclass(frozen=True, slots=True)
class DemoIndicator:
    code: str
    value: float
    note: str | None


@dataclass(frozen=True, slots=True)
class DemoAttachment:
    filename: str
    media_type: str
    paragraphs: tuple[str, ...]
    title: str
    # A made-up word that occurs in `paragraphs` and nowhere in the entry's
    # title, summary or body (for "found only via attachment" search tests).
    codeword: str = ""


@dataclass(frozen=True, slots=True)
class DemoEntry:
    id: str
    kind: EntryKind
    title: str
    summary: str
    body: str
    language: str
    organization: str
    authors: list[str]
    program_types: list[str]
    regions: list[str]
    settings: list[str]
    target_populations: list[str]
    actors: list[str]
    evaluation_design: str | None
    evidence_level: str
    period_start: date
    period_end: date
    published_at: date
    indicators: list[DemoIndicator]
    links: list[tuple[str, str]]
    license: str
    visibility: Visibility
    shared_with: list[str]
    status: EntryStatus
    attachments: tuple[DemoAttachment, ...]
    # Findings, lessons, recommendations, profile, follow-ups, ratings (api.demo.evidence).
    evidence: DemoEvidence | None = None
    # A policy framework's structured fields (api.demo.policy); None on other kinds.
    policy: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class DemoDataset:
    organizations: list[DemoOrganization]
    entries: Iterator[DemoEntry]


# --------------------------------------------------------------------------- reference data


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity (used as a cache key)
class _Reference:
    labels: dict[str, dict[str, str]]  # vocabulary -> code -> label
    units: dict[str, str]  # indicator code -> unit
    names: dict[str, str]  # region or country code -> name
    levels: dict[str, str]  # region or country code -> level
    parents: dict[str, str]  # region or country code -> parent code


def _read_data_file(name: str) -> str:
    return (
        resources.files("api.vocabularies")
        .joinpath("data")
        .joinpath(name)
        .read_text(encoding="utf-8")
    )


@functools.cache
def _reference() -> _Reference:
    raw = yaml.safe_load(_read_data_file("vocabularies.yaml"))
    if not isinstance(raw, dict):
        raise ValueError("vocabularies.yaml: expected a mapping at top level")
    labels: dict[str, dict[str, str]] = {}
    units: dict[str, str] = {}
    for vocabulary, terms in raw.items():
        if not isinstance(terms, dict):
            raise ValueError(f"vocabularies.yaml: {vocabulary!r} is not a mapping")
        labels[str(vocabulary)] = {str(code): str(t["label"]) for code, t in terms.items()}
        if vocabulary == "indicator":
            units = {str(code): str(t["unit"]) for code, t in terms.items()}
    names: dict[str, str] = {}
    levels: dict[str, str] = {}
    parents: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(_read_data_file("regions.csv"))):
        names[row["code"]] = row["name"]
        levels[row["code"]] = row["level"]
        parents[row["code"]] = row["parent"]
    ref = _Reference(labels=labels, units=units, names=names, levels=levels, parents=parents)
    _check_tables(ref)
    return ref


def _ancestors(ref: _Reference, code: str) -> list[str]:
    chain: list[str] = []
    current = ref.parents.get(code, "")
    while current:
        chain.append(current)
        current = ref.parents.get(current, "")
    return chain


@functools.cache
def _level_of(ref: _Reference, country: str, level: str) -> str:
    """The M49 ancestor of `country` at `level` ("region": '002', '019', ...)."""
    for code in _ancestors(ref, country):
        if ref.levels[code] == level:
            return code
    return ""


# --------------------------------------------------------------------------- static tables

_T = TypeVar("_T")


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _weighted(spec: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Parse 'a:3 b:1' into (codes, cumulative weights)."""
    codes: list[str] = []
    cumulative: list[int] = []
    total = 0
    for item in spec.split():
        code, weight = item.split(":")
        total += int(weight)
        codes.append(code)
        cumulative.append(total)
    return tuple(codes), tuple(cumulative)


class _Rng:
    """A seeded random source drawing only from `random.Random.random()`.

    The helpers are simpler (and several times faster) than the stdlib ones,
    which matters when streaming 100k entries; they are deterministic for a
    given seed across Python versions because they use only `random()`.
    """

    __slots__ = ("random",)

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed).random

    def randint(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self.random()

    def choice(self, seq: Sequence[_T]) -> _T:
        return seq[int(self.random() * len(seq))]

    def sample(self, pool: Sequence[_T], k: int) -> list[_T]:
        items = list(pool)
        n = len(items)
        for i in range(k):
            j = i + int(self.random() * (n - i))
            items[i], items[j] = items[j], items[i]
        return items[:k]


def _pick(rng: _Rng, table: tuple[Sequence[_T], Sequence[int]]) -> _T:
    codes, cumulative = table
    return codes[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


_ORGANIZATIONS: Final[tuple[tuple[str, str, OrganizationKind], ...]] = (
    # Africa
    ("Sahel Pathways Initiative", "ML", "ngo"),
    ("Lake Chad Bridges Collective", "NG", "ngo"),
    ("Northern Corridor Rehabilitation Service", "NG", "government"),
    ("Horn of Africa Reintegration Lab", "KE", "research"),
    ("Coastal Kenya Youth Trust", "KE", "ngo"),
    ("Somali Return Home Network", "SO", "ngo"),
    ("Great Lakes Peaceworks", "UG", "ngo"),
    ("Rift Valley Dialogue Centre", "ET", "research"),
    ("Rovuma Community Recovery Programme", "MZ", "ngo"),
    ("Far North Reconciliation Desk", "CM", "government"),
    ("Teranga Prevention Network", "SN", "ngo"),
    ("Maghreb Second Chance Centre", "TN", "ngo"),
    ("Atlas Renewal Foundation", "MA", "ngo"),
    ("Southern Africa Resilience Forum", "ZA", "research"),
    # Americas
    ("Andean Reintegration Observatory", "CO", "research"),
    ("Pacific Coast Transition Agency", "CO", "government"),
    ("Great Plains Exit Network", "US", "ngo"),
    ("Northern Lights Prevention Hub", "CA", "ngo"),
    ("Central American Youth Alternatives", "SV", "ngo"),
    ("Rio Prata Prison Reform Institute", "BR", "research"),
    ("Caribbean Resilience Partnership", "TT", "international"),
    ("Sierra Madre Community Justice Lab", "MX", "research"),
    # Asia
    ("Mindanao Peace Pathways", "PH", "ngo"),
    ("Nusantara Disengagement Foundation", "ID", "ngo"),
    ("Steppe Return Centre", "KZ", "government"),
    ("Fergana Valley Family Network", "UZ", "ngo"),
    ("Indus Youth Futures", "PK", "ngo"),
    ("Bay of Bengal Research Collective", "BD", "research"),
    ("Tigris Reconciliation Council", "IQ", "ngo"),
    ("Levant Psychosocial Alliance", "JO", "ngo"),
    ("Anatolian Prevention Institute", "TR", "research"),
    ("Straits Rehabilitation Service", "SG", "government"),
    ("Mekong Dialogue Institute", "TH", "research"),
    ("Lanka Reintegration Desk", "LK", "government"),
    ("East Asia Prevention Forum", "JP", "research"),
    ("Arabian Gulf Counselling Centre", "AE", "ngo"),
    # Europe
    ("Nordic Exit Collaborative", "SE", "ngo"),
    ("Lowlands Family Support Line", "BE", "ngo"),
    ("Rhine Probation Network", "DE", "government"),
    ("Albion Intervention Partnership", "GB", "government"),
    ("Balkan Returnee Support Centre", "XK", "ngo"),
    ("Iberian Prevention Observatory", "ES", "research"),
    ("Alpine Evidence Institute", "CH", "research"),
    ("Baltic Resilience Lab", "LT", "research"),
    ("Danube Reintegration Initiative", "RO", "ngo"),
    ("Hexagone Desistance Centre", "FR", "government"),
    ("Euro-Mediterranean Off-Ramp Network", "FR", "international"),
    # Oceania
    ("Southern Cross Disengagement Program", "AU", "government"),
    ("Aotearoa Community Connect", "NZ", "ngo"),
    ("Pacific Islands Resilience Network", "FJ", "international"),
    # Global
    ("Global Off-Ramp Evidence Consortium", "NL", "international"),
    ("Transnational Returnee Research Group", "NO", "research"),
    ("Multilateral Prevention Facility", "AT", "international"),
)


def _slugify(name: str) -> str:
    out: list[str] = []
    for ch in name.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


@dataclass(frozen=True, slots=True)
class _ProgramType:
    phrase: str  # singular noun phrase: "prison-based rehabilitation programme"
    topic: str  # "rehabilitation of violent extremist offenders in prison"
    group: str  # prevention | individual | prison | returnee | conflict | support | system
    settings: tuple[str, ...]
    populations: tuple[str, ...]
    actors: tuple[str, ...]
    related: tuple[str, ...]
    components: tuple[str, ...]
    fr: str
    es: str


def _pt(
    phrase: str,
    topic: str,
    group: str,
    settings: str,
    populations: str,
    actors: str,
    related: str,
    components: str,
    fr: str,
    es: str,
) -> _ProgramType:
    return _ProgramType(
        phrase=phrase,
        topic=topic,
        group=group,
        settings=tuple(settings.split()),
        populations=tuple(populations.split()),
        actors=tuple(actors.split()),
        related=tuple(related.split()),
        components=tuple(c.strip() for c in components.split(";")),
        fr=fr,
        es=es,
    )


_PROGRAM_TYPES: Final[dict[str, _ProgramType]] = {
    "community_resilience": _pt(
        "community resilience programme",
        "community resilience to violent extremism",
        "prevention",
        "community religious_institution school",
        "general_public youth community_leaders receiving_communities",
        "community_based_organization local_government religious_leaders ngo",
        "education_youth community_policing strategic_communication",
        "community dialogue sessions; small grants for youth-led initiatives; "
        "training for community and religious leaders; a local early-warning network",
        "programme de résilience communautaire",
        "programa de resiliencia comunitaria",
    ),
    "education_youth": _pt(
        "school-based prevention curriculum",
        "prevention of violent extremism through education",
        "prevention",
        "school university online",
        "youth children general_public",
        "educators local_government ngo academia",
        "community_resilience strategic_communication mentoring",
        "classroom modules on critical thinking; teacher training; "
        "peer-led debate clubs; sports and arts activities",
        "programme de prévention en milieu scolaire",
        "programa de prevención en el ámbito escolar",
    ),
    "strategic_communication": _pt(
        "alternative-narrative campaign",
        "strategic communication and alternative narratives",
        "prevention",
        "online community",
        "youth general_public at_risk_individuals",
        "tech_platforms ngo former_extremists national_government",
        "education_youth community_resilience",
        "short videos made with young people; credible messengers telling their own stories; "
        "targeted online advertising; moderated online discussion groups",
        "campagne de contre-discours",
        "campaña de narrativas alternativas",
    ),
    "early_intervention": _pt(
        "multi-agency early intervention and referral scheme",
        "early intervention and referral",
        "individual",
        "community school health_service",
        "at_risk_individuals youth families",
        "police social_services educators health_professionals local_government",
        "mentoring family_support multi_agency_case_management",
        "a referral hotline for teachers and social workers; structured risk and needs assessment; "
        "a multi-agency panel; tailored support packages",
        "dispositif d'intervention précoce et d'orientation",
        "sistema de intervención temprana y derivación",
    ),
    "mentoring": _pt(
        "mentoring programme",
        "mentoring for people at risk of radicalisation",
        "individual",
        "community probation online",
        "at_risk_individuals youth violent_extremist_offenders",
        "ngo former_extremists social_services",
        "exit_disengagement early_intervention psychosocial",
        "one-to-one mentoring; credible messengers who left extremist groups themselves; "
        "help with education and work; weekly supervision for mentors",
        "programme de mentorat",
        "programa de mentoría",
    ),
    "family_support": _pt(
        "family support and counselling service",
        "support to families of radicalised persons",
        "individual",
        "family_home community online",
        "families at_risk_individuals returnees",
        "ngo social_services health_professionals families",
        "early_intervention psychosocial",
        "a confidential helpline; parent support groups; home visits by counsellors; "
        "guidance for families of people in prison",
        "service de soutien aux familles",
        "servicio de apoyo a las familias",
    ),
    "exit_disengagement": _pt(
        "exit and disengagement programme",
        "exit and disengagement from violent extremist groups",
        "individual",
        "community online probation",
        "defectors at_risk_individuals violent_extremist_offenders",
        "ngo former_extremists police social_services",
        "mentoring deradicalisation reintegration",
        "safety planning for people leaving a group; one-to-one mentoring; "
        "practical help with housing and identity documents; family mediation",
        "programme de sortie et de désengagement",
        "programa de salida y desvinculación",
    ),
    "deradicalisation": _pt(
        "deradicalisation and ideological counselling programme",
        "deradicalisation and ideological counselling",
        "individual",
        "prison rehabilitation_centre religious_institution",
        "violent_extremist_offenders at_risk_individuals foreign_terrorist_fighters",
        "religious_leaders health_professionals prison_service academia",
        "prison_rehabilitation psychosocial mentoring",
        "theological dialogue with religious scholars; cognitive-behavioural group sessions; "
        "psychological assessment; family counselling",
        "programme de déradicalisation et d'accompagnement idéologique",
        "programa de desradicalización y acompañamiento ideológico",
    ),
    "prison_rehabilitation": _pt(
        "prison-based rehabilitation programme",
        "rehabilitation of violent extremist offenders in prison",
        "prison",
        "prison pretrial_detention",
        "violent_extremist_offenders prisoners foreign_terrorist_fighters",
        "prison_service religious_leaders health_professionals ngo",
        "deradicalisation probation_aftercare livelihoods psychosocial",
        "individual risk and needs assessment; vocational training in prison workshops; "
        "theological and civic education; psychological support; release planning",
        "programme de réhabilitation en milieu carcéral",
        "programa de rehabilitación penitenciaria",
    ),
    "prison_radicalisation_prevention": _pt(
        "programme to prevent radicalisation in prison",
        "preventing radicalisation in prisons",
        "prison",
        "prison juvenile_detention pretrial_detention",
        "prisoners practitioners violent_extremist_offenders",
        "prison_service religious_leaders academia",
        "practitioner_training prison_rehabilitation",
        "training for prison officers; screening on arrival; "
        "structured activities for young prisoners; a reporting protocol for concerns",
        "programme de prévention de la radicalisation en prison",
        "programa de prevención de la radicalización en prisiones",
    ),
    "probation_aftercare": _pt(
        "probation and aftercare programme",
        "probation, parole and aftercare for terrorist offenders",
        "prison",
        "probation community",
        "violent_extremist_offenders prisoners",
        "probation_service police social_services ngo",
        "reintegration mentoring multi_agency_case_management",
        "supervision meetings with probation officers; help with housing and work; "
        "licence conditions reviewed by a multi-agency panel; peer mentoring after release",
        "programme de probation et de suivi post-libération",
        "programa de libertad condicional y acompañamiento pospenitenciario",
    ),
    "reintegration": _pt(
        "community reintegration programme",
        "community reintegration after release or return",
        "support",
        "community post_conflict family_home",
        "returnees violent_extremist_offenders ex_combatants receiving_communities",
        "ngo local_government community_based_organization social_services",
        "livelihoods psychosocial reconciliation probation_aftercare",
        "community acceptance dialogues; housing and documentation support; "
        "vocational training; psychosocial support; follow-up visits by caseworkers",
        "programme de réintégration communautaire",
        "programa de reintegración comunitaria",
    ),
    "returnee_repatriation": _pt(
        "returnee rehabilitation and reintegration programme",
        "repatriation and reintegration of returnees",
        "returnee",
        "community camp rehabilitation_centre",
        "returnees foreign_terrorist_fighters women children",
        "national_government social_services judiciary international_organization",
        "reintegration children_rehabilitation psychosocial family_support",
        "reception and screening after repatriation; trauma-informed care for children; "
        "legal assistance; family reunification; school enrolment",
        "programme de réintégration des rapatriés",
        "programa de reintegración de retornados",
    ),
    "children_rehabilitation": _pt(
        "rehabilitation programme for children formerly associated with armed groups",
        "rehabilitation of children associated with armed groups",
        "conflict",
        "rehabilitation_centre community school camp",
        "children youth families",
        "social_services international_organization educators health_professionals",
        "psychosocial returnee_repatriation reintegration",
        "interim care centres; family tracing and reunification; catch-up education; "
        "child-friendly psychosocial support",
        "programme de réhabilitation des enfants associés aux groupes armés",
        "programa de rehabilitación de niños y niñas vinculados a grupos armados",
    ),
    "alternatives_to_prosecution": _pt(
        "diversion and alternatives-to-prosecution scheme",
        "alternatives to prosecution for low-level offenders",
        "individual",
        "community probation",
        "at_risk_individuals youth defectors",
        "judiciary police social_services ngo",
        "mentoring exit_disengagement",
        "deferred prosecution agreements; supervised community programmes; "
        "mentoring; review hearings",
        "dispositif d'alternatives aux poursuites",
        "programa de alternativas al enjuiciamiento",
    ),
    "amnesty_defection": _pt(
        "amnesty and defector reception programme",
        "amnesty and defection from armed groups",
        "conflict",
        "conflict_zone rehabilitation_centre post_conflict",
        "defectors ex_combatants families",
        "military national_government religious_leaders international_organization",
        "ddr reintegration deradicalisation",
        "safe reporting points for people leaving armed groups; screening and legal processing; "
        "a transit rehabilitation centre; radio messages to encourage defection",
        "programme d'accueil des repentis et des défecteurs",
        "programa de amnistía y acogida de desertores",
    ),
    "ddr": _pt(
        "disarmament, demobilisation and reintegration (DDR) programme",
        "disarmament, demobilisation and reintegration",
        "conflict",
        "post_conflict conflict_zone camp",
        "ex_combatants defectors children receiving_communities",
        "international_organization military national_government community_based_organization",
        "reintegration livelihoods reconciliation",
        "weapons collection; demobilisation camps; reinsertion packages; "
        "community-based reintegration projects",
        "programme de désarmement, démobilisation et réintégration (DDR)",
        "programa de desarme, desmovilización y reintegración (DDR)",
    ),
    "livelihoods": _pt(
        "vocational training and livelihoods programme",
        "livelihoods and vocational training for reintegration",
        "support",
        "community workplace prison",
        "ex_combatants returnees youth women",
        "private_sector ngo local_government",
        "reintegration ddr",
        "apprenticeships with local employers; start-up grants; "
        "savings groups; literacy and numeracy classes",
        "programme de formation professionnelle et de moyens de subsistance",
        "programa de formación profesional y medios de vida",
    ),
    "psychosocial": _pt(
        "psychosocial support programme",
        "psychosocial and mental health support in prevention and rehabilitation",
        "support",
        "health_service community prison camp",
        "returnees victims children violent_extremist_offenders",
        "health_professionals ngo social_services",
        "reintegration family_support",
        "trauma-informed counselling; group therapy; referral to specialised mental-health care; "
        "training for lay counsellors",
        "programme de soutien psychosocial",
        "programa de apoyo psicosocial",
    ),
    "community_policing": _pt(
        "community policing and trust-building initiative",
        "community policing and trust building",
        "prevention",
        "community school",
        "general_public youth community_leaders",
        "police local_government community_based_organization",
        "community_resilience early_intervention",
        "joint police-community forums; neighbourhood liaison officers; "
        "youth sports leagues; training on engagement with minorities",
        "initiative de police de proximité",
        "iniciativa de policía comunitaria",
    ),
    "victim_support": _pt(
        "survivor support programme",
        "support to victims and survivors of terrorism",
        "support",
        "community health_service",
        "victims families general_public",
        "ngo health_professionals social_services",
        "psychosocial reconciliation",
        "peer support groups for survivors; legal and administrative help; "
        "survivor testimonies in schools; trauma counselling",
        "programme de soutien aux victimes",
        "programa de apoyo a víctimas",
    ),
    "reconciliation": _pt(
        "restorative justice and reconciliation process",
        "reconciliation and restorative justice",
        "support",
        "community post_conflict religious_institution",
        "receiving_communities ex_combatants victims community_leaders",
        "religious_leaders community_based_organization judiciary ngo",
        "reintegration victim_support",
        "facilitated dialogues between victims and former members of armed groups; "
        "traditional cleansing and acceptance ceremonies; community service; truth-telling forums",
        "processus de justice réparatrice et de réconciliation",
        "proceso de justicia restaurativa y reconciliación",
    ),
    "practitioner_training": _pt(
        "practitioner training programme",
        "training and capacity building for frontline practitioners",
        "system",
        "community prison school",
        "practitioners community_leaders",
        "academia international_organization national_government",
        "multi_agency_case_management policy_coordination",
        "a blended training curriculum; communities of practice; "
        "supervision and peer review; guidance on risk assessment",
        "programme de formation des praticiens",
        "programa de formación de profesionales",
    ),
    "multi_agency_case_management": _pt(
        "multi-agency case management model",
        "multi-agency case management",
        "system",
        "community probation health_service",
        "at_risk_individuals violent_extremist_offenders returnees",
        "local_government police social_services probation_service health_professionals",
        "early_intervention probation_aftercare",
        "a shared case-management protocol; monthly case conferences; "
        "information-sharing agreements; a named coordinator for each person",
        "modèle de gestion de cas multi-agences",
        "modelo de gestión de casos interinstitucional",
    ),
    "policy_coordination": _pt(
        "national prevention strategy",
        "national and local coordination of prevention work",
        "system",
        "community",
        "general_public practitioners",
        "national_government local_government international_organization academia",
        "practitioner_training community_resilience",
        "a national coordination unit; local prevention action plans; "
        "a shared monitoring framework; civil society consultation",
        "stratégie nationale de prévention",
        "estrategia nacional de prevención",
    ),
}

_PROGRAM_TYPE_WEIGHTS: Final = _weighted(
    "community_resilience:6 education_youth:5 strategic_communication:3 early_intervention:4 "
    "mentoring:5 family_support:3 exit_disengagement:5 deradicalisation:4 "
    "prison_rehabilitation:7 prison_radicalisation_prevention:3 probation_aftercare:4 "
    "reintegration:7 returnee_repatriation:6 children_rehabilitation:3 "
    "alternatives_to_prosecution:2 amnesty_defection:3 ddr:4 livelihoods:3 psychosocial:3 "
    "community_policing:3 victim_support:2 reconciliation:3 practitioner_training:3 "
    "multi_agency_case_management:3 policy_coordination:3"
)

_COUNTRY_WEIGHTS: Final = _weighted(
    # Africa
    "KE:5 SO:4 UG:3 ET:3 TZ:2 MZ:3 NG:5 ML:3 NE:3 BF:3 TD:2 CM:3 SN:2 GH:1 CI:1 BJ:1 TG:1 "
    "MR:2 CD:2 CF:1 SS:1 SD:1 TN:3 MA:3 DZ:2 EG:2 LY:2 ZA:2 DJ:1 RW:1 "
    # Americas
    "US:4 CA:3 CO:4 MX:2 SV:2 GT:1 HN:1 BR:2 AR:1 CL:1 PE:2 EC:1 TT:2 JM:1 "
    # Asia
    "KZ:3 UZ:2 TJ:2 KG:2 ID:5 PH:4 MY:3 TH:2 SG:2 PK:3 BD:3 IN:2 LK:2 AF:3 MV:1 NP:1 "
    "IQ:4 SY:2 JO:3 LB:2 TR:3 SA:2 AE:1 YE:2 GE:1 JP:1 KR:1 MN:1 "
    # Europe
    "GB:5 FR:5 DE:5 BE:4 NL:4 SE:3 DK:3 NO:2 FI:2 AT:2 CH:2 ES:3 IT:2 XK:3 BA:2 AL:2 MK:2 "
    "RS:1 GR:1 PT:1 IE:1 PL:1 RO:1 UA:1 MD:1 RU:1 CZ:1 HU:1 LT:1 EE:1 "
    # Oceania
    "AU:3 NZ:2 FJ:1 PG:1 SB:1"
)

_CONFLICT: Final = frozenset(
    _words("AF IQ SY SO NG ML NE BF CO PH YE LY CD CF SS SD MZ TD CM PK MM SL LR NP UG LK PG SB")
)
_RETURNEE: Final = frozenset(
    _words(
        "DE FR BE NL SE DK FI NO GB AT CH ES IT KZ UZ TJ KG ID MY PH TN MA DZ IQ SY JO LB TR RU "
        "XK BA AL MK AU US CA KE SO UG ET TT GE MV"
    )
)
_SMALL_STATES: Final = frozenset(_words("FJ PG SB WS FM PW TO KI VU MH TV NR"))
_CONFLICT_TYPES: Final = frozenset({"ddr", "amnesty_defection", "children_rehabilitation"})
_GENERIC_TYPES: Final = frozenset(
    {
        "community_resilience",
        "education_youth",
        "community_policing",
        "practitioner_training",
        "policy_coordination",
        "psychosocial",
        "family_support",
        "victim_support",
        "reconciliation",
        "livelihoods",
    }
)

_LANGUAGE_BY_COUNTRY: Final[dict[str, str]] = {
    **dict.fromkeys(_words("FR BE ML NE BF SN CM TD CD CF CI MR GN TG BJ HT"), "fr"),
    **dict.fromkeys(_words("ES CO MX SV GT HN PE AR CL EC BO VE PY UY PA CR NI DO CU"), "es"),
    **dict.fromkeys(_words("IQ SY JO SA AE YE LY EG SD LB PS QA KW OM BH DZ TN MA"), "ar"),
    **dict.fromkeys(_words("RU KZ KG TJ BY"), "ru"),
    "ID": "id",
}

_DISPLAY_NAMES: Final[dict[str, str]] = {
    "GB": "the United Kingdom",
    "US": "the United States",
    "NL": "the Netherlands",
    "PH": "the Philippines",
    "CD": "the Democratic Republic of the Congo",
    "CF": "the Central African Republic",
    "CG": "the Republic of the Congo",
    "AE": "the United Arab Emirates",
    "MV": "the Maldives",
    "FM": "the Federated States of Micronesia",
    "GM": "the Gambia",
    "DO": "the Dominican Republic",
    "BS": "the Bahamas",
    "SB": "the Solomon Islands",
    "MH": "the Marshall Islands",
}

# Coverage slots: entry 5*k (k < len) uses scenario k. Together they tag every
# M49 subregion and intermediate region with a country and use every program
# type as the primary one. A scenario is (countries, program type, language,
# extra region code, special template).
_Scenario = tuple[tuple[str, ...], str, str | None, str | None, str | None]
_SCENARIOS: Final[tuple[_Scenario, ...]] = (
    (("KE",), "prison_rehabilitation", "en", None, None),
    (("KE", "SO"), "returnee_repatriation", "en", None, "returnee_women"),
    (("TN",), "returnee_repatriation", "fr", None, None),
    (("CO",), "ddr", "es", None, None),
    (("US",), "exit_disengagement", None, None, None),
    (("KZ",), "returnee_repatriation", "ru", None, None),
    (("JP",), "practitioner_training", None, None, None),
    (("ID",), "deradicalisation", "id", None, None),
    (("PK",), "education_youth", None, None, None),
    (("IQ",), "reconciliation", "ar", None, None),
    (("RO",), "prison_radicalisation_prevention", None, None, None),
    (("SE",), "mentoring", None, None, None),
    (("XK",), "reintegration", None, None, None),
    (("DE",), "family_support", None, None, None),
    (("AU",), "multi_agency_case_management", None, None, None),
    (("FJ",), "community_resilience", None, None, None),
    (("FM",), "practitioner_training", None, None, None),
    (("WS",), "community_policing", None, None, None),
    (("SO",), "reintegration", "en", None, "returnee_women"),
    (("NG",), "amnesty_defection", None, None, None),
    (("CD",), "children_rehabilitation", None, None, None),
    (("ZA",), "victim_support", None, None, None),
    (("TT",), "early_intervention", None, None, None),
    (("SV",), "alternatives_to_prosecution", "es", None, None),
    (("GB",), "probation_aftercare", None, None, None),
    (("PH",), "livelihoods", None, None, None),
    (("UG",), "reintegration", "en", None, "returnee_women"),
    (("FR",), "strategic_communication", "fr", None, None),
    (("NL",), "policy_coordination", None, None, None),
    (("JO",), "psychosocial", None, None, None),
    (("ET",), "returnee_repatriation", "en", None, "returnee_women"),
    (("MA",), "deradicalisation", None, None, None),
    (("SA",), "prison_rehabilitation", None, None, None),
    (("BR",), "prison_radicalisation_prevention", None, None, None),
    (("NZ",), "community_resilience", None, None, None),
    (("MX",), "education_youth", None, None, None),
    (("KE", "SO"), "returnee_repatriation", "en", "014", "returnee_women"),
    (("LK",), "reconciliation", None, None, None),
    (("KR",), "strategic_communication", None, None, None),
    (("PG",), "reconciliation", None, None, None),
    (("CA",), "mentoring", None, None, None),
    (("AF",), "ddr", None, None, None),
)
_SCENARIO_STRIDE: Final = 5
# Kinds forced in some scenario slots (index -> kind), so the returnee-women
# entries span several kinds.
_FORCED_KIND: Final[dict[int, EntryKind]] = {
    0: "evaluation",
    1: "lessons_learned",
    3: "program_profile",
    4: "policy_framework",
    5: "evaluation",
    90: "lessons_learned",
    130: "program_profile",
    150: "evaluation",
    180: "lessons_learned",
    140: "policy_framework",
}
_FORCED_VISIBILITY: Final[dict[int, Visibility]] = {
    0: "public",
    11: "network",
    12: "partners",
    13: "private",
    41: "partners",
    42: "network",
    43: "private",
}
_FORCED_STATUS: Final[dict[int, EntryStatus]] = {0: "published", 9: "draft", 19: "draft"}
_ATTACHMENT_EVERY: Final = 25
_ATTACHMENT_OFFSET: Final = 7
_CODEWORD_STEMS: Final = ("zephyrine", "quillomar", "vantaleth", "morvessa")

_KIND_WEIGHTS: Final[tuple[tuple[EntryKind, ...], tuple[int, ...]]] = (
    ("evaluation", "lessons_learned", "program_profile", "policy_framework"),
    (40, 70, 88, 100),
)
_VISIBILITY_WEIGHTS: Final[tuple[tuple[Visibility, ...], tuple[int, ...]]] = (
    ("public", "network", "partners", "private"),
    (72, 84, 94, 100),
)
_LANGUAGE_SHARE: Final = 0.3  # share of entries in a country's language, where mapped
_LICENSE_WEIGHTS: Final = _weighted("CC-BY-4.0:55 CC-BY-NC-4.0:28 all-rights-reserved:17")
_DESIGN_WEIGHTS: Final = _weighted(
    "randomized_controlled_trial:3 quasi_experimental:8 pre_post:10 longitudinal_cohort:6 "
    "process_evaluation:12 theory_based:6 mixed_methods:14 qualitative:12 case_study:6 "
    "participatory:5 cost_effectiveness:3 monitoring_data:5 systematic_review:2 expert_review:3"
)
_LESSONS_DESIGNS: Final = (
    "qualitative",
    "case_study",
    "participatory",
    "process_evaluation",
    "expert_review",
    "monitoring_data",
)
_DESIGN_EVIDENCE: Final[dict[str, tuple[str, ...]]] = {
    "randomized_controlled_trial": ("strong", "strong", "strong", "moderate"),
    "quasi_experimental": ("moderate", "moderate", "strong"),
    "systematic_review": ("strong", "moderate"),
    "longitudinal_cohort": ("moderate", "preliminary"),
    "cost_effectiveness": ("moderate", "preliminary"),
    "pre_post": ("preliminary",),
    "theory_based": ("preliminary", "descriptive"),
    "mixed_methods": ("preliminary", "descriptive", "moderate"),
    "none": ("not_assessed",),
}
_DESIGN_PHRASE: Final[dict[str, str]] = {
    "randomized_controlled_trial": "randomised controlled trial",
    "quasi_experimental": "quasi-experimental evaluation",
    "pre_post": "pre/post assessment",
    "longitudinal_cohort": "longitudinal follow-up study",
    "process_evaluation": "process evaluation",
    "theory_based": "contribution analysis",
    "mixed_methods": "mixed-methods evaluation",
    "qualitative": "qualitative evaluation",
    "case_study": "case study",
    "participatory": "participatory evaluation",
    "cost_effectiveness": "cost-effectiveness analysis",
    "monitoring_data": "review of routine monitoring data",
    "systematic_review": "systematic review",
    "expert_review": "expert review",
    "none": "description",
}

_POPULATION_PHRASE: Final[dict[str, str]] = {
    "general_public": "local communities",
    "youth": "young people",
    "children": "children",
    "women": "women",
    "families": "families of radicalised persons",
    "at_risk_individuals": "individuals at risk of radicalisation",
    "violent_extremist_offenders": "violent extremist offenders",
    "foreign_terrorist_fighters": "former foreign terrorist fighters",
    "returnees": "returnees and their families",
    "defectors": "defectors from armed groups",
    "ex_combatants": "ex-combatants",
    "prisoners": "the general prison population",
    "practitioners": "frontline practitioners",
    "community_leaders": "community and religious leaders",
    "victims": "victims and survivors of terrorism",
    "receiving_communities": "receiving communities",
}
_SETTING_PHRASE: Final[dict[str, str]] = {
    "community": "community settings",
    "school": "schools",
    "university": "universities and colleges",
    "online": "online spaces",
    "prison": "prisons",
    "pretrial_detention": "pre-trial detention facilities",
    "juvenile_detention": "juvenile detention centres",
    "probation": "probation offices",
    "rehabilitation_centre": "a residential rehabilitation centre",
    "camp": "displacement and detention camps",
    "conflict_zone": "areas affected by active conflict",
    "post_conflict": "post-conflict districts",
    "religious_institution": "mosques, churches and other religious institutions",
    "health_service": "health and mental-health services",
    "family_home": "family homes",
    "workplace": "workplaces",
}
_ACTOR_PHRASE: Final[dict[str, str]] = {
    "ngo": "local NGOs",
    "community_based_organization": "community-based organizations",
    "national_government": "national ministries",
    "local_government": "municipal authorities",
    "police": "the police",
    "prison_service": "the prison service",
    "probation_service": "the probation service",
    "judiciary": "prosecutors and judges",
    "military": "the armed forces",
    "religious_leaders": "religious leaders",
    "former_extremists": "former extremists acting as credible messengers",
    "families": "families",
    "educators": "teachers",
    "health_professionals": "mental-health professionals",
    "social_services": "social services",
    "international_organization": "international organizations",
    "academia": "university researchers",
    "private_sector": "local employers",
    "tech_platforms": "technology platforms",
}

_CONTEXT_EVENTS: Final[dict[str, tuple[str, ...]]] = {
    "prevention": (
        "seen violent extremist groups recruit young people in marginalised neighbourhoods",
        "experienced a series of attacks that strained relations between communities",
        "seen online propaganda reach increasingly young audiences",
    ),
    "individual": (
        "seen a growing number of referrals of people expressing support for violence",
        "lacked specialised services for people who want to leave extremist groups",
        "relied mainly on security responses to radicalisation",
    ),
    "prison": (
        "seen the number of people imprisoned for terrorism-related offences grow",
        "faced concerns about recruitment inside overcrowded prisons",
        "prepared for the release of many people convicted of terrorism offences",
    ),
    "returnee": (
        "faced the return of foreign terrorist fighters, women and children from conflict zones",
        "repatriated nationals from camps in north-east Syria and Iraq",
        "received people returning from areas controlled by armed groups",
    ),
    "conflict": (
        "been affected by armed conflict in which non-state armed groups recruited fighters, "
        "including children",
        "opened pathways for members of armed groups to surrender and leave",
        "emerged from a peace agreement that required the demobilisation of combatants",
    ),
    "support": (
        "struggled with the long-term effects of violence on communities",
        "seen tensions between former members of armed groups and the communities receiving them",
        "seen people leave prisons and armed groups with few prospects of work or housing",
    ),
    "system": (
        "developed a national framework for preventing and countering violent extremism",
        "sought to coordinate prevention work across ministries, municipalities and civil society",
        "seen a rapid growth of prevention projects without shared standards",
    ),
}

_CONTEXT_EXTRA: Final = (
    "Before the programme started, {actor1} had few structured options for {pop}.",
    "Stakeholders described stigma, unemployment and distrust of the authorities as the "
    "main barriers to {topic}.",
    "The work responded to a {y0} national action plan that called for more attention to {topic}.",
    "Earlier projects in {place} had been short-lived and were rarely evaluated.",
    "Donors and national authorities asked for evidence on what helps {pop} before "
    "scaling the approach up.",
)
_DONE: Final = (
    "{org} delivered {a} {phrase} in {setting1} and {setting2}, working with {actor1} "
    "and {actor2}.",
    "Participants received {comp1}, {comp2} and {comp3} over about {months} months.",
    "Each participant had an individual plan that was reviewed every {weeks} weeks.",
    "{staff} staff and {volunteers} volunteers were trained before the first intake.",
    "The approach was adapted to local conditions after consultations with {actor2} and "
    "with {pop}.",
    "Referrals came mainly from {actor1}, and participation was voluntary.",
)
_FINDINGS_GENERIC: Final = (
    "Participants and staff valued {comp1} most, while sustaining {comp2} proved harder.",
    "Trust between {actor1} and participants grew over time, but turnover of staff "
    "interrupted several cases.",
    "Community acceptance improved where religious and community leaders were involved early.",
    "Outcome data were incomplete, which limits firm conclusions about long-term disengagement.",
    "Coordination between {actor1} and {actor2} improved after a shared protocol was agreed.",
    "Participants who completed the programme reported stronger family ties and more "
    "hope for the future.",
    "Some participants dropped out after moving away or being re-arrested, which was hard "
    "to track.",
)
_FINDINGS_WOMEN: Final = (
    "Women participants said that childcare, stigma and lack of documents were the main "
    "obstacles to taking part.",
    "Women-only groups and female staff made it easier for women to speak about their experiences.",
)
_FINDINGS_CHILDREN: Final = (
    "Children made good progress in school once trauma-informed support was in place.",
)
_FINDINGS_RETURNEES: Final = (
    "Returnees who were reunited with their families quickly showed better outcomes than "
    "those who stayed in transit facilities.",
)
_LESSONS: Final = (
    "Start reintegration planning well before release or return.",
    "Involve families early; they are often the strongest protective factor.",
    "Credible messengers need supervision and support, not only training.",
    "Information sharing between agencies needs a clear legal basis and strict confidentiality.",
    "Livelihood support works best when it is linked to real job openings.",
    "Gender-sensitive design matters: women and men face different barriers.",
    "Avoid labels that increase stigma for participants and their families.",
    "Follow people for at least 12 months to see whether disengagement lasts.",
    "Trust between police and communities is slow to build and quick to lose.",
    "Mental health needs are often underestimated at intake.",
    "Keep caseloads small enough for mentors to build real relationships.",
    "Plan for funding beyond the pilot phase from the start.",
    "Children must be treated primarily as victims, with child-specific procedures.",
    "Local ownership by municipal authorities improves sustainability.",
    "Receiving communities need their own support, not only the people returning.",
)
_RECOMMENDATIONS: Final = (
    "Fund follow-up data collection for at least 24 months after participants leave the programme.",
    "Publish anonymised aggregate outcome data so that other programmes can learn from them.",
    "Standardise indicators across sites, with shared definitions of completion and reoffending.",
    "Invest in training for {actor1} on {topic}.",
    "Create a formal referral pathway between {actor1} and {actor2}.",
    "Use comparison groups in future evaluations where this is ethically possible.",
    "Involve women, survivors and receiving communities in programme design.",
    "Never share individual-level data outside the case team.",
    "Budget for mentoring and psychosocial support after the formal programme ends.",
)
_POLICY_AIMS: Final = (
    "minimum standards and shared indicators",
    "roles, responsibilities and referral pathways",
    "principles, priorities and a monitoring plan",
    "a common outcome framework and reporting cycle",
)
_PROGRAM_NAME_A: Final = (
    "New", "Second", "Open", "Safe", "Common", "Bright", "Steady", "Shared", "Brave",
    "Clear", "Green", "Next", "Wide", "True",
)  # fmt: skip
_PROGRAM_NAME_B: Final = (
    "Horizons", "Path", "Bridges", "Ground", "Start", "Harbour", "Compass", "Threads",
    "Steps", "Roots", "Circle", "Passage", "Crossing", "Anchor",
)  # fmt: skip
_FIRST_NAMES: Final = (
    "Amina", "Omar", "Sofia", "Lukas", "Fatima", "Jonas", "Wanjiru", "Tariq", "Elena",
    "Mateo", "Aisha", "Pieter", "Nurul", "Dmitri", "Chiara", "Kwame", "Leila", "Hannah",
    "Ibrahim", "Marta", "Rahim", "Yuki", "Grace", "Samir", "Ingrid", "Carlos", "Zainab",
    "Tomás", "Ayesha", "Olumide", "Farida", "Anders", "Mariam", "Joseph", "Lina", "Hugo",
)  # fmt: skip
_LAST_NAMES: Final = (
    "Okafor", "Haddad", "Lindqvist", "Mwangi", "Rahman", "Novak", "García", "Dubois",
    "Hassan", "Kimura", "Petrov", "Santoso", "Osei", "Müller", "Costa", "Abdi", "Nguyen",
    "Kowalski", "Mensah", "Farouk", "Jansen", "Silva", "Nasser", "Wright", "Tanaka",
    "Bekova", "Diallo", "Ortiz", "Rossi", "Hughes", "Karimov", "Achieng", "Moreau",
)  # fmt: skip

_KIND_FR: Final[dict[str, str]] = {
    "evaluation": "Évaluation",
    "lessons_learned": "Leçons apprises",
    "program_profile": "Fiche programme",
    "policy_framework": "Cadre d'action",
}
_KIND_ES: Final[dict[str, str]] = {
    "evaluation": "Evaluación",
    "lessons_learned": "Lecciones aprendidas",
    "program_profile": "Ficha del programa",
    "policy_framework": "Marco de política",
}

_INDICATOR_NOTES: Final[dict[str, tuple[str, ...]]] = {
    "recidivism": (
        "official reconviction data",
        "among participants released at least 12 months earlier",
        "police records; may undercount offences abroad",
    ),
    "employment_12m": ("self-reported at follow-up interview", "verified with employers"),
    "cost_per_participant": (
        "programme delivery costs only, excluding evaluation",
        "includes staff and overheads",
    ),
    "community_acceptance": ("household survey in receiving communities",),
    "attitude_change_effect": ("Cohen's d, negative values mean less support for violence",),
    "participants_enrolled": ("cumulative since launch", "reporting period only"),
}
_OUTCOME_INDICATORS: Final[dict[str, tuple[str, ...]]] = {
    "prison": ("recidivism", "reengagement_rate", "employment_12m", "housing_stable_12m"),
    "individual": ("reengagement_rate", "attitude_change_effect", "employment_12m", "recidivism"),
    "returnee": (
        "family_reunification",
        "community_acceptance",
        "education_enrolment",
        "reengagement_rate",
        "housing_stable_12m",
    ),
    "conflict": (
        "community_acceptance",
        "employment_12m",
        "reengagement_rate",
        "education_enrolment",
        "family_reunification",
    ),
    "prevention": ("attitude_change_effect", "referrals_received", "community_acceptance"),
    "support": ("community_acceptance", "employment_12m", "housing_stable_12m", "recidivism"),
    "system": ("referrals_received", "follow_up_months"),
}

_EXTRA_COUNTRIES: Final = ((0, 1, 2), (70, 92, 100))
# Publication years lean towards recent ones: weight 3 for 2012 up to 17 for 2026.
_PUBLICATION_YEARS: Final = (
    tuple(range(2012, 2027)),
    tuple(sum(range(3, 3 + n)) for n in range(1, 16)),
)
_FIRST_PUBLISHED: Final = date(2012, 1, 1)
_LAST_PUBLISHED: Final = date(2026, 10, 31)
_EARLIEST_START: Final = date(2005, 1, 1)


def _check_tables(ref: _Reference) -> None:
    """Fail loudly if a code used in the tables above is not in the vocabularies."""

    def need(vocabulary: str, codes: Sequence[str]) -> None:
        missing = sorted(set(codes) - set(ref.labels.get(vocabulary, {})))
        if missing:
            raise ValueError(f"demo generator uses unknown {vocabulary} codes: {missing}")

    need("program_type", list(_PROGRAM_TYPES))
    need("program_type", list(_PROGRAM_TYPE_WEIGHTS[0]))
    for spec in _PROGRAM_TYPES.values():
        need("setting", spec.settings)
        need("target_population", spec.populations)
        need("actor", spec.actors)
        need("program_type", spec.related)
    need("evaluation_design", list(_DESIGN_PHRASE))
    need("evidence_level", ["strong", "moderate", "preliminary", "descriptive", "not_assessed"])
    need("kind", list(_KIND_WEIGHTS[0]))
    need("indicator", list(ref.units))
    need("target_population", list(_POPULATION_PHRASE))
    need("setting", list(_SETTING_PHRASE))
    need("actor", list(_ACTOR_PHRASE))
    need("program_type", [scenario[1] for scenario in _SCENARIOS])
    outcome_codes = {c for codes in _OUTCOME_INDICATORS.values() for c in codes}
    need("indicator", sorted(outcome_codes - {"recidivism"}))
    need("indicator", sorted(set(_INDICATOR_NOTES) - {"recidivism"}))
    region_codes = [scenario[3] for scenario in _SCENARIOS if scenario[3] is not None]
    if any(ref.levels.get(code) in (None, "country") for code in region_codes):
        raise ValueError(f"demo generator uses unknown M49 region codes: {region_codes}")
    countries = [c for _, c, _ in _ORGANIZATIONS] + list(_COUNTRY_WEIGHTS[0])
    countries += [c for scenario in _SCENARIOS for c in scenario[0]]
    bad = sorted({c for c in countries if ref.levels.get(c) != "country"})
    if bad:
        raise ValueError(f"demo generator uses unknown country codes: {bad}")


# --------------------------------------------------------------------------- helpers


def _entry_rng(seed: int, index: int) -> _Rng:
    digest = hashlib.blake2b(f"offramp-demo:{seed}:{index}".encode(), digest_size=8).digest()
    return _Rng(int.from_bytes(digest, "big"))


def _entry_id(seed: int, index: int) -> str:
    digest = hashlib.blake2b(f"offramp-demo-id:{seed}:{index}".encode(), digest_size=10).digest()
    return "demo-" + base64.b32encode(digest).decode("ascii").lower()


def _letters(index: int) -> str:
    """Index as lowercase base-26 letters, at least three of them."""
    out: list[str] = []
    n = index
    while True:
        n, r = divmod(n, 26)
        out.append(chr(ord("a") + r))
        if n == 0 and len(out) >= 3:
            break
    return "".join(reversed(out))


def _sample(rng: _Rng, pool: Sequence[_T], low: int, high: int) -> list[_T]:
    k = min(len(pool), rng.randint(low, high))
    return rng.sample(pool, k) if k else []


def _article(phrase: str) -> str:
    return "an" if phrase[:1].lower() in "aeiou" else "a"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _years(start: date, end: date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}\u2013{end.year}"


def _add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


@functools.cache
def _organizations() -> tuple[DemoOrganization, ...]:
    return tuple(
        DemoOrganization(slug=_slugify(name), name=f"{name} (demo)", country=country, kind=kind)
        for name, country, kind in _ORGANIZATIONS
    )


@dataclass(frozen=True, slots=True)
class _OrgIndex:
    by_country: dict[str, tuple[DemoOrganization, ...]]
    by_parent: dict[str, tuple[DemoOrganization, ...]]
    by_subregion: dict[str, tuple[DemoOrganization, ...]]
    by_region: dict[str, tuple[DemoOrganization, ...]]
    international: tuple[DemoOrganization, ...]
    slugs: tuple[str, ...]


@functools.cache
def _org_index() -> _OrgIndex:
    ref = _reference()
    by_country: dict[str, list[DemoOrganization]] = {}
    by_parent: dict[str, list[DemoOrganization]] = {}
    by_subregion: dict[str, list[DemoOrganization]] = {}
    by_region: dict[str, list[DemoOrganization]] = {}
    for org in _organizations():
        by_country.setdefault(org.country, []).append(org)
        by_parent.setdefault(ref.parents[org.country], []).append(org)
        by_subregion.setdefault(_level_of(ref, org.country, "subregion"), []).append(org)
        by_region.setdefault(_level_of(ref, org.country, "region"), []).append(org)
    return _OrgIndex(
        by_country={k: tuple(v) for k, v in by_country.items()},
        by_parent={k: tuple(v) for k, v in by_parent.items()},
        by_subregion={k: tuple(v) for k, v in by_subregion.items()},
        by_region={k: tuple(v) for k, v in by_region.items()},
        international=tuple(o for o in _organizations() if o.kind == "international"),
        slugs=tuple(o.slug for o in _organizations()),
    )


@functools.cache
def _neighbours() -> dict[str, tuple[str, ...]]:
    """Countries of the weighted pool grouped by their immediate M49 parent."""
    ref = _reference()
    groups: dict[str, list[str]] = {}
    for code in _COUNTRY_WEIGHTS[0]:
        groups.setdefault(ref.parents[code], []).append(code)
    return {code: tuple(groups[ref.parents[code]]) for code in _COUNTRY_WEIGHTS[0]}


@functools.cache
def _allowed_types(country: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    codes, cumulative = _PROGRAM_TYPE_WEIGHTS
    weights = [b - a for a, b in zip((0, *cumulative[:-1]), cumulative, strict=True)]
    keep: list[tuple[str, int]] = []
    for code, weight in zip(codes, weights, strict=True):
        if country in _SMALL_STATES:
            ok = code in _GENERIC_TYPES
        elif code == "returnee_repatriation":
            ok = country in _RETURNEE
        elif code == "children_rehabilitation":
            ok = country in _CONFLICT or country in _RETURNEE
        elif code in _CONFLICT_TYPES:
            ok = country in _CONFLICT
        else:
            ok = True
        if ok:
            keep.append((code, weight))
    total = 0
    out_codes: list[str] = []
    out_cum: list[int] = []
    for code, weight in keep:
        total += weight
        out_codes.append(code)
        out_cum.append(total)
    return tuple(out_codes), tuple(out_cum)


# --------------------------------------------------------------------------- indicators


def _fmt_value(unit: str, value: float) -> str:
    if unit == "percent":
        return f"{value:.1f}%"
    if unit == "count":
        return f"{int(value):,}"
    if unit == "months":
        return f"{int(value)} months"
    if unit == "currency_usd":
        return f"USD {value:,.0f}"
    if unit == "score":
        return f"{value:.1f} out of 100"
    return f"{value:+.2f}"


def _make_indicators(rng: _Rng, kind: EntryKind, group: str, force: bool) -> list[DemoIndicator]:
    chance = {
        "evaluation": 0.85,
        "lessons_learned": 0.4,
        "program_profile": 0.5,
        "policy_framework": 0.1,
    }[kind]
    if not force and rng.random() >= chance:
        return []
    values: dict[str, float] = {}
    # Log-scale, peaked around ~150: from about 10 to about 1,500 participants.
    enrolled = max(8, round(math.exp(2.3 + 2.5 * (rng.random() + rng.random()))))
    values["participants_enrolled"] = float(enrolled)
    if kind != "policy_framework":
        completed = round(enrolled * rng.uniform(0.45, 0.95))
        completion = round(100.0 * completed / enrolled, 1)
        if rng.random() < 0.7:
            values["participants_completed"] = float(completed)
        if rng.random() < 0.75:
            values["completion_rate"] = completion
        else:
            values["dropout_rate"] = round(100.0 - completion, 1)
    if kind == "evaluation":
        values["evaluation_sample_size"] = float(
            min(enrolled, max(8, round(enrolled * rng.uniform(0.2, 1.0))))
        )
    follow_up = rng.choice((6, 12, 12, 18, 24, 24, 36, 48, 60))
    outcomes = _OUTCOME_INDICATORS[group]
    for name in _sample(rng, outcomes, 1 if kind == "evaluation" else 0, 3):
        if name == "recidivism":
            any12 = rng.uniform(3.0, 25.0)
            terror12 = rng.uniform(0.0, 4.0)
            if follow_up >= 36:
                any36 = any12 * rng.uniform(1.2, 1.9)
                values["recidivism_any_36m"] = round(min(any36, 100.0), 1)
                values["recidivism_terrorism_36m"] = round(terror12 + rng.uniform(0.0, 4.0), 1)
            elif follow_up >= 24:
                values["recidivism_any_24m"] = round(min(any12 * rng.uniform(1.1, 1.6), 100.0), 1)
            else:
                values["recidivism_any_12m"] = round(any12, 1)
                values["recidivism_terrorism_12m"] = round(terror12, 1)
            values["follow_up_months"] = float(follow_up)
        elif name == "follow_up_months":
            values["follow_up_months"] = float(follow_up)
        elif name == "reengagement_rate":
            values[name] = round(rng.uniform(0.0, 12.0), 1)
        elif name == "employment_12m":
            values[name] = round(rng.uniform(15.0, 75.0), 1)
        elif name == "education_enrolment":
            values[name] = round(rng.uniform(20.0, 92.0), 1)
        elif name == "housing_stable_12m":
            values[name] = round(rng.uniform(40.0, 96.0), 1)
        elif name == "family_reunification":
            values[name] = round(rng.uniform(30.0, 90.0), 1)
        elif name == "community_acceptance":
            values[name] = round(rng.uniform(35.0, 90.0), 1)
        elif name == "attitude_change_effect":
            values[name] = round(rng.uniform(-0.8, 0.15), 2)
        elif name == "referrals_received":
            values[name] = float(round(enrolled * rng.uniform(1.0, 4.0)))
    if kind in ("evaluation", "program_profile") and rng.random() < 0.4:
        values["cost_per_participant"] = float(round(rng.uniform(250.0, 30000.0), -1))
    indicators: list[DemoIndicator] = []
    for code, value in values.items():
        note: str | None = None
        key = "recidivism" if code.startswith("recidivism") else code
        options = _INDICATOR_NOTES.get(key)
        if options and rng.random() < 0.6:
            note = rng.choice(options)
        indicators.append(DemoIndicator(code=code, value=value, note=note))
    return indicators


# --------------------------------------------------------------------------- entries


@dataclass(slots=True)
class _Draft:
    """Mutable working state while one entry is being assembled."""

    kind: EntryKind
    countries: list[str]
    region_code: str | None
    program_types: list[str]
    populations: list[str]
    settings: list[str]
    actors: list[str]
    language: str
    special: str | None
    org: DemoOrganization


def _choose_countries(rng: _Rng, primary: str) -> list[str]:
    countries = [primary]
    extra = _pick(rng, _EXTRA_COUNTRIES)
    pool = [c for c in _neighbours().get(primary, ()) if c != primary]
    countries += _sample(rng, pool, extra, extra)
    return countries


def _choose_org(rng: _Rng, ref: _Reference, country: str) -> DemoOrganization:
    index = _org_index()
    roll = rng.random()
    tiers = (
        (0.45, index.by_country.get(country, ())),
        (0.7, index.by_parent.get(ref.parents[country], ())),
        (0.8, index.by_subregion.get(_level_of(ref, country, "subregion"), ())),
        (0.88, index.by_region.get(_level_of(ref, country, "region"), ())),
    )
    for threshold, orgs in tiers:
        if roll < threshold and orgs:
            return rng.choice(orgs)
    return rng.choice(index.international)


def _draft(rng: _Rng, ref: _Reference, index: int) -> _Draft:
    scenario: _Scenario | None = None
    if index % _SCENARIO_STRIDE == 0 and index // _SCENARIO_STRIDE < len(_SCENARIOS):
        scenario = _SCENARIOS[index // _SCENARIO_STRIDE]

    if scenario is not None:
        countries = list(scenario[0])
        primary_type = scenario[1]
        region_code = scenario[3]
        special = scenario[4]
    else:
        countries = _choose_countries(rng, _pick(rng, _COUNTRY_WEIGHTS))
        primary_type = _pick(rng, _allowed_types(countries[0]))
        region_code = None
        special = None
        if rng.random() < 0.1:
            region_code = ref.parents[countries[0]]

    spec = _PROGRAM_TYPES[primary_type]
    allowed = set(_allowed_types(countries[0])[0])
    related = [c for c in spec.related if c in allowed]
    if special == "returnee_women":
        pair = ("returnee_repatriation", "reintegration")
        other = pair[1] if primary_type == pair[0] else pair[0]
        extras = _sample(rng, ("psychosocial", "livelihoods"), 0, 1)
        program_types = [primary_type, other, *extras]
    else:
        program_types = [primary_type, *_sample(rng, related, 0, 2)]

    pool_pop: list[str] = []
    pool_set: list[str] = []
    pool_act: list[str] = []
    for code in program_types:
        sub = _PROGRAM_TYPES[code]
        pool_pop += [p for p in sub.populations if p not in pool_pop]
        pool_set += [s for s in sub.settings if s not in pool_set]
        pool_act += [a for a in sub.actors if a not in pool_act]
    populations = [spec.populations[0], *_sample(rng, pool_pop[1:], 0, 2)]
    if special == "returnee_women":
        populations = [
            "women",
            "returnees",
            *_sample(rng, ["children", "receiving_communities"], 0, 1),
        ]
    settings = [spec.settings[0], *_sample(rng, pool_set[1:], 0, 2)]
    actors = [spec.actors[0], *_sample(rng, pool_act[1:], 1, 2)]

    forced_kind = _FORCED_KIND.get(index)
    if forced_kind is not None:
        kind: EntryKind = forced_kind
    elif primary_type == "policy_coordination" and rng.random() < 0.6:
        kind = "policy_framework"
    else:
        kind = _pick(rng, _KIND_WEIGHTS)

    language = "en"
    country_language = _LANGUAGE_BY_COUNTRY.get(countries[0])
    language_roll = rng.random()
    if scenario is not None and scenario[2] is not None:
        language = scenario[2]
    elif country_language is not None and language_roll < _LANGUAGE_SHARE:
        language = country_language

    if special == "returnee_women":
        # Run by an organization from the same M49 intermediate region (Eastern Africa).
        local = _org_index().by_parent.get(ref.parents[countries[0]], ())
        org = rng.choice(local) if local else _choose_org(rng, ref, countries[0])
    else:
        org = _choose_org(rng, ref, countries[0])
    return _Draft(
        kind=kind,
        countries=countries,
        region_code=region_code,
        program_types=program_types,
        populations=populations,
        settings=settings,
        actors=actors,
        language=language,
        special=special,
        org=org,
    )


def _dates(rng: _Rng, kind: EntryKind) -> tuple[date, date, date]:
    year = _pick(rng, _PUBLICATION_YEARS)
    first = max(date(year, 1, 1), _FIRST_PUBLISHED)
    last = min(date(year, 12, 31), _LAST_PUBLISHED)
    published = _add_days(first, rng.randint(0, (last - first).days))
    if kind == "policy_framework":
        start = _add_days(published, -rng.randint(0, 180))
        end = _add_days(start, rng.randint(2 * 365, 5 * 365))
    elif kind == "program_profile":
        # The profile describes the programme up to (about) its publication.
        end = _add_days(published, -rng.randint(0, 365))
        start = _add_days(end, -rng.randint(365, 6 * 365))
    else:
        end = _add_days(published, -rng.randint(30, 540))
        start = _add_days(end, -rng.randint(180, 5 * 365))
    start = max(start, _EARLIEST_START)
    end = max(end, start)
    return start, end, published


def _place(ref: _Reference, countries: Sequence[str], region_code: str | None) -> str:
    names = [_DISPLAY_NAMES.get(c, ref.names[c]) for c in countries]
    if region_code is not None:
        return _join([*names, f"the wider {ref.names[region_code]} region"])
    return _join(names)


def _title(d: _Draft, slots: dict[str, str], rng: _Rng) -> str:
    if d.language in ("fr", "es"):
        spec = _PROGRAM_TYPES[d.program_types[0]]
        kind_label = (_KIND_FR if d.language == "fr" else _KIND_ES)[d.kind]
        phrase = spec.fr if d.language == "fr" else spec.es
        sep = " : " if d.language == "fr" else ": "
        return f"{kind_label}{sep}{_cap(phrase)} — {slots['place']} ({slots['years']})"
    if d.special == "returnee_women":
        templates = {
            "evaluation": "Evaluation of a reintegration programme for returnee women and their "
            "children in {place} ({years})",
            "lessons_learned": "Reintegrating returnee women in {place}: lessons learned ({years})",
            "program_profile": "{prog}: supporting the reintegration of returnee women in {place}",
            "policy_framework": "Guidelines for the reintegration of returnee women and children "
            "in {place}",
        }
        return templates[d.kind].format_map(slots)
    options: dict[str, tuple[str, ...]] = {
        "evaluation": (
            "Evaluation of {a} {phrase} for {pop} in {place} ({years})",
            "{Design} of {a} {phrase} in {place} ({years})",
            "Outcomes of the {prog} {phrase} in {place}: {design} ({years})",
        ),
        "lessons_learned": (
            "Lessons learned from {a} {phrase} for {pop} in {place}",
            "What worked and what did not: {phrase} for {pop} in {place} ({years})",
            "{count} practical lessons from running {a} {phrase} in {place}",
        ),
        "program_profile": (
            "{prog}: {a} {phrase} for {pop} in {place}",
            "Programme profile: {prog}, {a} {phrase} in {place}",
        ),
        "policy_framework": (
            "Framework for {topic} in {place} ({years})",
            "Minimum standards for {topic}: {place}, {years}",
            "Monitoring and evaluation framework for {topic} in {place}",
        ),
    }
    return rng.choice(options[d.kind]).format_map(slots)


def _summary(d: _Draft, slots: dict[str, str], rng: _Rng, finding: str) -> str:
    if d.special == "returnee_women":
        return (
            "{org} supported women returning from armed groups and conflict zones, many with "
            "children, to reintegrate into communities in {place} between {y1} and {y2}. "
            "The work combined psychosocial support, livelihoods and dialogue with receiving "
            "communities."
        ).format_map(slots)
    if d.kind == "evaluation":
        first = (
            "This {design} examined {a} {phrase} run by {org} for {pop} in {place} "
            "between {y1} and {y2}."
        )
    elif d.kind == "lessons_learned":
        first = (
            "{org} reflects on {span} of running {a} {phrase} for {pop} in {place}. "
            "The main lessons concern {lesson_topic}."
        )
    elif d.kind == "program_profile":
        first = (
            "{prog} is {a} {phrase} for {pop} in {place}, run by {org} since {y1}. "
            "It combines {comp1} and {comp2}."
        )
    else:
        first = (
            "This framework sets out {aims} for {topic} in {place}. "
            "It was developed by {org} with {actor1} and covers {y1} to {y2}."
        )
    text = first.format_map(slots)
    if d.language in ("fr", "es"):
        spec = _PROGRAM_TYPES[d.program_types[0]]
        if d.language == "fr":
            text = (
                f"Ce document porte sur le dispositif suivant : {spec.fr} "
                f"({slots['place']}, {slots['years']}). "
            ) + text
        else:
            text = (
                f"Este documento trata sobre la siguiente intervención: {spec.es} "
                f"({slots['place']}, {slots['years']}). "
            ) + text
    elif d.kind == "evaluation" and finding and rng.random() < 0.8:
        text = f"{text} {finding}"
    return text


def _headline_finding(indicators: Sequence[DemoIndicator], units: dict[str, str]) -> str:
    by_code = {i.code: i.value for i in indicators}
    if "completion_rate" in by_code:
        text = f"Completion reached {by_code['completion_rate']:.0f}%"
        for code, label in (
            ("recidivism_any_12m", "reoffending within 12 months"),
            ("recidivism_any_24m", "reoffending within 24 months"),
            ("recidivism_any_36m", "reoffending within 36 months"),
            ("family_reunification", "family reunification"),
            ("employment_12m", "employment at 12 months"),
        ):
            if code in by_code:
                return f"{text}, and {label} was {_fmt_value(units[code], by_code[code])}."
        return text + "."
    return ""


def _body(
    d: _Draft,
    slots: dict[str, str],
    rng: _Rng,
    indicators: Sequence[DemoIndicator],
    ref: _Reference,
    evaluation_design: str | None,
) -> str:
    spec = _PROGRAM_TYPES[d.program_types[0]]
    parts: list[str] = [
        "> Synthetic demo data: this record was generated for demonstration purposes. "
        "The organization, people, programme and figures are fictional.",
        "",
    ]
    if d.language == "fr":
        parts += [
            "_Données de démonstration synthétiques. La suite de cette fiche est rédigée en "
            "anglais._",
            "",
        ]
    elif d.language == "es":
        parts += [
            "_Datos de demostración sintéticos. El resto de esta ficha está redactado en inglés._",
            "",
        ]
    if d.language != "en":
        parts += [
            f"This synthetic demo record is written in English; its language tag "
            f"({d.language}) marks the language of the fictional source report.",
            "",
        ]

    context = [
        f"Since {slots['y0']}, {slots['place']} {slots['has']} "
        + (
            "received women and children returning from areas controlled by armed groups."
            if d.special == "returnee_women"
            else f"{rng.choice(_CONTEXT_EVENTS[spec.group])}."
        )
    ]
    context += [s.format_map(slots) for s in _sample(rng, _CONTEXT_EXTRA, 1, 2)]
    if d.special == "returnee_women":
        context.append(
            "Many of the women had lived for years in areas controlled by armed groups; some "
            "had been recruited, others were taken there by husbands or relatives."
        )
    parts += ["## Context", "", " ".join(context), ""]

    done = [_DONE[0].format_map(slots)]
    done += [s.format_map(slots) for s in _sample(rng, _DONE[1:], 1, 3)]
    parts += ["## What was done", "", " ".join(done), ""]

    if d.kind == "evaluation" and evaluation_design is not None:
        design_label = ref.labels["evaluation_design"][evaluation_design]
        parts += [
            "## Evaluation design",
            "",
            f"Design: {design_label}. The evaluation team combined programme records with "
            f"interviews with participants, staff and {_ACTOR_PHRASE[d.actors[-1]]}.",
            "",
        ]

    findings: list[str] = []
    headline = _headline_finding(indicators, ref.units)
    if headline:
        findings.append(headline)
    findings += [s.format_map(slots) for s in _sample(rng, _FINDINGS_GENERIC, 1, 2)]
    if "women" in d.populations:
        findings.append(rng.choice(_FINDINGS_WOMEN))
    if "children" in d.populations:
        findings.append(rng.choice(_FINDINGS_CHILDREN))
    if "returnees" in d.populations:
        findings.append(rng.choice(_FINDINGS_RETURNEES))
    parts += ["## Findings", "", " ".join(findings), ""]
    if indicators:
        parts += ["| Indicator | Value |", "| --- | --- |"]
        for ind in indicators:
            label = ref.labels["indicator"][ind.code]
            value = _fmt_value(ref.units[ind.code], ind.value)
            note = f" ({ind.note})" if ind.note else ""
            parts.append(f"| {label} | {value}{note} |")
        parts.append("")

    lessons = _sample(rng, _LESSONS, 3, 4)
    parts += ["## Lessons", "", *[f"- {lesson}" for lesson in lessons], ""]
    recommendations = _sample(rng, _RECOMMENDATIONS, 2, 3)
    parts += [
        "## Recommendations",
        "",
        *[f"- {r.format_map(slots)}" for r in recommendations],
    ]
    return "\n".join(parts) + "\n"


def _attachments(
    rng: _Rng, index: int, d: _Draft, slots: dict[str, str]
) -> tuple[DemoAttachment, ...]:
    if index % _ATTACHMENT_EVERY != _ATTACHMENT_OFFSET:
        return ()
    first = MEDIA_TYPES[(index // _ATTACHMENT_EVERY) % len(MEDIA_TYPES)]
    media = [first]
    if rng.random() < 0.4:
        media.append(rng.choice([m for m in MEDIA_TYPES if m != first]))
    spec = _PROGRAM_TYPES[d.program_types[0]]
    out: list[DemoAttachment] = []
    for number, media_type in enumerate(media, start=1):
        codeword = _CODEWORD_STEMS[(number - 1) % len(_CODEWORD_STEMS)] + _letters(index)
        kind_of_annex = rng.choice(("Field notes", "Interview guide", "Monitoring tables"))
        title = f"Annex {number}: {kind_of_annex}, {slots['place']}"
        paragraphs = (
            f"This annex belongs to a synthetic demo record. Internal reference: {codeword}.",
            f"The {codeword} cohort met every {slots['weeks']} weeks with caseworkers from "
            f"{slots['org']}; sessions covered {spec.components[0]} and "
            f"{spec.components[-1]}.",
            f"Facilitators noted that {_POPULATION_PHRASE[d.populations[0]]} needed time "
            "before speaking openly about disengagement, family and work.",
            f"Site code {codeword} is used in the monitoring spreadsheet for the period "
            f"{slots['years']}.",
        )
        filename = f"annex-{number}-{_slugify(kind_of_annex)}.{_EXTENSIONS[media_type]}"
        out.append(
            DemoAttachment(
                filename=filename,
                media_type=media_type,
                paragraphs=paragraphs,
                title=title,
                codeword=codeword,
            )
        )
    return tuple(out)


def _make_entry(seed: int, index: int) -> DemoEntry:
    ref = _reference()
    rng = _entry_rng(seed, index)
    entry_id = _entry_id(seed, index)
    d = _draft(rng, ref, index)
    spec = _PROGRAM_TYPES[d.program_types[0]]

    # Design and evidence.
    evaluation_design: str | None
    if d.kind == "evaluation":
        evaluation_design = _pick(rng, _DESIGN_WEIGHTS)
    elif d.kind == "lessons_learned":
        evaluation_design = rng.choice(_LESSONS_DESIGNS) if rng.random() < 0.5 else None
    elif d.kind == "program_profile":
        evaluation_design = rng.choice(("none", "monitoring_data")) if rng.random() < 0.4 else None
    else:
        evaluation_design = "expert_review" if rng.random() < 0.2 else None
    if evaluation_design is None:
        evidence_level = rng.choice(("descriptive", "not_assessed"))
    else:
        evidence_level = rng.choice(_DESIGN_EVIDENCE.get(evaluation_design, ("descriptive",)))

    period_start, period_end, published_at = _dates(rng, d.kind)
    indicators = _make_indicators(rng, d.kind, spec.group, force=index == 0)

    components = _sample(rng, spec.components, 3, 3)
    while len(components) < 3:
        components.append(components[-1])
    settings_phr = [_SETTING_PHRASE[s] for s in d.settings]
    if len(settings_phr) == 1:
        settings_phr.append(settings_phr[0] if d.settings[0] == "community" else "the community")
    pop_phrases = [_POPULATION_PHRASE[p] for p in d.populations[:2]]
    if d.special == "returnee_women":
        pop_phrase = "returnee women and their children"
    elif len(pop_phrases) == 2 and " and " not in "".join(pop_phrases):
        pop_phrase = _join(pop_phrases)
    else:
        pop_phrase = pop_phrases[0]
    design_phrase = _DESIGN_PHRASE.get(evaluation_design or "none", "description")
    span_years = max(1, period_end.year - period_start.year)
    slots: dict[str, str] = {
        "place": _place(ref, d.countries, d.region_code),
        "has": "have" if len(d.countries) > 1 or d.region_code else "has",
        "org": d.org.name,
        "prog": f"{rng.choice(_PROGRAM_NAME_A)} {rng.choice(_PROGRAM_NAME_B)}",
        "phrase": spec.phrase,
        "a": _article(spec.phrase),
        "pop": pop_phrase,
        "topic": spec.topic,
        "design": design_phrase,
        "Design": _cap(design_phrase),
        "years": _years(period_start, period_end),
        "y0": str(period_start.year - rng.randint(1, 4)),
        "y1": str(period_start.year),
        "y2": str(period_end.year),
        "span": f"{span_years} year" + ("s" if span_years != 1 else ""),
        "count": rng.choice(("Five", "Six", "Seven", "Eight", "Ten")),
        "setting1": settings_phr[0],
        "setting2": settings_phr[1],
        "actor1": _ACTOR_PHRASE[d.actors[0]],
        "actor2": _ACTOR_PHRASE[d.actors[-1]],
        "comp1": components[0],
        "comp2": components[1],
        "comp3": components[2],
        "months": str(rng.choice((6, 9, 12, 18, 24))),
        "weeks": str(rng.choice((2, 4, 6, 8))),
        "staff": str(rng.randint(4, 40)),
        "volunteers": str(rng.randint(0, 60)),
        "aims": rng.choice(_POLICY_AIMS),
        "lesson_topic": rng.choice(
            (
                "staffing and supervision",
                "working with families",
                "information sharing between agencies",
                "community acceptance",
                "funding continuity",
            )
        )
        + " and "
        + rng.choice(("follow-up after exit", "gender-sensitive design", "data collection")),
    }
    title = _title(d, slots, rng)
    summary = _summary(d, slots, rng, _headline_finding(indicators, ref.units))
    body = _body(d, slots, rng, indicators, ref, evaluation_design)

    authors: list[str] = []
    for _ in range(rng.randint(1, 4)):
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        if name not in authors:
            authors.append(name)

    links: list[tuple[str, str]] = []
    if rng.random() < 0.7:
        links.append((f"https://example.org/demo/reports/{entry_id}", "Full report (synthetic)"))
    if rng.random() < 0.4:
        links.append((f"https://{d.org.slug}.example.net/", f"{d.org.name} website"))
    if indicators and rng.random() < 0.3:
        links.append(
            (f"https://example.org/demo/datasets/{entry_id}", "Aggregate indicator tables")
        )

    visibility_roll = _pick(rng, _VISIBILITY_WEIGHTS)
    visibility: Visibility = _FORCED_VISIBILITY.get(index, visibility_roll)
    shared_with: list[str] = []
    if visibility == "partners":
        partner_pool = [s for s in _org_index().slugs if s != d.org.slug]
        shared_with = _sample(rng, partner_pool, 1, 2)

    draft_roll = rng.random()
    status: EntryStatus = _FORCED_STATUS.get(index, "draft" if draft_roll < 0.1 else "published")
    regions = list(d.countries)
    if d.region_code is not None:
        regions.append(d.region_code)

    return DemoEntry(
        id=entry_id,
        kind=d.kind,
        title=title,
        summary=summary,
        body=body,
        language=d.language,
        organization=d.org.slug,
        authors=authors,
        program_types=d.program_types,
        regions=regions,
        settings=d.settings,
        target_populations=d.populations,
        actors=d.actors,
        evaluation_design=evaluation_design,
        evidence_level=evidence_level,
        period_start=period_start,
        period_end=period_end,
        published_at=published_at,
        indicators=indicators,
        links=links,
        license=_pick(rng, _LICENSE_WEIGHTS),
        visibility=visibility,
        shared_with=shared_with,
        status=status,
        attachments=_attachments(rng, index, d, slots),
        evidence=demo_evidence(
            seed, index, kind=d.kind, program_types=d.program_types,
            indicator_codes=[i.code for i in indicators], evaluation_design=evaluation_design,
            evidence_level=evidence_level, period_end=period_end,
        ),
        policy=demo_policy(
            seed, index, regions=regions, levels=ref.levels, parents=ref.parents,
            names=ref.names, impediment_types=list(ref.labels["impediment_type"]),
            period_start=period_start, period_end=period_end,
        ) if d.kind == "policy_framework" else None,
    )  # fmt: skip


def _entries(size: int, seed: int) -> Iterator[DemoEntry]:
    for index in range(size):
        yield _make_entry(seed, index)


def generate(size: int = DEFAULT_SIZE, *, seed: int = DEFAULT_SEED) -> DemoDataset:
    """Return the fictional organizations and a lazy stream of `size` entries.

    The stream is a generator: entries are built one at a time as it is consumed,
    so memory stays flat for any size. The result depends only on `size` and
    `seed`, and entry *i* only on `(seed, i)`.
    """
    if size < 0:
        raise ValueError("size must be >= 0")
    _reference()  # load and validate the vocabularies eagerly, so errors surface here
    return DemoDataset(organizations=list(_organizations()), entries=_entries(size, seed))
