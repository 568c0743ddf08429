"""EU CTIS records: the ``/retrieve`` JSON (``authorizedApplication.authorizedPartI``...),
ctrdata's record of the portal before its 2024-06-17 relaunch (``authorizedPartI`` at the top,
``primarySponsor``, ``eudraCtInfo``), and the ``/search`` overview alone (``ctTitle``,
``sponsor``, ``conditions``, integer status codes). Where the overview's fields and the full
record's both say a thing, the full record is read first.

| CTIS field | kg |
| --- | --- |
| ``ctNumber`` | the registration (``trial/CTIS…``), its id, trial id CTIS without suffix |
| ``…clinicalTrialIdentifiers.publicTitle`` / ``fullTitle`` / ``shortTitle`` | ``schema:name`` / ``kg:officialTitle`` / ``kg:sponsorProtocolCode`` |
| ``sponsors[primary].organisation.name`` | ``kg:leadSponsor``; other sponsors ``kg:collaborator`` |
| ``sourceOfMonetarySupport[].organisationName`` | ``schema:funder`` |
| ``medicalConditions[]`` (``isConditionRareDisease``) | conditions, ``kg:rareDisease`` |
| ``meddraConditionTerms[]`` | MedDRA codes: of the condition a term names; a lowest-level or preferred term naming none, a condition of its own |
| ``therapeuticAreas`` | ``kg:therapeuticArea`` |
| ``products[]`` (``prodName``, ``activeSubstanceName``, ``atcCode``, ``evCode``, role) | interventions, ATC and EV codes, ``kg:productRole`` |
| ``trialPhase`` | ``kg:phase``, ``kg:registryPhase`` |
| ``ctPublicStatusCode`` / ``ctStatus`` | ``schema:status``, ``kg:registryStatus`` |
| ``totalNumberEnrolled`` | ``kg:enrollment`` |
| ``startDateEU``, ``trialDuration.estimatedEndDate``, submission, ``lastUpdated`` | start, completion, first submit, last update dates |
| ``memberStatesConcerned``, ``trialCountries``, ``trialSites`` | countries, sites |
| ``memberStatesConcerned[].firstDecisionDate``, ``decisionDate`` (``"DE:2023-11-17, GR:…"``), ``trialCountries`` | per member state (``kg:MemberStateDecision``): its first and latest decision dates and its status |
| ``eligibilityCriteria``, ``populationOfTrialSubjects``, ``ageGroup`` | eligibility, ``kg:ageGroup`` |
| ``endPoint.primaryEndPoints`` / ``secondaryEndPoints`` | outcomes |
| ``eudraCt`` / ``eudraCtInfo`` (a transitioned trial), ``secondaryIdentifyingNumbers`` | same-trial ids; ``associatedClinicalTrials`` ids only |
| ``results`` | ``kg:hasResults`` |
"""

from __future__ import annotations

import re

from kg.errors import RecordError
from kg.mapping.design import STUDY_TYPE
from kg.mapping.euctr import MEMBER_STATES
from kg.mapping.registration import Condition, Product, Registration, Stated, add_meddra
from kg.mapping.registry_values import (
    CTIS_STATUS_CODES,
    first_text,
    iso_date,
    listed,
    obj,
    phases_in,
    sex_term,
    status_term,
)
from kg.trial_ids import TrialId, eu_registration, found_ids
from kg.vocab import KG

PAGE = "https://euclinicaltrials.eu/search-for-clinical-trials/?lang=en&EUCT="


def ctis_key(record: dict, origin: str = "") -> tuple[TrialId, str]:
    number = record.get("ctNumber")
    found = eu_registration(number) if isinstance(number, str) else None
    if found is None or found[0].scheme != "CTIS":
        raise RecordError(f"no EU CT number ({number!r})", origin=origin, field="ctNumber")
    return found


def _dig(value: object, *keys: str) -> object:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def read_ctis(record: dict, origin: str = "") -> tuple[str, Registration]:
    trial_id, key = ctis_key(record, origin)
    application = obj(record.get("authorizedApplication"))
    part = obj(record.get("authorizedPartI")) or obj(application.get("authorizedPartI"))
    details = obj(part.get("trialDetails"))
    ids = obj(details.get("clinicalTrialIdentifiers"))
    info = obj(details.get("trialInformation"))
    reg = Registration("EU CTIS", record["ctNumber"], PAGE + record["ctNumber"], [trial_id],
                       version=f"CTIS record of {iso_date(record.get('lastUpdated'))}")
    reg.title = first_text(ids.get("publicTitle")) or first_text(record.get("ctTitle")) or \
        first_text(record.get("title")) or first_text(ids.get("fullTitle"))
    reg.official_title = first_text(ids.get("fullTitle"))
    short = first_text(ids.get("shortTitle")) or first_text(record.get("shortTitle"))
    reg.protocol_codes = [short] if short else []
    _parties(reg, record, part, info)
    _conditions(reg, record, part, info)
    _products(reg, record, part)
    _status(reg, record, application)
    _places(reg, record, application)
    _eligibility(reg, record, info)
    _identifiers(reg, record, application, ids, details)
    for point in listed(_dig(info, "endPoint", "primaryEndPoints")):
        if first_text(_dig(point, "endPoint")):
            reg.primary_outcomes.append((point["endPoint"].strip(), ""))
    for point in listed(_dig(info, "endPoint", "secondaryEndPoints")):
        if first_text(_dig(point, "endPoint")):
            reg.secondary_outcomes.append((point["endPoint"].strip(), ""))
    if not reg.primary_outcomes and first_text(record.get("primaryEndPoint")):
        reg.primary_outcomes.append((first_text(record["primaryEndPoint"]), ""))
    return key, reg


def _parties(reg: Registration, record: dict, part: dict, info: dict) -> None:
    sponsors = listed(part.get("sponsors"))
    primary = next((s for s in sponsors if isinstance(s, dict) and s.get("primary")), None) \
        or record.get("primarySponsor")
    reg.sponsor = first_text(_dig(primary, "organisation", "name")) or \
        first_text(record.get("sponsor"))
    reg.collaborators = [first_text(_dig(s, "organisation", "name")) for s in sponsors
                         if isinstance(s, dict) and s is not primary and not s.get("primary")]
    reg.collaborators += [first_text(_dig(s, "organisation", "name"))
                          for s in listed(record.get("coSponsors"))]
    reg.funders = [first_text(s.get("organisationName")) for s in
                   listed(info.get("sourceOfMonetarySupport")) if isinstance(s, dict)]


def _conditions(reg: Registration, record: dict, part: dict, info: dict) -> None:
    stated = listed(part.get("medicalConditions")) or \
        listed(_dig(info, "medicalCondition", "partIMedicalConditions"))
    for item in stated:
        name = first_text(_dig(item, "medicalCondition"))
        if name:
            rare = item.get("isConditionRareDisease")
            reg.conditions.append(Condition(name, rare=rare if isinstance(rare, bool) else None))
    if not reg.conditions:
        for name in first_text(record.get("conditions")).split(";"):
            if name.strip():
                reg.conditions.append(Condition(name.strip()))
    for term in listed(_dig(info, "medicalCondition", "meddraConditionTerms")):
        name, code = first_text(_dig(term, "termName")), first_text(_dig(term, "classificationCode"))
        if name and code:
            add_meddra(reg.conditions, name, code, first_text(_dig(term, "level")))
    areas = listed(record.get("therapeuticAreas")) or [
        _dig(a, "name") for a in listed(part.get("therapeuticAreas"))]
    for area in areas:
        text = first_text(area.get("name") if isinstance(area, dict) else area)
        reg.therapeutic_areas.extend(a.strip() for a in text.split(",  ") if a.strip())


def _products(reg: Registration, record: dict, part: dict) -> None:
    roles = {}
    for group in listed(part.get("productRoleGroupInfos")):
        for product in listed(_dig(group, "products")):
            if isinstance(product, dict):
                roles[str(product.get("id"))] = first_text(group.get("productRoleName"))
    for product in listed(part.get("products")):
        if not isinstance(product, dict):
            continue
        info = obj(product.get("productDictionaryInfo"))
        substance = first_text(info.get("activeSubstanceName"))
        name = first_text(product.get("productName")) or first_text(info.get("prodName")) or \
            substance or first_text(product.get("jsonActiveSubstanceNames"))
        if not name:
            continue
        role = roles.get(str(product.get("id")), "")
        others = [n for n in dict.fromkeys([substance.lower(), *(
            s.strip() for s in first_text(product.get("jsonActiveSubstanceNames")).split(","))])
                  if n and n.casefold() != name.casefold()]
        codes = []
        atc = first_text(info.get("atcCode"))
        if atc and atc != "-":
            codes.append(("ATC", atc))
        ev = first_text(product.get("evCode")) or first_text(info.get("euMpNumber"))
        if ev:
            codes.append(("EV", ev))
        substance_code = first_text(info.get("euSubstNumber"))
        if substance_code:
            codes.append(("EV", substance_code))
        kind = "DRUG" if role != "Placebo" else "OTHER"
        reg.products.append(Product(name, kind, others, codes, role))
    if not reg.products:
        for name in first_text(record.get("product")).split(","):
            if name.strip():
                reg.products.append(Product(name.strip()))


def _status(reg: Registration, record: dict, application: dict) -> None:
    code = record.get("ctPublicStatusCode")
    status = record.get("ctStatus")
    if not isinstance(code, int) and isinstance(status, int):
        code = status
    words = CTIS_STATUS_CODES.get(code) if isinstance(code, int) else \
        first_text(record.get("ctPublicStatus")) or first_text(status)
    reg.registry_status = words or ""
    reg.status = status_term(words)
    phase = first_text(record.get("trialPhase"))
    reg.registry_phase = phase
    reg.phases = phases_in(phase)
    reg.study_type = STUDY_TYPE.terms["INTERVENTIONAL"]  # every CTIS trial tests a medicine
    enrolled = first_text(record.get("totalNumberEnrolled"))
    reg.enrollment = int(enrolled) if enrolled.isdigit() else None
    submitted = first_text(record.get("submissionDate")) or first_text(
        _dig(next(iter(listed(application.get("applicationInfo"))), {}), "submissionDate"))
    dates = {KG.startDate: iso_date(first_text(record.get("startDateEU"))),
             KG.studyFirstSubmitDate: iso_date(submitted),
             KG.lastUpdatePostDate: iso_date(first_text(record.get("lastUpdated")))}
    reg.dates = {k: v for k, v in dates.items() if v}
    results = record.get("results")
    if isinstance(results, dict):
        reg.has_results = any(listed(v) for v in results.values())


_BY_STATE = re.compile(r"([A-Z]{2})\s*:\s*(.*?)(?=,\s*[A-Z]{2}\s*:|$)")


def _states(record: dict, states: list) -> list[dict]:
    """Each member state's decisions and status: the first decision date from
    ``memberStatesConcerned``, the latest from the overview's ``decisionDate``
    (``"DE:2023-11-17, GR:2023-10-24"``), the status from ``trialCountries``."""
    names = {code: name.title() for name, code in MEMBER_STATES.items()
             if name not in ("uk", "czech republic")}
    found: dict[str, dict] = {}
    for state in states:
        if not isinstance(state, dict):
            continue
        code = first_text(_dig(state, "organisationInfo", "memberStateCountryCode"))
        name = first_text(state.get("mscName") or state.get("countryName"))
        key = code or next((c for c, n in names.items() if n.casefold() == name.casefold()), name)
        found[key] = {"name": name or names.get(key, key),
                      "first": iso_date(first_text(state.get("firstDecisionDate")))}
    for code, date in _BY_STATE.findall(first_text(record.get("decisionDate"))):
        found.setdefault(code, {"name": names.get(code, code)})["latest"] = iso_date(date)
    countries = record.get("trialCountries")
    if isinstance(countries, str):
        for code, words in _BY_STATE.findall(countries):
            found.setdefault(code, {"name": names.get(code, code)})["status"] = words.strip()
    for item in listed(countries) if not isinstance(countries, str) else []:
        name, _, status = first_text(item).partition(":")
        code = next((c for c, n in names.items() if n.casefold() == name.strip().casefold()),
                    name.strip())
        words = CTIS_STATUS_CODES.get(int(status)) if status.strip().isdigit() else status
        found.setdefault(code, {"name": name.strip()})["status"] = (words or "").strip()
    return [dict(state, code=code) for code, state in sorted(found.items())]


def _places(reg: Registration, record: dict, application: dict) -> None:
    states = listed(record.get("memberStatesConcerned")) or \
        listed(application.get("memberStatesConcerned"))
    reg.member_states = _states(record, states)
    reg.countries = [first_text(s.get("mscName") or s.get("countryName")) for s in states
                     if isinstance(s, dict)]
    if not reg.countries:
        countries = record.get("trialCountries")
        items = listed(countries) if not isinstance(countries, str) else countries.split(",")
        reg.countries = [first_text(c).split(":")[0].strip() for c in items]
    parts = listed(record.get("authorizedPartsII")) or listed(application.get("authorizedPartsII"))
    for part in parts:
        country = first_text(_dig(part, "mscInfo", "countryName"))
        for site in listed(_dig(part, "trialSites")):
            info = obj(_dig(site, "organisationAddressInfo"))
            name = first_text(_dig(info, "organisation", "name"))
            if name:
                city = first_text(_dig(info, "address", "city"))
                reg.sites.append((name, city, country))


def _eligibility(reg: Registration, record: dict, info: dict) -> None:
    criteria = obj(info.get("eligibilityCriteria"))
    for key, target in (("principalInclusionCriteria", "inclusion"),
                        ("principalExclusionCriteria", "exclusion")):
        items = sorted((c for c in listed(criteria.get(key)) if isinstance(c, dict)),
                       key=lambda c: c.get("number") if isinstance(c.get("number"), int) else 0)
        lines = [f"{c.get('number')}. {first_text(c.get(key))}" for c in items
                 if first_text(c.get(key))]
        setattr(reg, target, "\n".join(lines))
    population = obj(info.get("populationOfTrialSubjects"))
    female, male = population.get("isFemaleSubjects"), population.get("isMaleSubjects")
    if isinstance(female, bool) and isinstance(male, bool):
        reg.sex = sex_term(female, male)
    else:
        gender = first_text(record.get("gender")).casefold()
        reg.sex = sex_term("female" in gender, "male" in gender.replace("female", ""))
    if first_text(record.get("ageGroup")):
        reg.facts.append((KG.ageGroup, first_text(record["ageGroup"])))


def _identifiers(reg: Registration, record: dict, application: dict, ids: dict,
                 details: dict) -> None:
    for where, value in (("authorizedApplication.eudraCt.eudraCtCode",
                          _dig(application, "eudraCt", "eudraCtCode")),
                         ("eudraCtInfo.eudraCtCode", _dig(record, "eudraCtInfo", "eudraCtCode"))):
        for trial_id in found_ids(first_text(value)):
            reg.stated.append(Stated(trial_id, where))
    numbers = obj(ids.get("secondaryIdentifyingNumbers"))
    path = "clinicalTrialIdentifiers.secondaryIdentifyingNumbers"
    for key, value in numbers.items():
        for item in listed(value):
            number = first_text(_dig(item, "number") if isinstance(item, dict) else item)
            for trial_id in found_ids(number):
                reg.stated.append(Stated(trial_id, f"{path}.{key}"))
    for trial in listed(details.get("associatedClinicalTrials")):
        for trial_id in found_ids(first_text(_dig(trial, "ctNumber"))):
            reg.stated.append(Stated(trial_id, "associatedClinicalTrials", same_trial=False))
