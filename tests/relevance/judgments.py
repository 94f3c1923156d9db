"""The judged relevance set: practitioners' queries on the fixed corpus
(`corpus.py`) with the entries a practitioner would want.

Judgments are graded: 2 = what the question asks for (every aspect), 1 =
useful (the main aspect only). They are stated as conditions on what each entry
is about — its tags, as the curators of the corpus set them, and its country —
so the reason an entry counts is written next to the query. Query types:
keyword, question (a practitioner's question in full), french, typo, acronym."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.vocabularies.registry import VocabularyRegistry, shipped_registry
from tests.relevance.corpus import Program, load

Judge = Callable[[Program], int]
QUERY_TYPES = ("keyword", "question", "french", "typo", "acronym")


@dataclass(frozen=True)
class Aspect:
    program_types: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()  # a program anywhere under one of these

    def holds(self, p: Program, registry: VocabularyRegistry) -> bool:
        if self.program_types and not set(self.program_types) & set(p.program_types):
            return False
        if self.populations and not set(self.populations) & set(p.target_populations):
            return False
        if self.settings and not set(self.settings) & set(p.settings):
            return False
        if self.regions:
            places = set(registry.expand_regions(p.regions))
            if not set(self.regions) & places:
                return False
        return True


def A(pt: str = "", tp: str = "", st: str = "", rg: str = "") -> Aspect:
    return Aspect(tuple(pt.split()), tuple(tp.split()), tuple(st.split()), tuple(rg.split()))


@dataclass(frozen=True)
class JudgedQuery:
    kind: str
    text: str
    all_of: tuple[Aspect, ...]  # grade 2: every aspect holds
    main: Aspect  # grade 1: at least this one

    def grade(self, p: Program, registry: VocabularyRegistry) -> int:
        if all(a.holds(p, registry) for a in self.all_of):
            return 2
        return 1 if self.main.holds(p, registry) else 0


def Q(kind: str, text: str, *all_of: Aspect, main: Aspect | None = None) -> JudgedQuery:
    return JudgedQuery(kind, text, all_of, main if main is not None else all_of[0])


QUERIES: tuple[JudgedQuery, ...] = (
    # -- keyword
    Q("keyword", "returnee women", A(pt="returnee_repatriation", tp="women"), main=A(tp="returnees")),
    Q("keyword", "DDR Colombia", A(pt="ddr", rg="CO"), main=A(pt="ddr")),
    Q("keyword", "exit programme far right", A(pt="exit_disengagement", rg="150 021"), main=A(pt="exit_disengagement")),
    Q("keyword", "prison deradicalisation Indonesia", A(pt="deradicalisation", st="prison", rg="ID"), main=A(pt="prison_rehabilitation deradicalisation")),
    Q("keyword", "family support helpline", A(pt="family_support"), main=A(pt="family_support")),
    Q("keyword", "counter narratives online", A(pt="strategic_communication", st="online")),
    Q("keyword", "mentoring youth at risk", A(pt="mentoring", tp="youth at_risk_individuals"), main=A(pt="mentoring")),
    Q("keyword", "vocational training former fighters", A(pt="livelihoods", tp="ex_combatants defectors"), main=A(pt="livelihoods")),
    Q("keyword", "child soldiers reintegration", A(pt="children_rehabilitation", tp="children"), main=A(pt="children_rehabilitation")),
    Q("keyword", "probation terrorist offenders", A(pt="probation_aftercare", tp="violent_extremist_offenders"), main=A(pt="probation_aftercare")),
    Q("keyword", "community policing", A(pt="community_policing")),
    Q("keyword", "al-Shabaab defectors Somalia", A(pt="amnesty_defection", rg="SO"), main=A(rg="SO")),
    Q("keyword", "Boko Haram", A(rg="NG TD CM NE")),
    Q("keyword", "reconciliation returnees host communities", A(pt="reconciliation", tp="returnees receiving_communities"), main=A(pt="reconciliation")),
    Q("keyword", "psychosocial support children camps", A(pt="psychosocial", tp="children"), main=A(pt="psychosocial")),
    Q("keyword", "Kenya prisons", A(st="prison", rg="KE"), main=A(rg="KE")),
    Q("keyword", "amnesty", A(pt="amnesty_defection")),
    Q("keyword", "schools extremism", A(st="school"), main=A(pt="education_youth")),
    # -- question
    Q("question", "reintegrating women returning from Syria", A(pt="returnee_repatriation reintegration", tp="women"), main=A(tp="returnees")),
    Q("question", "how to help people leave extremist groups", A(pt="exit_disengagement"), main=A(pt="exit_disengagement deradicalisation amnesty_defection")),
    Q("question", "what has been tried for reintegrating returnee women in Eastern Africa", A(pt="reintegration returnee_repatriation", tp="women returnees", rg="014"), main=A(pt="reintegration returnee_repatriation", tp="returnees women")),
    Q("question", "what works to rehabilitate terrorist offenders in prison", A(pt="prison_rehabilitation", tp="violent_extremist_offenders"), main=A(pt="prison_rehabilitation deradicalisation")),
    Q("question", "how can families be supported when a son is radicalised", A(pt="family_support"), main=A(pt="family_support")),
    Q("question", "what happens to children brought back from the camps in Syria", A(pt="returnee_repatriation", tp="children"), main=A(tp="children")),
    Q("question", "how do former fighters find jobs after demobilisation", A(pt="livelihoods", tp="ex_combatants"), main=A(pt="ddr livelihoods")),
    Q("question", "how do communities accept people who return from armed groups", A(pt="reconciliation", tp="receiving_communities returnees defectors"), main=A(pt="reconciliation reintegration")),
    Q("question", "does mentoring prevent radicalisation of young people", A(pt="mentoring", tp="youth at_risk_individuals"), main=A(pt="mentoring")),
    Q("question", "what is known about supervising terrorist offenders after release from prison", A(pt="probation_aftercare", tp="violent_extremist_offenders"), main=A(pt="probation_aftercare")),
    Q("question", "which programmes help defectors from al-Shabaab", A(pt="amnesty_defection", rg="SO KE"), main=A(pt="amnesty_defection")),
    Q("question", "how to prevent radicalisation in prisons", A(pt="prison_radicalisation_prevention"), main=A(st="prison")),
    Q("question", "what do we know about women leaving jihadist groups in the Sahel", A(tp="women", rg="ML NE BF TD MR"), main=A(tp="women", pt="reintegration exit_disengagement returnee_repatriation")),
    Q("question", "how are schools used to build resilience against extremism", A(pt="education_youth", st="school"), main=A(pt="education_youth")),
    Q("question", "what helps survivors of ISIS violence recover", A(pt="psychosocial victim_support", tp="victims"), main=A(pt="victim_support psychosocial")),
    Q("question", "how have online campaigns tried to counter extremist propaganda", A(pt="strategic_communication", st="online"), main=A(pt="strategic_communication")),
    Q("question", "what training do frontline practitioners need to spot radicalisation", A(pt="practitioner_training", tp="practitioners"), main=A(pt="practitioner_training")),
    Q("question", "how are the wives and children of foreign fighters repatriated from Syria", A(pt="returnee_repatriation", tp="women children"), main=A(pt="returnee_repatriation")),
    # -- french
    Q("french", "réinsertion des femmes rapatriées", A(pt="reintegration returnee_repatriation", tp="women"), main=A(tp="returnees women")),
    Q("french", "désarmement démobilisation réinsertion", A(pt="ddr")),
    Q("french", "prévention de l'extrémisme violent au Sahel", A(pt="community_resilience", rg="ML NE BF TD MR"), main=A(pt="community_resilience")),
    Q("french", "programme de sortie de la radicalisation", A(pt="exit_disengagement deradicalisation")),
    Q("french", "soutien aux familles de jeunes radicalisés", A(pt="family_support")),
    Q("french", "détenus terroristes en prison", A(tp="violent_extremist_offenders", st="prison"), main=A(tp="violent_extremist_offenders")),
    Q("french", "enfants soldats", A(pt="children_rehabilitation")),
    Q("french", "formation professionnelle des jeunes", A(pt="livelihoods", tp="youth"), main=A(pt="livelihoods")),
    Q("french", "anciens combattants", A(tp="ex_combatants")),
    Q("french", "contre-discours en ligne", A(pt="strategic_communication", st="online"), main=A(pt="strategic_communication")),
    Q("french", "réconciliation communautaire", A(pt="reconciliation")),
    Q("french", "suivi des sortants de prison condamnés pour terrorisme", A(pt="probation_aftercare", tp="violent_extremist_offenders"), main=A(pt="probation_aftercare")),
    Q("french", "repentis de Boko Haram", A(pt="amnesty_defection", rg="NG TD CM NE"), main=A(pt="amnesty_defection")),
    Q("french", "femmes malien", A(tp="women", rg="ML"), main=A(rg="ML")),
    # -- typo
    Q("typo", "reintegraton of ex-combattants", A(pt="reintegration ddr", tp="ex_combatants"), main=A(tp="ex_combatants")),
    Q("typo", "deradicalisaton prison", A(pt="deradicalisation", st="prison"), main=A(pt="deradicalisation")),
    Q("typo", "famly suport helpline", A(pt="family_support")),
    Q("typo", "repatriaton of childen", A(pt="returnee_repatriation", tp="children"), main=A(pt="returnee_repatriation")),
    Q("typo", "disengagment programs", A(pt="exit_disengagement")),
    Q("typo", "psychosocal trauma", A(pt="psychosocial")),
    Q("typo", "mentorng", A(pt="mentoring")),
    Q("typo", "reconcilation colombia", A(pt="reconciliation", rg="CO"), main=A(pt="reconciliation")),
    Q("typo", "vocatonal training", A(pt="livelihoods")),
    Q("typo", "Mozambiqe youth", A(rg="MZ")),
    # -- acronym
    Q("acronym", "DDR", A(pt="ddr")),
    Q("acronym", "FTF repatriation", A(pt="returnee_repatriation", tp="foreign_terrorist_fighters returnees"), main=A(pt="returnee_repatriation")),
    Q("acronym", "VEO rehabilitation", A(tp="violent_extremist_offenders", pt="prison_rehabilitation deradicalisation"), main=A(tp="violent_extremist_offenders")),
    Q("acronym", "PVE Kenya", A(pt="community_resilience", rg="KE"), main=A(pt="community_resilience")),
    Q("acronym", "CVE youth", A(pt="community_resilience", tp="youth"), main=A(pt="community_resilience")),
    Q("acronym", "DDR women", A(pt="ddr", tp="women"), main=A(pt="ddr")),
    Q("acronym", "RDC démobilisation", A(pt="ddr", rg="CD"), main=A(pt="ddr")),
    Q("acronym", "MENA returnees", A(pt="returnee_repatriation", rg="145 015"), main=A(pt="returnee_repatriation")),
)  # fmt: skip


def judged() -> list[tuple[JudgedQuery, dict[str, int]]]:
    """Each query with its relevant entries (id → grade ≥ 1)."""
    registry = shipped_registry()
    corpus = load()
    out = []
    for query in QUERIES:
        grades = {p.id: g for p in corpus if (g := query.grade(p, registry))}
        out.append((query, grades))
    return out
