"""Detector for person names next to a word that makes the person a program participant.

Owns the one kind of name the guard looks for: a name that ties a person to a
program ("the returnee Amadou Diallo", "Fatima, 24, a former fighter",
"le détenu Moussa K.", "bénéficiaire : Aïcha Traoré"). Names of authors, staff,
officials and organizations are not its business, and a name alone is not a
finding — the participant word is what makes it sensitive.

Names are found by shape (capitalised words, initials, particles such as "bin",
"ould", "ag", "al-") within a few words of an English or French participant
word, never from a list of names, so names from any culture are found. The
price is a stop list: capitalised words that are not names (countries, cities
where programs run, months, institutions, armed groups, sentence starters) end
or discard a candidate, and a capitalised word after a preposition ("returnees
in Mombasa") is a place.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

_FR_PLURAL = r"(?:e|s|es|\(e\)|\(e\)s|\(es\))?"
PARTICIPANT = (
    r"(?:beneficiar(?:y|ies)|returnees?|detainees?|participants?|defectors?|inmates?"
    r"|prisoners?|offenders?|mentees?|trainees?|respondents?|interviewees?|deportees?"
    r"|disengagers?|clients?"
    r"|(?:former|ex)[ \u00a0-](?:fighters?|combatants?|militants?|members?|detainees?"
    r"|prisoners?|offenders?|extremists?|jihadists?)"
    rf"|b[ée]n[ée]ficiaires?|rapatri[ée]{_FR_PLURAL}|d[ée]tenu{_FR_PLURAL}"
    rf"|participant{_FR_PLURAL}|d[ée]serteu(?:r|rs|se|ses)|repenti{_FR_PLURAL}"
    rf"|ex-combattant{_FR_PLURAL}|ancien(?:ne)?s?[ \u00a0]+combattant{_FR_PLURAL}"
    r"|anciens?[ \u00a0]+membres?|prisonni(?:er|ers|ère|ères)|stagiaires?"
    rf"|enqu[êe]t[ée]{_FR_PLURAL}|apprenant{_FR_PLURAL}|personnes?[ \u00a0]+d[ée]tenues?)"
)
_PARTICIPANT = re.compile(rf"(?<![\w-]){PARTICIPANT}(?![\w-])", re.IGNORECASE)

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_TOKEN = (
    rf"(?:[{_UPPER}]['’][{_UPPER}][{_LOWER}]+"  # N'Diaye
    rf"|[{_UPPER}][{_LOWER}'’]+(?:[{_UPPER}][{_LOWER}]+)?(?:-[{_UPPER}{_LOWER}][{_LOWER}'’]+)*"
    rf"|[{_UPPER}]\.(?![{_LOWER}]))"  # an initial: "Moussa K."
)
_PARTICLE = r"(?:bin|ben|ibn|bint|ould|mint|ag|wa|al|el|de|da|dos|van|von|abu|abou|ba)[ \u00a0-]"
_NAME = rf"{_TOKEN}(?:[ \u00a0]+(?:{_PARTICLE})?{_TOKEN}){{0,3}}"
_HONORIFIC = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Mme|Mlle|M|Sheikh|Cheikh|Imam|Hajj|Hadja|El[ \u00a0]Hadj|Alhaji"
    r"|Mallam|Ustaz|Ustadh)\.?"
)
_CALLED = (
    r"(?:named|called|known[ \u00a0]+as|nicknamed|alias|aka|nomm[ée]e?|appel[ée]e?"
    r"|d[ée]nomm[ée]e?|surnomm[ée]e?|dite?|pr[ée]nomm[ée]e?)"
)
_AFTER = re.compile(
    rf"[ \u00a0]*[,:(–—-]?(?:[ \u00a0]*{_CALLED})?[ \u00a0]*[,:(–—-]?[ \u00a0]*"
    rf"(?:{_HONORIFIC}[ \u00a0]+)?"
    rf"(?P<name>{_NAME})"
)
_MORE = re.compile(
    rf"[ \u00a0]*(?:,|and|et|&)[ \u00a0]*(?:{_HONORIFIC}[ \u00a0]+)?(?P<name>{_NAME})"
)
_BEFORE = re.compile(
    rf"(?<![^\s(“«])(?P<name>{_NAME})[ \u00a0]*"
    r"(?:,[ \u00a0]*(?:\d{1,2}[ \u00a0]*(?:years?[ \u00a0]+old|ans|yo)?[ \u00a0]*,[ \u00a0]*)?"
    r"|\([ \u00a0]*\d{1,2}[ \u00a0]*(?:ans|years?|yo)?[ \u00a0]*\)[ \u00a0]*,?[ \u00a0]*"
    r"|[ \u00a0]+(?:is|was|est|était|became|devenu|devenue|remains|reste)[ \u00a0]+"
    # "Aïcha (name changed), 19, a returnee", "Omar (nom modifié), ancien combattant"
    r"|[ \u00a0]*\((?:[^()\n]{0,30}(?:name|nom|pseudonym|pseudonyme|prénom)[^()\n]{0,20})\)"
    r"[ \u00a0]*,?[ \u00a0]*"
    r"(?:\d{1,2}[ \u00a0]*(?:years?[ \u00a0]+old|ans|yo)?[ \u00a0]*,[ \u00a0]*)?)"
    r"(?:(?:a|an|the|one|un|une|le|la|l['’]|this|ce|cette|our|notre)[ \u00a0]+)?"
    r"(?:(?:former|young|female|male|ancien(?:ne)?|jeune|autre|other)[ \u00a0]+)?$"
)
_AFTER_MEASURE = re.compile(r"[\d°'\"″’][ \u00a0]*$")
# A participant word used as a modifier of a program noun describes the program.
_ATTRIBUTIVE = re.compile(
    r"[ \u00a0-]+(?:rehabilitation|reintegration|reinsertion|réinsertion|réintégration"
    r"|programmes?|programs?|projects?|projets?|initiatives?|centres?|centers?|schemes?"
    r"|support|services?|networks?|units?|facilit(?:y|ies)|camps?|polic(?:y|ies)"
    r"|strateg(?:y|ies)|pathways?|assistance|management|mentoring|outreach|desk|team"
    r"|handbook|manual|survey|database|register)\b",
    re.IGNORECASE,
)
_YEAR_AFTER = re.compile(r"[ \u00a0]*[,(–—-]?[ \u00a0]*(?:19|20)\d{2}\b")
_ENUMERATION = re.compile(r"[ \u00a0]*,")
_PLACE_BEFORE = re.compile(
    r"\b(?:in|at|from|to|of|near|into|across|toward|towards|à|a|en|de|du|des|dans|au|aux"
    r"|vers|près|depuis|pour|sur|par|for|by|with|avec|between|entre|and|et)[ \u00a0]+$",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\"“«•\-–—]\s*|\n\s*)$")
_LOOKBACK = 90

_STOP_TEXT = """
imam imams elders elder chiefs chief police army judges judge teachers mentors mentor staff
officers officials women men youth families parents mothers fathers état etat préfet gouverneur
governor mayor maire director directeur directrice coordinator coordinateur
the a an this that these those there here his her their our its my your he she they we i it le
la les un une des du de ce cet cette ces il elle ils elles nous vous on leur leurs son sa ses
in at from of for with and or but by to into after before during while when where who which
what whose all some most many few each every both several other another such no not only also
dans avec pour par sur selon après avant pendant lorsque quand où qui que quoi dont tous toutes
plusieurs chaque autres aucun ainsi alors donc mais ou et ni car si comme même one two three
four five six seven eight nine ten first second third last next new old deux trois quatre cinq
sept huit neuf dix premier première dernier dernière nouveau yesterday today tomorrow hier
aujourd'hui demain however moreover although though despite cependant toutefois néanmoins
pourtant enfin since overall again still yet then thus hence according as among amongst about
above below under over between through within without parmi entre sous vers chez malgré sauf
hors monday tuesday wednesday thursday friday saturday sunday lundi mardi mercredi jeudi
vendredi samedi dimanche january february march april may june july august september october
november december janvier février mars avril mai juin juillet août septembre octobre novembre
décembre programme program programmes programs project projects projet projets centre center
centres committee comité network réseau unit unité ministry ministère department département
service services office bureau council conseil foundation fondation association team équipe
group groupe initiative fund fonds agency agence organisation organization support soutien
handbook guide manual survey enquête study étude report rapport evaluation évaluation selection
sélection reintegration réintégration réinsertion rehabilitation réhabilitation reinsertion
assistance management gestion database base data données register registre policy politique
strategy stratégie framework cadre plan act law loi code court tribunal cour prison prisons
camp camps facility facilities village villages region région province district state
government gouvernement national nationale international internationale federal fédéral
fédérale regional régional régionale local locale community communauté communautaire islamic
islamique muslim musulman christian chrétien arab arabe african africain africaine european
européen européenne asian western occidental eastern northern southern central north south east
west nord sud est ouest sahel maghreb horn corne gulf golfe lake lac undp unhcr iom oim icrc
cicr eu ue au ua ecowas cedeao igad ngo ngos ong csos cso osc unicef unodc ocha wfp pam oms
osce nato otan minusma amisom atmis g5 minusca monusco isis isil daesh daech shabaab al-shabaab
boko haram aqim aqmi jnim iswap eigs jihadist jihadiste taliban talibans pkk eta hamas
hezbollah ansar dine ansaroul mujao muslims christians arabs africans covid coronavirus
internet whatsapp facebook telegram twitter youtube tiktok english french arabic anglais
français hausa peul fulani bambara wolof somali swahili tamasheq kanuri tigrinya amharic oromo
pashto dari urdu kenyan somalis malian malians nigerian nigerians senegalese nigerien nigeriens
chadian burkinabe burkinabè mauritanian tunisian moroccan algerian egyptian libyan sudanese
ethiopian ugandan tanzanian syrian iraqi afghan pakistani indonesian filipino bangladeshi
belgian german british dutch swedish danish spanish italian sénégalais sénégalaise maliens
malienne nigérien nigérienne tchadien tchadienne mauritanien mauritanienne tunisien tunisienne
marocain marocaine algérien algérienne syrien syrienne irakien irakienne afghane belge belges
française gao tombouctou timbuktu mopti kidal ménaka menaka ségou sikasso kayes bamako dakar
thiès ziguinchor niamey diffa tillabéri tillaberi tahoua agadez zinder maradi ouagadougou djibo
fada bobo-dioulasso nouakchott néma nema n'djamena ndjamena bol maiduguri kano abuja lagos yola
borno adamawa yobe garoua maroua kousseri mombasa nairobi garissa lamu kwale kilifi mandera
wajir eastleigh mogadishu kismayo baidoa beledweyne hargeisa garowe bosaso galkayo addis ababa
kampala dar salaam djibouti khartoum juba tunis sfax kasserine bouzid guerdane rabat casablanca
tanger tangier fès fez algiers alger oran tripoli benghazi derna misrata cairo caire alexandria
alexandrie sinai amman zarqa irbid maan beirut beyrouth baghdad bagdad mosul mossoul anbar
ramadi fallujah kirkuk erbil raqqa deir ezzor idlib aleppo alep damascus damas hasakah homs
kabul kandahar herat jalalabad peshawar karachi lahore islamabad quetta swat dhaka chittagong
jakarta poso surabaya solo bandung mindanao marawi cotabato manila kuala lumpur paris marseille
lyon lille nice brussels bruxelles molenbeek antwerp anvers liège london londres birmingham
manchester luton berlin hamburg stockholm copenhagen copenhague aarhus oslo amsterdam rotterdam
the-hague madrid barcelona rome milan vienna geneva genève zurich afrique africa asie asia
europe europa amérique america moyen-orient middle syrie irak jordanie liban turquie égypte
libye tunisie algérie maroc mauritanie sénégal mali niger tchad nigéria nigeria cameroun
burkina faso guinée somalie éthiopie kenya ouganda soudan érythrée afghanistan pakistan inde
indonésie philippines bangladesh belgique allemagne suède danemark royaume-uni france espagne
italie pays-bas sierra saudi arabia emirates congo guinea equatorial republic république united
kingdom states sri lanka côte d'ivoire bosnia herzegovina palestine iran korea russian
federation democratic tanzania sahara
"""
# Country names double as given names here; whole multi-word country names are
# not split into words, so "Pierre" (Saint Pierre and Miquelon) or "Vincent"
# stay names. The words of the multi-word countries where programs run are in
# the list above.
_NOT_STOPPED = {"Jordan", "Chad", "Georgia", "Israel", "Dominica", "Jersey", "Mayotte"}


@functools.cache
def _stop_words() -> frozenset[str]:
    import pycountry  # country names in English; the French ones are listed above

    words = {w.casefold() for w in _STOP_TEXT.split()}
    for country in pycountry.countries:
        for attribute in ("name", "common_name"):
            value = getattr(country, attribute, None)
            if value and " " not in value and value not in _NOT_STOPPED:
                words.add(value.casefold())
    return frozenset(words)


_TOKEN_RE = re.compile(_TOKEN)


def _tokens(name: str, offset: int) -> list[tuple[int, int]]:
    return [(offset + m.start(), offset + m.end()) for m in _TOKEN_RE.finditer(name)]


def _is_stop(text: str, span: tuple[int, int]) -> bool:
    word = text[span[0] : span[1]]
    if len(word) == 2 and word.endswith("."):
        return False  # an initial, not the article "A"
    word = word.rstrip(".")
    stops = _stop_words()
    return word.casefold() in stops or any(
        part.casefold() in stops for part in word.split("-") if len(part) > 2
    )


def _leading(text: str, tokens: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The name made of the tokens before the first stop word, or None."""
    kept: list[tuple[int, int]] = []
    for span in tokens:
        if _is_stop(text, span):
            break
        kept.append(span)
    if not kept or all(text[s:e].endswith(".") and e - s == 2 for s, e in kept):
        return None  # nothing left, or initials alone
    return kept[0][0], kept[-1][1]


def _trailing(text: str, tokens: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The name made of the tokens after the last stop word, or None."""
    kept: list[tuple[int, int]] = []
    for span in reversed(tokens):
        if _is_stop(text, span):
            break
        kept.insert(0, span)
    if not kept or all(text[s:e].endswith(".") and e - s == 2 for s, e in kept):
        return None
    return kept[0][0], kept[-1][1]


def _capitalised_heading(text: str, start: int) -> bool:
    """A capitalised participant word mid-sentence is part of a title ("Beneficiary Selection")."""
    return text[start].isupper() and not _SENTENCE_START.search(text[max(0, start - 3) : start])


def find_participant_names(text: str) -> Iterator[tuple[int, int]]:
    for word in _PARTICIPANT.finditer(text):
        if _ATTRIBUTIVE.match(text, word.end()):
            continue  # "Tadamon, a returnee reintegration programme": about a program
        if not _capitalised_heading(text, word.start()):
            yield from _names_after(text, word.end())
        yield from _names_before(text, word.start())


def _names_after(text: str, position: int) -> Iterator[tuple[int, int]]:
    match = _AFTER.match(text, position)
    if match is None:
        return
    if (
        _ENUMERATION.match(text, position)
        and text[position - 1] in "sS)"
        and _MORE.match(text, match.end("name"))
    ):
        return  # "Returnees, Imams and Elders": a plural, a comma, then a list of groups
    found = _leading(text, _tokens(match["name"], match.start("name")))
    if found is None or _YEAR_AFTER.match(text, found[1]):
        return  # "…of returnees: Tadamon, 2024-2027" is a program's title
    yield found
    if found[1] != match.end("name"):
        return  # the name ran into a stop word: what follows is not a list of names
    while (more := _MORE.match(text, found[1])) is not None:
        found_more = _leading(text, _tokens(more["name"], more.start("name")))
        if found_more is None or found_more[1] != more.end("name"):
            return
        yield found_more
        found = found_more


def _names_before(text: str, position: int) -> Iterator[tuple[int, int]]:
    offset = max(0, position - _LOOKBACK)
    window = text[offset:position]
    match = _BEFORE.search(window)
    if match is None:
        return
    tokens = _tokens(match["name"], offset + match.start("name"))
    # "…21.9993° E. Mehdi": a compass letter after a coordinate is not an initial.
    while (
        tokens
        and tokens[0][1] - tokens[0][0] == 2
        and _AFTER_MEASURE.search(text[max(0, tokens[0][0] - 3) : tokens[0][0]])
    ):
        tokens.pop(0)
    found = _trailing(text, tokens)
    if found is None:
        return
    if _PLACE_BEFORE.search(text[max(0, found[0] - 12) : found[0]]):
        return
    yield found
