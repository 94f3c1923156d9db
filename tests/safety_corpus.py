"""A synthetic, labelled corpus for the sensitive-data guard (English and French).

`build_corpus(seed)` returns texts in the register of program evaluations and
lessons-learned notes. *Planted* texts carry identifiers of people — each
labelled with its detector and exact span — among ordinary sentences; *clean*
texts carry none but are full of what the guard must not mistake for one:
budgets in many currencies and groupings, indicator values, dates of laws and
events, years and ranges, document and case references, ISBN/ISSN/DOI, page
numbers, statistics, names of officials and places, and participant words
without names. Telephone numbers are drawn valid for many countries (West
Africa and the Sahel, East Africa, North Africa and the Middle East, Europe,
South and Southeast Asia) through libphonenumber's own example numbers.

Deterministic for a given seed: the guard's precision and recall on it are
fixed numbers, checked by `tests/unit/test_safety_guard.py` and printed per
detector by `bench/safety_bench.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import phonenumbers

from api.safety.identity import nir_valid, verhoeff_valid

DETECTORS = (
    "email",
    "phone",
    "id_number",
    "date_of_birth",
    "coordinates",
    "address",
    "participant_name",
)


@dataclass(frozen=True, slots=True)
class Planted:
    detector: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Sample:
    text: str
    language: str
    planted: tuple[Planted, ...]


FIRST = {
    "west_africa": "Amadou Moussa Ousmane Ibrahim Mamadou Aïssata Fatoumata Mariam Aminata "
    "Boubacar Seydou Hawa Adama Souleymane Kadidia Oumar Bintou Issa Salif Ramatoulaye",
    "east_africa": "Abdi Hodan Faduma Mohamed Hassan Halima Wanjiru Otieno Achieng Kamau "
    "Ayaan Abdirahman Sahra Yusuf Khadija Mahad",
    "mena": "Youssef Khadija Omar Layla Karim Nour Rachid Samira Hamza Zineb Walid Amina "
    "Mehdi Rania Tarek",
    "europe": "Jean-Pierre Marie Lucas Sarah Thomas Emma Kevin Nadia Lars Anders Sofie "
    "Yannick Chloé Malik",
    "asia": "Imran Ayesha Rahul Bilal Siti Budi Rizal Farhan Dewi Arif Sabiha Tariq Nurul",
}
LAST = {
    "west_africa": "Diallo Traoré Coulibaly Keïta Sow Ndiaye N'Diaye Maïga Touré Cissé "
    "Sangaré Dicko Ouédraogo Sawadogo",
    "east_africa": "Warsame Farah Abdullahi Mwangi Odhiambo Omondi Nur Jama Hirsi Kiprono",
    "mena": "Haddad Benali Mansouri Belkacem Saidi Nasser Khalil Ghannouchi Amrani Jaziri",
    "europe": "Dupont Lambert Janssens Müller Lefebvre Petersen Moreau Vermeulen Nielsen",
    "asia": "Khan Hussain Rahman Siregar Santoso Hidayat Chaudhry Qureshi Nasution Malik",
}
PARTICLES = ["Ag", "Ould", "bin", "al-", "El", "Ben"]

PHONE_REGIONS = (
    "SN ML NE BF TD MR NG CM CI GN GH KE SO ET UG TZ SD MA TN DZ EG JO LB IQ SY YE "
    "FR BE GB DE NL SE DK PK AF IN BD ID PH MY"
).split()
DOMAINS = ["example.org", "mail.example.com", "ngo-example.net", "exemple.fr", "example.sn"]


class _Writer:
    """Builds one text from segments, recording the span of each planted identifier."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.planted: list[Planted] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def plant(self, detector: str, value: str) -> None:
        self.planted.append(Planted(detector, self.length, self.length + len(value)))
        self.add(value)

    def template(self, template: str, detector: str, value: str, **others: str) -> None:
        """`template` with `{x}` for the identifier and other `{names}` filled in plainly."""
        before, after = template.split("{x}")
        self.add(before.format(**others))
        self.plant(detector, value)
        self.add(after.format(**others))

    def sample(self, language: str) -> Sample:
        return Sample("".join(self.parts), language, tuple(self.planted))


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    # ------------------------------------------------------------ identifiers

    def person(self) -> tuple[str, str]:
        region = self.rng.choice(list(FIRST))
        first = self.rng.choice(FIRST[region].split())
        last = self.rng.choice(LAST[region].split())
        return first, last

    def name(self) -> str:
        first, last = self.person()
        shape = self.rng.random()
        if shape < 0.25:
            return first
        if shape < 0.4:
            return f"{first} {last[0]}."
        if shape < 0.5:
            particle = self.rng.choice(PARTICLES)
            joiner = "" if particle.endswith("-") else " "
            return f"{first} {particle}{joiner}{last}"
        return f"{first} {last}"

    def email(self) -> str:
        first, last = self.person()
        local = self.rng.choice(
            [f"{first}.{last}", f"{first[0]}{last}", f"{first}{self.rng.randint(1, 99)}"]
        )
        local = "".join(ch for ch in local.lower() if ch.isalnum() or ch == ".")
        domain = self.rng.choice(DOMAINS)
        if self.rng.random() < 0.15:
            user, tld = domain.rsplit(".", 1)
            return f"{local} [at] {user} [dot] {tld}"
        return f"{local}@{domain}"

    def phone(self) -> tuple[str, bool]:
        """A valid mobile number in one of the ways people write them; True if international."""
        region = self.rng.choice(PHONE_REGIONS)
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        assert example is not None, region
        national = str(example.national_number)
        for _ in range(50):
            digits = national[:-4] + "".join(str(self.rng.randint(0, 9)) for _ in range(4))
            number = phonenumbers.parse("+" + str(example.country_code) + digits, None)
            if phonenumbers.is_valid_number(number):
                break
        else:
            number = example
        fmt = self.rng.random()
        if fmt < 0.45:
            return phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
            ), True
        if fmt < 0.55:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True
        if fmt < 0.65:
            text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            return "00" + text[1:], True
        if fmt < 0.7:
            text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            return self.rng.choice(["(", ""]) + text.replace(" ", "-", 1).replace("-", " ", 1), True
        text = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        shape = self.rng.random()
        if shape < 0.2:
            text = text.replace(" ", ".")
        elif shape < 0.35:
            text = text.replace(" ", "-")
        elif shape < 0.45:
            text = text.replace(" ", "")
        return text, False

    def digits(self, n: int) -> str:
        return str(self.rng.randint(1, 9)) + "".join(
            str(self.rng.randint(0, 9)) for _ in range(n - 1)
        )

    def aadhaar(self) -> str:
        while True:
            candidate = str(self.rng.randint(2, 9)) + self.digits(11)[:11]
            if verhoeff_valid(candidate):
                return f"{candidate[:4]} {candidate[4:8]} {candidate[8:]}"

    def nir(self) -> str:
        while True:
            body = (
                f"{self.rng.randint(1, 2)}{self.rng.randint(60, 99)}{self.rng.randint(1, 12):02d}"
                f"{self.rng.randint(1, 95):02d}{self.digits(3)}{self.digits(3)}"
            )
            key = 97 - int(body) % 97
            nir = f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key:02d}"
            if nir_valid(nir):
                return nir

    def id_number(self) -> tuple[str, str]:
        """(template with {x}, the number)."""
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        choice = self.rng.randrange(12)
        if choice == 10:
            return "ID no. {x}", self.digits(9)
        if choice == 11:
            return "NIN {x}", self.digits(11)
        if choice == 0:
            return "passport no. {x}", self.rng.choice(letters) + self.digits(8)
        if choice == 1:
            return "passport number {x}", "".join(self.rng.choices(letters, k=2)) + self.digits(7)
        if choice == 2:
            return (
                "sa CNI n° {x}",
                f"{self.digits(1)} {self.digits(4)} {self.digits(4)} {self.digits(5)}",
            )
        if choice == 3:
            return "son numéro NINA {x}", self.digits(14) + self.rng.choice(letters)
        if choice == 4:
            return "numéro d'écrou {x}", f"{self.rng.randint(2015, 2023)}/{self.digits(4)}"
        if choice == 5:
            return "CNIC {x}", f"{self.digits(5)}-{self.digits(7)}-{self.rng.randint(1, 9)}"
        if choice == 6:
            return "Aadhaar {x}", self.aadhaar()
        if choice == 7:
            return "UNHCR case number {x}", f"{self.digits(3)}-{self.digits(2)}C{self.digits(5)}"
        if choice == 8:
            return "numéro de sécurité sociale {x}", self.nir()
        return "national ID card {x}", self.digits(8)

    def date(self, language: str) -> str:
        day, month, year = (
            self.rng.randint(1, 28),
            self.rng.randint(1, 12),
            self.rng.randint(1975, 2006),
        )
        months_en = "January February March April May June July August September October November December".split()
        months_fr = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
        shape = self.rng.randrange(4)
        if shape == 0:
            return f"{day:02d}/{month:02d}/{year}"
        if shape == 1:
            return f"{year}-{month:02d}-{day:02d}"
        if shape == 2:
            return f"{day:02d}.{month:02d}.{year}"
        names = months_en if language == "en" else months_fr
        if language == "en" and self.rng.random() < 0.5:
            return f"{names[month - 1]} {day}, {year}"
        return f"{day} {names[month - 1]} {year}"

    def coordinates(self) -> str:
        lat = self.rng.uniform(-5, 37) * self.rng.choice([1, 1, 1, -1])
        lon = self.rng.uniform(-17, 70)
        lat = lat if abs(lat) >= 1 else lat + 2
        shape = self.rng.randrange(4)
        if shape == 0:
            return f"{lat:.{self.rng.randint(4, 6)}f}, {lon:.{self.rng.randint(4, 6)}f}"
        if shape == 1:
            ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
            return f"{abs(lat):.4f}° {ns}, {abs(lon):.4f}° {ew}"
        if shape == 2:

            def dms(value: float, hemispheres: str) -> str:
                hemisphere = hemispheres[0] if value >= 0 else hemispheres[1]
                value = abs(value)
                d, rest = int(value), (value - int(value)) * 60
                return f"{d}°{int(rest)}'{int((rest - int(rest)) * 60)}\"{hemisphere}"

            return f"{dms(lat, 'NS')} {dms(lon, 'EW')}"
        if shape == 3 and self.rng.random() < 0.5:
            return f"https://maps.example.org/?q={lat:.5f},{lon:.5f}"
        return f"lat {lat:.5f}, long {lon:.5f}"

    def address(self, language: str) -> str:
        number = self.rng.randint(1, 240)
        _, last = self.person()
        shape = self.rng.randrange(7)
        if shape == 6:
            return f"Flat {self.rng.randint(1, 9)}B, {number} Ngong Road"
        if shape == 0 and language == "en":
            street = self.rng.choice(["Road", "Street", "Avenue", "Lane", "Close"])
            place = self.rng.choice(["Kilimani", "Moi", "Jogoo", "Kenyatta", "Station", "Market"])
            return f"{number} {place} {street}"
        if shape == 0:
            kind = self.rng.choice(["rue", "avenue", "boulevard", "allée", "impasse"])
            return f"{number} {kind} {self.rng.choice(['de la Paix', 'Cheikh Anta Diop', 'Mohammed V', 'des Martyrs', 'du Général de Gaulle', 'Lamine Guèye'])}"
        if shape == 1:
            return f"Rue {self.rng.randint(1, 40)} x {self.rng.randint(1, 40)}"
        if shape == 2:
            return f"House {number}, Street {self.rng.randint(1, 60)}, Sector G-{self.rng.randint(5, 11)}"
        if shape == 3:
            return f"villa n° {self.rng.randint(100, 9999)}"
        if shape == 4:
            return self.rng.choice(["P.O. Box ", "BP "]) + str(self.rng.randint(100, 99999))
        return f"{number}, rue {last}"

    # -------------------------------------------------------------- sentences

    def planted_sentence(self, w: _Writer, language: str) -> None:
        detector = self.rng.choice(DETECTORS)
        r = self.rng
        en = language == "en"
        if detector == "email":
            template = r.choice(
                [
                    "For follow-up, the mentor can be contacted at {x}.",
                    "He asked that replies go to {x} rather than to the office.",
                    "Her personal address, {x}, was copied in the group e-mail.",
                ]
                if en
                else [
                    "Pour le suivi, il est joignable à l'adresse {x}.",
                    "Elle a transmis son adresse personnelle ({x}) au facilitateur.",
                    "Les comptes rendus étaient envoyés à {x}.",
                ]
            )
            w.template(template, "email", self.email())
        elif detector == "phone":
            value, international = self.phone()
            cued = r.random() < 0.75 or not international
            if en:
                template = r.choice(
                    [
                        "He can be reached on WhatsApp at {x} in the evening.",
                        "Her mobile number is {x}.",
                        "The mentor called him on {x} twice a week.",
                        "Contact: {x} (ask for the family).",
                    ]
                    if cued
                    else [
                        "Messages from {x} were forwarded to the case worker.",
                        "The number {x} appeared in the group chat.",
                        "He kept {x} as an emergency contact on a paper slip.",
                    ]
                )
            else:
                template = r.choice(
                    [
                        "On peut le joindre au {x} après 18 h.",
                        "Son numéro de téléphone portable : {x}.",
                        "Le mentor l'appelait au {x} chaque semaine.",
                        "Tél. {x} (demander la famille).",
                    ]
                    if cued
                    else [
                        "Les messages venant du {x} étaient transmis au référent.",
                        "Le {x} figurait dans la liste de diffusion.",
                    ]
                )
            w.template(template, "phone", value)
        elif detector == "id_number":
            cue, value = self.id_number()
            template = (
                r.choice(["His {cue} was kept in the file.", "The form listed {cue} for her."])
                if en
                else r.choice(["Le dossier mentionnait {cue}.", "Il a présenté {cue} à l'entrée."])
            )
            w.template(template.replace("{cue}", cue), "id_number", value)
        elif detector == "date_of_birth":
            value = self.date(language)
            template = r.choice(
                [
                    "He was born on {x} in a village near the border.",
                    "The intake sheet gives her date of birth as {x}.",
                    "(DOB: {x}) was written on the referral form.",
                    "Born {x}, he joined the group at 15.",
                    "She was born in Garissa on {x} and left school at 14.",
                    "d.o.b. {x}; referred by the probation service.",
                    "Date of birth: {x}",
                ]
                if en
                else [
                    "Il est né le {x} dans un village proche de la frontière.",
                    "Née à Mopti le {x}, elle a rejoint le programme en 2020.",
                    "La fiche indique une date de naissance : {x}.",
                    "Le jeune, né le {x}, a été orienté par le juge.",
                    "Né(e) le {x} - orienté(e) par le service social.",
                    "DDN : {x}",
                ]
            )
            w.template(template, "date_of_birth", value)
        elif detector == "coordinates":
            template = r.choice(
                [
                    "The family lives at {x}, next to the well.",
                    "The meeting point was {x}.",
                    "GPS of the safe house: {x}.",
                ]
                if en
                else [
                    "La famille vit aux coordonnées {x}, près du puits.",
                    "Le point de rencontre était {x}.",
                    "Position du domicile : {x}.",
                ]
            )
            w.template(template, "coordinates", self.coordinates())
        elif detector == "address":
            template = r.choice(
                [
                    "After release he moved in with his uncle at {x}.",
                    "Home visits took place at {x}, Nairobi.",
                    "Her mother still lives at {x}.",
                ]
                if en
                else [
                    "À sa sortie, il s'est installé chez son oncle au {x}.",
                    "Les visites à domicile avaient lieu {x}, à Dakar.",
                    "Sa mère habite toujours {x}.",
                ]
            )
            w.template(template, "address", self.address(language))
        else:
            template = r.choice(
                [
                    "The returnee {x} told the team that the first weeks were the hardest.",
                    "{x}, {age}, a former fighter from the region, now runs a small shop.",
                    "According to the participant {x}, the sessions helped him talk to his father.",
                    "One beneficiary, {x}, asked for more support with housing.",
                    "Detainee {x} was transferred before the end of the course.",
                    "{x} is a defector who joined the programme in 2019.",
                    "We interviewed the inmate {x} twice.",
                    "{x} (not his real name), {age}, a returnee from Syria, now works as a mechanic.",
                    "Mr. {x} is a former combatant who now mentors younger men.",
                    "The participants {x} and {other} left the course early.",
                    "Among the respondents, {x} said that religion mattered less than work.",
                ]
                if en
                else [
                    "Le rapatrié {x} a expliqué que les premières semaines étaient les plus dures.",
                    "{x}, {age} ans, ancien combattant, tient aujourd'hui une boutique.",
                    "La bénéficiaire {x} souhaite ouvrir un commerce.",
                    "Selon le détenu {x}, les séances l'ont aidé à renouer avec sa famille.",
                    "Une participante, {x}, a témoigné devant le comité.",
                    "{x} est un repenti qui a rejoint le programme en 2019.",
                    "Le déserteur {x} a été accueilli par sa communauté.",
                    "{x} (nom modifié), {age} ans, rapatriée d'Irak, suit une formation.",
                    "Les détenus {x} et {other} ont été libérés en 2022.",
                    "Le stagiaire {x} a décroché un emploi.",
                ]
            )
            other = self.name()
            before_other = template.split("{other}")[0] if "{other}" in template else None
            w.template(
                template.split("{other}")[0] if before_other is not None else template,
                "participant_name",
                self.name(),
                age=str(r.randint(17, 45)),
            )
            if before_other is not None:
                w.plant("participant_name", other)
                w.add(template.split("{other}")[1])

    def lookalike_sentence(self, language: str) -> str:
        r = self.rng
        year = r.randint(2005, 2024)
        count = r.randint(11, 2400)
        pct = round(r.uniform(0.5, 95), r.randint(0, 1))
        amount = r.randint(10, 9000) * 1000
        first, last = self.person()
        en = language == "en"
        day = r.randint(1, 28)
        month_en = r.choice(["January", "March", "June", "September", "November"])
        month_fr = r.choice(["janvier", "mars", "juin", "septembre", "novembre"])
        grouped = f"{amount:,}"
        if en:
            options = [
                f"The programme had a budget of USD {grouped} over three years.",
                f"The total cost was {amount:,} FCFA".replace(",", " ")
                + ", of which 40% for mentoring.",
                f"Funding reached EUR {amount // 1000:,} thousand in {year}.",
                f"A cohort of {count} participants was enrolled between {year} and {year + 3}.",
                f"Recidivism was {pct}% at 24 months (n = {count}).",
                f"Under Law No. {year}-{r.randint(1, 60):02d} of {day} {month_en} {year}, returnees are screened.",
                f"Decree {year}-{r.randint(100, 1999)} of {day} {month_en} {year} created the centre.",
                f"See the evaluation report (Ref. UNDP/SEN/{year}/{r.randint(1, 9999):04d}), pp. {r.randint(10, 90)}-{r.randint(91, 200)}.",
                f"ISBN 978-2-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}-{r.randint(0, 9)} lists the toolkit.",
                f"The case file {year}/{r.randint(1000, 9999)}/KE was closed in {year + 1}.",
                f"Grant agreement No. {year}/{r.randint(100, 999)}-{r.randint(100, 999)} funded the pilot.",
                f"The effect size was d = 0.{r.randint(1000, 9999)}, 95% CI 0.{r.randint(10, 49)} to 0.{r.randint(50, 99)}.",
                f"Respondents scored {round(r.uniform(10, 90), 4)}, {round(r.uniform(10, 90), 4)} and {round(r.uniform(10, 90), 4)} on the three scales (p = 0.{r.randint(1, 49):03d}).",
                f"Minister {first} {last} opened the centre in {year}.",
                f"The evaluation was led by Dr {first} {last} for the ministry.",
                "Returnees from Somalia and Kenya took part in the dialogue sessions.",
                "In Mombasa, returnees reported stigma from neighbours.",
                f"The Beneficiary Selection Committee met {r.randint(3, 12)} times in {year}.",
                "Participants in Gao and Mopti asked for vocational training.",
                f"The programme was born on {day} {month_en} {year} from a partnership of NGOs.",
                f"On {day} {month_en} {year} the first cohort graduated.",
                f"Resolution {r.randint(1000, 2600)} ({year}) frames the approach.",
                f"The helpline answered {count:,} calls in {year}.",
                f"Chapter {r.randint(2, 9)} Street outreach describes the mobile teams.",
                f"The High Court ruled in {year} that detainees must see a lawyer.",
                f"The {year} Peace Road Map guides the reintegration strategy.",
                f"Temperatures of {r.randint(35, 47)}°C made outdoor sessions hard.",
                f"Page {r.randint(12, 300)} of the manual describes the referral pathway.",
                f"Employment at 12 months rose to {pct}% among the {count} completers.",
                f"Contract No. {r.randint(10, 99)}F-{year}-{r.randint(10000, 99999)} covered the evaluation.",
                f"A total of {r.randint(1, 9)} {r.randint(100, 999)} {r.randint(100, 999)} KES was disbursed.",
                f"Invoice {r.randint(10000000, 99999999)} was paid on {day}/{r.randint(1, 12):02d}/{year}.",
                f"DOI 10.1080/1057610X.{year}.{r.randint(1000000, 9999999)} reports the trial.",
                f"The defector programme of the Federal Government covers {count} people.",
                f"Participant Handbook ({year}), section {r.randint(1, 9)}.{r.randint(1, 9)}.",
                f"The registration number 07{r.randint(10000000, 99999999)} of the partner NGO is on file.",
                "Sessions ran from 09:00-17:00 on weekdays.",
                f"The {year}–{year + 4} strategy was adopted by the council.",
                "Returnees, Imams and Elders: A Dialogue was the title of the final report.",
                "The participants, Kenyan and Somali nationals, were aged 18 to 35.",
                f"A budget of {amount:,} was set aside for the second phase.".replace(",", " "),
                f"Between 12.03.{year} and 30.06.{year + 2} the team ran {r.randint(20, 90)} sessions.",
                "The hotline 116 and a toll-free number were advertised on local radio.",
                "The Defector Rehabilitation Programme (DRP) reported to the ministry.",
                f"Funding of ${r.randint(1, 9)}.{r.randint(1, 9)} million and {amount:,} euros came from donors.".replace(
                    ",", " "
                ),
                f"Well-being improved (mean {round(r.uniform(10, 40), 4)}, SD {round(r.uniform(1, 9), 4)}).",
                f"Mentors called participants {r.randint(2, 5)} times a week during the first {r.randint(2, 6)} months.",
            ]
        else:
            options = [
                f"Le programme disposait d'un budget de {amount:,} FCFA sur trois ans.".replace(
                    ",", " "
                ),
                f"Le coût total s'élève à {amount:,} francs CFA.".replace(",", " "),
                f"Une cohorte de {count} participants a été suivie de {year} à {year + 3}.",
                f"Le taux de récidive était de {str(pct).replace('.', ',')} % à 24 mois (n = {count}).",
                f"La loi n° {year}-{r.randint(1, 60):02d} du {day} {month_fr} {year} encadre la prise en charge des rapatriés.",
                f"Le décret n° {year}-{r.randint(100, 1999)} du {day} {month_fr} {year} crée le centre.",
                f"Voir le rapport d'évaluation (réf. PNUD/MLI/{year}/{r.randint(1, 9999):04d}), p. {r.randint(10, 200)}.",
                f"Le dossier n° {year}-{r.randint(1, 12):02d}-{r.randint(1000, 9999)} a été classé en {year + 1}.",
                f"Arrêté n° {r.randint(100, 9999)}/MJ/{year} du {day} {month_fr} {year}.",
                f"Le ministre {first} {last} a inauguré le centre en {year}.",
                f"L'évaluation a été dirigée par Mme {first} {last}.",
                "Les rapatriés de Syrie ont été accueillis à Niamey.",
                "À Diffa, les repentis demandent une formation professionnelle.",
                "Les bénéficiaires du Programme National de Réinsertion ont été consultés.",
                f"Le programme est né le {day} {month_fr} {year} d'un partenariat entre ONG.",
                f"Le {day} {month_fr} {year}, la première cohorte a terminé le cursus.",
                f"La ligne verte a reçu {count} appels en {year}.",
                f"ISBN 978-2-{r.randint(1000, 9999)}-{r.randint(1000, 9999)}-{r.randint(0, 9)}.",
                f"Le taux d'emploi à 12 mois atteint {str(pct).replace('.', ',')} %.",
                f"Convention de financement n° {year}/{r.randint(100, 999)}-{r.randint(100, 999)}.",
                f"Les scores moyens étaient de {str(round(r.uniform(10, 90), 2)).replace('.', ',')} et {str(round(r.uniform(10, 90), 2)).replace('.', ',')} (p = 0,{r.randint(1, 49):02d}).",
                f"Le tribunal de grande instance a statué en {year}.",
                f"NINEA {r.randint(1000000, 9999999)} 2G3 de l'association partenaire.",
                f"Facture n° {r.randint(10000000, 99999999)} réglée le {day}/{r.randint(1, 12):02d}/{year}.",
                f"Les {count} détenus ont suivi {r.randint(10, 60)} séances.",
                f"La participante type a entre {r.randint(18, 25)} et {r.randint(26, 40)} ans.",
                f"Le montant de {amount:,} XOF a été décaissé en {year}.".replace(",", "."),
                "Les bénéficiaires, État et collectivités locales ont signé la charte.",
                f"Entre le 12.03.{year} et le 30.06.{year + 2}, l'équipe a tenu {r.randint(20, 90)} séances.",
                f"Plan d'action {year}-{year + 4} du ministère de la Justice.",
                "Les rapatriés, imams et chefs coutumiers ont été consultés.",
                f"Selon le Rapport National {year}, les détenus attendent en moyenne {r.randint(6, 30)} mois.",
                "Le Centre de Déradicalisation de Mayo-Kebbi accueille les ex-combattants.",
                f"Les mentors appelaient les participants {r.randint(2, 5)} fois par semaine.",
                f"Le budget prévisionnel est de {amount:,} pour la phase 2.".replace(",", " "),
            ]
        return r.choice(options)

    # ---------------------------------------------------------------- samples

    def planted_sample(self, language: str) -> Sample:
        w = _Writer()
        for index in range(self.rng.randint(2, 5)):
            if index:
                w.add(" ")
            if self.rng.random() < 0.5:
                self.planted_sentence(w, language)
            else:
                w.add(self.lookalike_sentence(language))
        if not w.planted:
            w.add(" ")
            self.planted_sentence(w, language)
        return w.sample(language)

    def clean_sample(self, language: str) -> Sample:
        sentences = [self.lookalike_sentence(language) for _ in range(self.rng.randint(2, 5))]
        return Sample(" ".join(sentences), language, ())


def build_corpus(seed: int = 13, planted: int = 240, clean: int = 260) -> list[Sample]:
    """`planted` texts with identifiers and `clean` texts with look-alikes, half EN, half FR."""
    generator = _Generator(seed)
    samples = [generator.planted_sample(("en", "fr")[i % 2]) for i in range(planted)]
    samples += [generator.clean_sample(("en", "fr")[i % 2]) for i in range(clean)]
    return samples


@dataclass
class Score:
    """Counts for one detector: planted identifiers found/missed, findings right/wrong."""

    found: int = 0
    missed: int = 0
    correct: int = 0
    wrong: int = 0

    @property
    def recall(self) -> float:
        total = self.found + self.missed
        return self.found / total if total else 1.0

    @property
    def precision(self) -> float:
        total = self.correct + self.wrong
        return self.correct / total if total else 1.0


def evaluate(samples: list[Sample]) -> dict[str, Score]:
    """Per-detector scores of `api.safety.scan_text`, plus "all"; a hit must overlap its label."""
    from api.safety import scan_text

    scores = {name: Score() for name in (*DETECTORS, "all")}
    for sample in samples:
        hits = scan_text(sample.text)
        for planted in sample.planted:
            hit = any(
                d == planted.detector and s < planted.end and planted.start < e for d, s, e in hits
            )
            for name in (planted.detector, "all"):
                if hit:
                    scores[name].found += 1
                else:
                    scores[name].missed += 1
        for detector, start, end in hits:
            right = any(
                p.detector == detector and start < p.end and p.start < end for p in sample.planted
            )
            for name in (detector, "all"):
                if right:
                    scores[name].correct += 1
                else:
                    scores[name].wrong += 1
    return scores
