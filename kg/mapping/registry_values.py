"""Other registries' values read as kg's terms: phases written in words ("Therapeutic
exploratory (Phase II)", "Phase 2/Phase 3"), statuses, sex, dates written day-first. A value
no rule reads gets no term (the registry's own words are kept beside, ``kg:registryStatus``,
``kg:registryPhase``): a wrong term is worse than none."""

from __future__ import annotations

import re

from kg.mapping.design import PHASE
from kg.mapping.eligibility import SEX
from kg.vocab import SDO

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_PHASE = re.compile(r"(?i)\bphase\s*(?:(0)|(iv|iii|ii|i)\b|([1-4])(?![0-9]))"
                    r"(?:\s*(?:/|-|to|and|&)\s*(?:phase\s*)?(?:(iv|iii|ii|i)\b|([1-4])(?![0-9])))?")
PHASES = {n: PHASE.terms[v] for n, v in
          enumerate(("EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"))}



def phases_in(text: object) -> list[str]:
    """The phases a text names: "Phase II/III" -> [Phase2, Phase3]; "Phase 0" -> early
    phase 1 (the registries' exploratory phase 0 is CT.gov's early phase 1);
    "Not applicable" -> the not-applicable phase."""
    if not isinstance(text, str):
        return []
    if re.fullmatch(r"(?i)\s*(?:n/?a|not\s+applicable)\s*", text):
        return [PHASE.terms["NA"]]
    found: dict[str, None] = {}
    for match in _PHASE.finditer(text):
        zero, roman, digit, roman2, digit2 = match.groups()
        first = 0 if zero else _ROMAN[roman.lower()] if roman else int(digit)
        found[PHASES[first]] = None
        if roman2 or digit2:
            found[PHASES[_ROMAN[roman2.lower()] if roman2 else int(digit2)]] = None
    return list(found)


# Each registry's status words (case folded) -> kg's status; a word not here gets none: EU
# CTR's "Ongoing" says nothing of recruitment, CTIS's "Ended" not whether as planned, the WHO's
# "Not recruiting" not whether the trial still runs, so none is read as one of
# ClinicalTrials.gov's statuses (kg:registryStatus keeps them).
STATUS_WORDS = {
    # CTIS overall trial statuses (the portal's words; its overview codes are read to these)
    "under evaluation": SDO.NotYetRecruiting,
    "authorised, recruitment pending": SDO.NotYetRecruiting,
    "authorised, not started": SDO.NotYetRecruiting,
    "ongoing, not yet recruiting": SDO.NotYetRecruiting,
    "authorised, recruiting": SDO.Recruiting,
    "ongoing, recruiting": SDO.Recruiting,
    "ongoing, recruitment ended": SDO.ActiveNotRecruiting,
    "temporarily halted": SDO.Suspended,
    "suspended": SDO.Suspended,
    "revoked": SDO.Terminated,
    "cancelled": SDO.Withdrawn,
    # EU CTR trial statuses
    "completed": SDO.Completed,
    "prematurely ended": SDO.Terminated,
    "suspended by ca": SDO.Suspended,
    # ISRCTN (its overall status, as the registry states it) and DRKS
    "stopped": SDO.Terminated,
    "recruiting": SDO.Recruiting,
    "not yet recruiting": SDO.NotYetRecruiting,
    "recruiting_planned": SDO.NotYetRecruiting,
    "recruiting_ongoing": SDO.Recruiting,
    "recruiting_stopped_after_recruiting_started": SDO.Terminated,
    "recruiting_stopped_before_recruiting_started": SDO.Withdrawn,
    "recruiting_suspended": SDO.Suspended,
    "recruiting_complete": SDO.ActiveNotRecruiting,
    "recruiting_complete_study_complete": SDO.Completed,
    "recruiting_complete_follow_up_complete": SDO.Completed,
    "recruiting_complete_follow_up_continuing": SDO.ActiveNotRecruiting,
    "active, not recruiting": SDO.ActiveNotRecruiting,
    "terminated": SDO.Terminated,
    "withdrawn": SDO.Withdrawn,
    "enrolling by invitation": SDO.EnrollingByInvitation,
    # DRKS recruitment statuses
    "pending": SDO.NotYetRecruiting,
    "invite_only": SDO.EnrollingByInvitation,
    "complete_follow_up_continuing": SDO.ActiveNotRecruiting,
    "complete_follow_up_complete": SDO.Completed,
    "discontiniued": SDO.Terminated,  # sic, as DRKS's schema spells it
    "discontinued": SDO.Terminated,
}
# CTIS's overview codes (``ctStatus``, ``ctPublicStatusCode``) as the portal labels them.
CTIS_STATUS_CODES = {
    1: "Under evaluation", 2: "Authorised, recruitment pending", 3: "Authorised, recruiting",
    4: "Ongoing, recruiting", 5: "Ongoing, recruitment ended", 6: "Temporarily halted",
    7: "Suspended", 8: "Ended", 9: "Expired", 10: "Revoked", 11: "Not authorised",
    12: "Cancelled",
}


def status_term(words: object) -> str:
    return STATUS_WORDS.get(words.strip().casefold(), "") if isinstance(words, str) else ""


def sex_term(female: bool, male: bool) -> str:
    return SEX.terms["ALL"] if female and male else SEX.terms["FEMALE"] if female else \
        SEX.terms["MALE"] if male else ""


_DAY_FIRST = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")


def iso_date(value: object, month_first: bool = False) -> str:
    """``2012-10-08``, ``08/10/2012`` (day first, as EU registries and the WHO write it),
    ``20121008``, or a timestamp's date, as ISO 8601; "" for anything else."""
    if not isinstance(value, str):
        return ""
    if (match := _ISO.match(value)) is not None:
        year, month, day = match.groups()
        return f"{year}-{month}" + (f"-{day}" if day else "")
    if (match := _COMPACT.match(value)) is not None:
        return "-".join(match.groups())
    if (match := _DAY_FIRST.match(value)) is not None:
        first, second, year = match.groups()
        day, month = (second, first) if month_first else (first, second)
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return f"{year}-{int(month):02d}-{int(day):02d}"
    return ""


def listed(value: object) -> list:
    """A ctrdata list-valued field as a list: a one-item list is often the bare item, an
    empty one ``{}`` or ``""``."""
    if value is None or value == "" or value == {}:
        return []
    return value if isinstance(value, list) else [value]


def obj(value: object) -> dict:
    """A field that should hold an object, or an empty one where it holds anything else."""
    return value if isinstance(value, dict) else {}


def first_text(value: object) -> str:
    """The text of a field that may be a string, an element with ``#text``, or a list."""
    if isinstance(value, list):
        return next((t for t in (first_text(v) for v in value) if t), "")
    if isinstance(value, dict):
        value = value.get("#text", "")
    return value.strip() if isinstance(value, str) else ""
