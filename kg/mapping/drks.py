"""DRKS records: the German Clinical Trials Register's own JSON export (schema 2.0.19),
bilingual: each description, condition and arm given per ``locale``. The English text is
read where it is given, else the German one (kg's literals carry no language tags, so one
text stands for a field; the register's page shows both).

| DRKS field | kg |
| --- | --- |
| ``drksId``, ``registrationDrks``, ``lastUpdate`` | the registration (``trial/DRKS…``); first submit and last update dates |
| ``trialDescriptions[].title`` / ``acronym`` / ``summary`` | ``schema:name`` / ``schema:alternateName`` / ``schema:description`` |
| ``secondaryIds`` (``eudraCtNumber``, ``universalTrialNumber``, ``otherPrimaryRegisterId``), ``otherSecondaryIds`` | same-trial ids |
| ``trialContacts[type PRIMARY_SPONSOR].contact.affiliation`` | ``kg:leadSponsor`` |
| ``materialSupports[].contact.affiliation`` | ``schema:funder`` |
| ``studiedHealthConditions[]`` (``catalog``, ``code``, descriptions) | conditions, their ICD-10 / free-text codes |
| ``observationalGroups[]`` (per arm and locale) | arms (``kg:ArmGroup``, "Arm 1"…, the arm's description) |
| ``studyCharacteristic`` (``type``, ``phase``, ``allocation``, ``purpose``) | ``kg:studyType``, ``kg:phase``, ``kg:allocation``, ``kg:primaryPurpose`` |
| ``recruitment.status`` | ``schema:status``, ``kg:registryStatus`` |
| ``recruitment`` (``plannedParticipants``/``totalParticipants``, dates, ``countries``, ``institutes``, criteria, ``gender``, ages, ``healthyVolunteers``) | enrolment, dates, countries, sites, eligibility |
| ``studyCharacteristic.characteristicDescriptions[].primaryOutcome`` / ``secondaryOutcome`` | outcomes |
| ``registrationType`` | ``kg:registrationType`` (prospective or retrospective) |
"""

from __future__ import annotations

from kg.errors import RecordError
from kg.mapping.design import ALLOCATION, PRIMARY_PURPOSE, STUDY_TYPE
from kg.mapping.eligibility import SEX
from kg.mapping.euctr import MEMBER_STATES
from kg.mapping.registration import Condition, Registration, Stated
from kg.mapping.registry_values import first_text, iso_date, listed, obj, phases_in, status_term
from kg.trial_ids import found_ids, id_as, is_placeholder
from kg.vocab import KG

PAGE = "https://drks.de/search/en/trial/"
TYPES = {"INTERVENTIONAL": "INTERVENTIONAL", "NON_INTERVENTIONAL": "OBSERVATIONAL"}
SEXES = {"ALL": "ALL", "FEMALE": "FEMALE", "MALE": "MALE"}
COUNTRIES = {code: name.title() for name, code in MEMBER_STATES.items()
             if name not in ("uk", "czechia")}
ALLOCATIONS = {"RANDOMIZED_CONTROLLED_TRIAL": "RANDOMIZED",
               "NON_RANDOMIZED_CONTROLLED_TRIAL": "NON_RANDOMIZED", "SINGLE_ARM_STUDY": "NA"}
# DRKS's purposes that are one of kg's (prognosis, pharmacogenetics... are none: kept in words)
PURPOSES = {"TREATMENT": "TREATMENT", "PREVENTION": "PREVENTION", "DIAGNOSTIC": "DIAGNOSTIC",
            "SUPPORTIVE_CARE": "SUPPORTIVE_CARE", "SCREENING": "SCREENING",
            "HEALTH_CARE_SYSTEM": "HEALTH_SERVICES_RESEARCH",
            "BASIC_RESEARCH_PHYSIOLOGICAL_STUDY": "BASIC_SCIENCE", "OTHER": "OTHER"}
UNITS = {"YEARS": "Years", "MONTHS": "Months", "WEEKS": "Weeks", "DAYS": "Days",
         "HOURS": "Hours"}


def _locale(items: object) -> dict:
    """The English one of a list of per-locale items, else the first."""
    found = [i for i in listed(items) if isinstance(i, dict)]
    english = [i for i in found if _dig(i, "idLocale", "locale") == "en"]
    return (english or found or [{}])[0]


def _dig(value: object, *keys: str) -> object:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def read_drks(record: dict, origin: str = "") -> tuple[str, Registration]:
    trial_id = id_as("DRKS", first_text(record.get("drksId")))
    if trial_id is None:
        raise RecordError(f"no DRKS id ({record.get('drksId')!r})", origin=origin, field="drksId")
    key = trial_id.value
    reg = Registration("DRKS", key, PAGE + key, [trial_id],
                       version=f"DRKS record of {first_text(record.get('lastUpdate'))}")
    text = _locale(record.get("trialDescriptions"))
    reg.title = first_text(text.get("title"))
    reg.acronym = first_text(text.get("acronym"))
    reg.summary = first_text(text.get("summary"))
    secondary = obj(record.get("secondaryIds"))
    for field in ("eudraCtNumber", "universalTrialNumber", "otherPrimaryRegisterId",
                  "eudamedNumber"):
        for found in found_ids(first_text(secondary.get(field))):
            reg.stated.append(Stated(found, f"secondaryIds.{field}"))
    for other in listed(record.get("otherSecondaryIds")):
        value = first_text(_dig(other, "id") or _dig(other, "value") or other)
        found = found_ids(value)
        for trial_id_found in found:
            reg.stated.append(Stated(trial_id_found, "otherSecondaryIds"))
        if value and not found and not is_placeholder(value):
            reg.protocol_codes.append(value)
    for contact in listed(record.get("trialContacts")):
        if _dig(contact, "idContactIdType", "type") == "PRIMARY_SPONSOR":
            reg.sponsor = reg.sponsor or first_text(_dig(contact, "contact", "affiliation"))
    reg.funders = [first_text(_dig(m, "contact", "affiliation"))
                   for m in listed(record.get("materialSupports"))]
    for condition in listed(record.get("studiedHealthConditions")):
        name = first_text(_locale(_dig(condition, "studiedHealthConditionDescriptions")).get(
            "comment"))
        if not name:
            continue
        code, catalog = first_text(_dig(condition, "code")), first_text(_dig(condition, "catalog"))
        reg.conditions.append(Condition(name, [(catalog, code, "")] if code and catalog else []))
    _design(reg, record)
    _recruitment(reg, record)
    return key, reg


def _design(reg: Registration, record: dict) -> None:
    character = obj(record.get("studyCharacteristic"))
    kind = TYPES.get(first_text(character.get("type")))
    reg.study_type = STUDY_TYPE.terms[kind] if kind else ""
    phase = first_text(character.get("phase"))
    reg.registry_phase = phase
    reg.phases = phases_in(phase.replace("PHASE_", "Phase ").replace("_", "/")) if phase else []
    allocation = ALLOCATIONS.get(first_text(character.get("allocation")))
    if allocation:
        reg.terms.append((KG.allocation, ALLOCATION.terms[allocation]))
    purpose = PURPOSES.get(first_text(character.get("purpose")))
    if purpose:
        reg.terms.append((KG.primaryPurpose, PRIMARY_PURPOSE.terms[purpose]))
    arms: dict[int, list[dict]] = {}
    for group in listed(record.get("observationalGroups")):
        number = _dig(group, "idArm", "arm")
        if isinstance(number, int) and first_text(_dig(group, "comment")):
            arms.setdefault(number, []).append(group)
    for number, texts in sorted(arms.items()):
        english = [g for g in texts if "en" in (_dig(g, "idArm", "locale"),
                                                _dig(g, "idArm", "locale", "locale"))]
        reg.arms.append({"title": f"Arm {number}", "type": "OTHER", "products": [],
                         "description": first_text((english or texts)[0].get("comment"))})
    descriptions = _locale(character.get("characteristicDescriptions"))
    for field, target in (("primaryOutcome", reg.primary_outcomes),
                          ("secondaryOutcome", reg.secondary_outcomes)):
        if first_text(descriptions.get(field)):
            target.append((first_text(descriptions[field]), ""))
    if first_text(record.get("registrationType")):
        reg.facts.append((KG.registrationType, first_text(record["registrationType"])))


def _recruitment(reg: Registration, record: dict) -> None:
    recruitment = obj(record.get("recruitment"))
    status = first_text(recruitment.get("status"))
    reg.registry_status, reg.status = status, status_term(status)
    total, planned = recruitment.get("totalParticipants"), recruitment.get("plannedParticipants")
    if isinstance(total, int):
        reg.enrollment, reg.enrollment_actual = total, True
    elif isinstance(planned, int):
        reg.enrollment, reg.enrollment_actual = planned, False
    dates = {KG.startDate: recruitment.get("actualStartDate") or recruitment.get(
        "scheduledStartDate"),
             KG.completionDate: recruitment.get("actualCompletionDate") or recruitment.get(
                 "scheduledCompletionDate"),
             KG.studyFirstSubmitDate: record.get("registrationDrks"),
             KG.lastUpdatePostDate: record.get("lastUpdate")}
    reg.dates = {k: iso_date(first_text(v)) for k, v in dates.items() if iso_date(first_text(v))}
    codes = [first_text(_dig(c, "idCountry", "code")) for c in listed(recruitment.get("countries"))]
    reg.countries = [COUNTRIES.get(code, code) for code in codes if code]
    for institute in listed(recruitment.get("institutes")):
        name = first_text(_dig(institute, "name"))
        if name:
            reg.sites.append((name, first_text(_dig(institute, "city")), ""))
    criteria = _locale(recruitment.get("recruitmentDescriptions"))
    reg.inclusion = first_text(criteria.get("inclusionCriteria"))
    reg.exclusion = first_text(criteria.get("exclusionCriteria"))
    sex = SEXES.get(first_text(recruitment.get("gender")))
    reg.sex = SEX.terms[sex] if sex else ""
    if isinstance(recruitment.get("healthyVolunteers"), bool):
        reg.healthy_volunteers = recruitment["healthyVolunteers"]
    for field, target in (("minimumAge", "minimum_age"), ("maximumAge", "maximum_age")):
        age = obj(recruitment.get(field))
        unit = UNITS.get(first_text(_dig(age, "unit")))
        if isinstance(age.get("amount"), (int, float)) and unit:
            setattr(reg, target, f"{age['amount']:g} {unit}")
