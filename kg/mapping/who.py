"""Registrations of the WHO ICTRP's XML export (:mod:`kg.sources.who_xml`): one registration of
any of its source registers a ``<Trial>``, named by its ``TrialID`` (the register's own id:
``trial/EUCTR2012-003632-23-GB``, ``trial/ChiCTR2000029308``, ``trial/CTRI-2020-01-012345``),
so that the same registration read from its own register and from the WHO export is one node.

| ICTRP field | kg |
| --- | --- |
| ``TrialID``, ``Source_Register``, ``web_address`` | the registration, its id and register, ``schema:url`` |
| ``Public_title`` / ``Scientific_title`` / ``Acronym`` | ``schema:name`` / ``kg:officialTitle`` / ``schema:alternateName`` |
| ``Primary_sponsor`` / ``Secondary_Sponsor`` / ``Source_Support`` (``;``-joined) | ``kg:leadSponsor`` / ``kg:collaborator`` / ``schema:funder`` |
| ``Secondary_ID`` (``;``-joined), ``TrialID`` | same-trial ids; a secondary id of no registry's form is ``kg:sponsorProtocolCode`` |
| ``Condition``, ``Intervention`` (``;``-joined) | conditions, interventions |
| ``Study_type``, ``Phase`` | ``kg:studyType``, ``kg:phase``, ``kg:registryPhase`` |
| ``Recruitment_Status`` | ``schema:status``, ``kg:registryStatus`` |
| ``Target_size`` | ``kg:enrollment`` (estimated; its number, or the sum of its ``;``-joined groups) |
| ``Date_registration`` (day-first; ``Date_registration3`` YYYYMMDD), ``Date_enrollement``, ``Last_Refreshed_on`` | first submit, start and last update dates |
| ``Countries`` (``;``-joined) | countries |
| ``Inclusion_Criteria``, ``Exclusion_Criteria``, ``Inclusion_agemin``/``agemax``, ``Inclusion_gender`` | eligibility |
| ``Primary_outcome``, ``Secondary_outcome`` | outcomes |
| ``results_yes_no`` | ``kg:hasResults`` |
"""

from __future__ import annotations

import re

from kg.errors import RecordError
from kg.mapping.design import STUDY_TYPE
from kg.mapping.eligibility import SEX
from kg.mapping.registration import Condition, Product, Registration, Stated
from kg.mapping.registry_values import iso_date, phases_in, status_term
from kg.trial_ids import REGISTERS, TrialId, eu_registration, found_ids, is_placeholder, key
from kg.vocab import KG

PAGE = "https://trialsearch.who.int/Trial2.aspx?TrialID="
_YES_PHASE = re.compile(r"(?i)\(phase\s*(iv|iii|ii|i)\)\s*:\s*(yes|no)")
_NUMBER = re.compile(r"\d+")
_SCHEME = re.compile(r"[A-Za-z]*")
_AGE = re.compile(r"(?i)^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour)s?\b")


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def read_who(record: dict, origin: str = "") -> tuple[str, Registration]:
    registry_id = record.get("TrialID", "").strip()
    registration = key(registry_id)
    if registration is None:
        raise RecordError(f"a TrialID that names no registration ({registry_id!r})",
                          origin=origin, field="TrialID")
    own = found_ids(registry_id) or [TrialId(_SCHEME.match(registry_id).group(0), registry_id)]
    eu = eu_registration(registry_id) if registry_id.upper().startswith(("EUCTR", "CTIS")) else None
    if eu is not None:
        own, registration = [eu[0]], eu[1]
    url = record.get("web_address", "")
    reg = Registration(REGISTERS.get(own[0].scheme, "WHO ICTRP"), registry_id,
                       url if url.startswith(("https://", "http://")) else PAGE + registry_id,
                       own, version=f"WHO ICTRP export of {iso_date(record.get('Export_date'), True)}")
    reg.facts.append((KG.sourceRegister, record.get("Source_Register", "")))
    reg.title = record.get("Public_title", "") or record.get("Scientific_title", "")
    reg.official_title = record.get("Scientific_title", "")
    reg.acronym = record.get("Acronym", "")
    reg.sponsor = record.get("Primary_sponsor", "")
    reg.collaborators = _split(record.get("Secondary_Sponsor"))
    reg.funders = _split(record.get("Source_Support"))
    for secondary in _split(record.get("Secondary_ID")):
        found = found_ids(secondary)
        reg.stated.extend(Stated(t, "Secondary_ID") for t in found)
        if not found and not is_placeholder(secondary):
            reg.protocol_codes.append(secondary)
    reg.conditions = [Condition(c) for c in _split(record.get("Condition"))]
    reg.products = [Product(i, "OTHER") for i in _split(record.get("Intervention"))]
    _design(reg, record)
    return registration, reg


def _target_size(text: str) -> int | None:
    """The planned number: a number, or the sum of ``;``-joined groups ("Under 18: 35; F.1.2
    Adults: 3", as the EU CTR's registrations give it; the number after each colon)."""
    parts = _split(text)
    if parts and all(":" in part for part in parts):
        counts = [_NUMBER.match(part.rsplit(":", 1)[1].strip()) for part in parts]
        return sum(int(c.group(0)) for c in counts if c) if any(counts) else None
    found = _NUMBER.search(text)
    return int(found.group(0)) if found else None


def _design(reg: Registration, record: dict) -> None:
    kind = record.get("Study_type", "").casefold()
    reg.study_type = STUDY_TYPE.terms["OBSERVATIONAL"] if "observational" in kind else \
        STUDY_TYPE.terms["INTERVENTIONAL"] if "interventional" in kind else ""
    phase = record.get("Phase", "")
    reg.registry_phase = phase
    stated = _YES_PHASE.findall(phase)
    reg.phases = phases_in(" ".join(f"Phase {p}" for p, yes in stated if yes.lower() == "yes")) \
        if stated else phases_in(phase)
    status = record.get("Recruitment_Status", "")
    reg.registry_status, reg.status = status, status_term(status)
    size = _target_size(record.get("Target_size", ""))
    if size is not None:
        reg.enrollment, reg.enrollment_actual = size, False
    registered = record.get("Date_registration3") or record.get("Date_registration")
    dates = {KG.studyFirstSubmitDate: iso_date(registered),
             KG.startDate: iso_date(record.get("Date_enrollement")),
             KG.lastUpdatePostDate: iso_date(record.get("Last_Refreshed_on"))}
    reg.dates = {k: v for k, v in dates.items() if v}
    reg.countries = _split(record.get("Countries"))
    reg.inclusion = record.get("Inclusion_Criteria", "")
    reg.exclusion = record.get("Exclusion_Criteria", "")
    gender = record.get("Inclusion_gender", "").casefold()
    female, male = "female" in gender or "both" in gender or "all" in gender, \
        "male" in gender.replace("female", "") or "both" in gender or "all" in gender
    if female or male:
        reg.sex = SEX.terms["ALL" if female and male else "FEMALE" if female else "MALE"]
    for field, target in (("Inclusion_agemin", "minimum_age"), ("Inclusion_agemax", "maximum_age")):
        match = _AGE.match(record.get(field, ""))
        if match is not None:
            setattr(reg, target, f"{match.group(1)} {match.group(2).title()}s")
    reg.primary_outcomes = [(o, "") for o in _split(record.get("Primary_outcome"))]
    reg.secondary_outcomes = [(o, "") for o in _split(record.get("Secondary_outcome"))]
    answer = record.get("results_yes_no", "").casefold()
    if answer in ("yes", "no"):
        reg.has_results = answer == "yes"
