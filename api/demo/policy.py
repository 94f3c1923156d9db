"""Pure: the structured policy fields of a demo policy framework — jurisdiction,
level, impediment types, effect on civil society, status and source.

Drawn from a random stream of its own per entry (`(seed, index)`, salted), so the
demo entries' other fields (and their evidence) are exactly those of earlier
versions of the generator. Citations are synthetic and say so; no real law is
described."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

WORLD = "001"
_EFFECTS = ("restricts", "restricts", "requires_authorisation", "prohibits", "chilling_effect",
            "enables")  # fmt: skip
_STATUSES = ("in_force",) * 7 + ("repealed",) * 2 + ("proposed",)
_INSTRUMENTS = {
    "global": ("Security Council resolution", "Financial standards recommendation"),
    "regional": ("Regional convention", "Regional directive", "Regional sanctions regulation"),
    "national": ("Counter-Terrorism Act", "Charities and Associations Law",
                 "Financial Intelligence Regulation", "Returnees Decree",
                 "Data Protection and Security Act", "Travel Documents Order"),
    "local": ("Municipal by-law", "Provincial order", "District public-order ordinance"),
}  # fmt: skip
_EFFECT_TEXT = {
    "prohibits": "Any contact or service to members of listed groups is an offence, including "
    "mentoring of people who want to leave.",
    "restricts": "Work with people leaving listed groups is allowed only through approved "
    "programmes, with quarterly reporting of participants' numbers.",
    "requires_authorisation": "Organizations need a permit from the interior ministry before "
    "working in prisons, camps or with returnees.",
    "chilling_effect": "Lawful work continues, but banks and donors hesitate: transfers are "
    "delayed and small organizations withdraw.",
    "enables": "An exemption protects humanitarian and exit work with members of listed groups "
    "from prosecution.",
}


def _rng(seed: int, index: int) -> random.Random:
    digest = hashlib.blake2b(f"offramp-demo-policy:{seed}:{index}".encode(), digest_size=8)
    return random.Random(int.from_bytes(digest.digest(), "big"))


def demo_policy(
    seed: int,
    index: int,
    *,
    regions: Sequence[str],
    levels: Mapping[str, str],
    parents: Mapping[str, str],
    names: Mapping[str, str],
    impediment_types: Sequence[str],
    period_start: date,
    period_end: date,
) -> dict[str, Any]:
    """The `policy` field of the demo policy framework `(seed, index)`.

    A framework about several places is regional (its region, or the first
    country's sub-region) or, rarely, global; one about a single country is
    national, sometimes local. Dates follow the status: a proposal has no
    adoption date, only a repealed framework a repeal date."""
    rng = _rng(seed, index)
    countries = [c for c in regions if levels.get(c) == "country"]
    areas = [c for c in regions if levels.get(c) not in (None, "country")]
    first = countries[0] if countries else WORLD
    if len(regions) > 1 and rng.random() < 0.3:
        if rng.random() < 0.15:
            level, jurisdiction = "global", WORLD
        else:
            level, jurisdiction = "regional", areas[0] if areas else parents.get(first, WORLD)
            if jurisdiction == WORLD:
                level = "global"
    else:
        level, jurisdiction = ("local" if rng.random() < 0.2 else "national"), first
    types = rng.sample(list(impediment_types), rng.randint(1, 3))
    effect = "enables" if "humanitarian_exemption" in types else rng.choice(_EFFECTS)
    if effect == "enables" and "humanitarian_exemption" not in types:
        types.append("humanitarian_exemption")
    status = rng.choice(_STATUSES)
    year = period_start.year
    instrument = rng.choice(_INSTRUMENTS[level])
    source: dict[str, Any] = {
        "citation": f"{instrument} {year}, {names.get(jurisdiction, jurisdiction)} "
        "(synthetic demo citation, not a real text)",
        "url": f"https://example.org/demo/policy/{seed}-{index}",
        "adopted": None if status == "proposed" else period_start.isoformat(),
        "repealed": period_end.isoformat() if status == "repealed" else None,
    }
    return {
        "jurisdiction": jurisdiction,
        "level": level,
        "impediment_types": types,
        "effect": effect,
        "effect_text": _EFFECT_TEXT[effect],
        "status": status,
        "source": source,
    }
