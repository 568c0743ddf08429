"""ISRCTN records: the API's XML read by :mod:`kg.sources.isrctn_xml` (``{"trial": …,
"sponsor": […], "funder": […]}``, attributes as ``@name``) and ctrdata's JSON of the same XML
(the ``<trial>`` element alone, attributes and parties dropped). One mapping reads both: a
field is read as "list or single value" and an element as "text or ``#text``".

| ISRCTN field | kg |
| --- | --- |
| ``isrctn`` (``@dateAssigned``), ``trial/@lastUpdated`` | the registration (``trial/ISRCTN…``), its id; first submit and last update dates |
| ``trialDescription.title`` / ``scientificTitle`` / ``acronym`` / ``plainEnglishSummary`` | ``schema:name`` / ``kg:officialTitle`` / ``schema:alternateName`` / ``schema:description`` |
| ``externalRefs`` (``eudraCTNumber``, ``clinicalTrialsGovNumber``, ``irasNumber``, ``secondaryNumbers``) | same-trial ids; ``protocolSerialNumber`` ``kg:sponsorProtocolCode`` |
| ``sponsor.organisation`` (``rorId``), ``funder.name`` (XML only) | ``kg:leadSponsor`` (``schema:sameAs`` its ROR id), ``schema:funder`` |
| ``conditions.condition`` (``description``, ``diseaseClass1``) | conditions, ``kg:therapeuticArea`` |
| ``interventions.intervention`` (``drugNames``, ``interventionType``, ``phase``) | interventions, ``kg:phase`` |
| ``trialDesign.primaryStudyDesign``, ``overallEndDate`` | ``kg:studyType``, completion date |
| ``participants.recruitmentStatusOverride`` | ``schema:status`` where stated (ISRCTN otherwise derives it from today's date, which a graph cannot) |
| ``targetEnrolment`` / ``totalFinalEnrolment`` | ``kg:enrollment``, estimated / actual |
| ``recruitmentStart``, ``recruitmentCountries``, ``trialCentres`` | start date, countries, sites |
| ``inclusion``, ``exclusion``, ``gender``, ``lowerAgeLimit``, ``upperAgeLimit``, ``healthyVolunteersAllowed``, ``ageRange`` | eligibility, ``kg:ageGroup`` |
| ``primaryOutcome``, ``secondaryOutcome`` | outcomes |
"""

from __future__ import annotations

from kg.errors import RecordError
from kg.mapping.design import STUDY_TYPE
from kg.mapping.eligibility import SEX
from kg.mapping.registration import Condition, Product, Registration, Stated
from kg.mapping.registry_values import first_text, iso_date, listed, obj, phases_in, status_term
from kg.trial_ids import found_ids, id_as
from kg.vocab import KG

PAGE = "https://www.isrctn.com/"
NOT_PROVIDED = "not provided at time of registration"
KINDS = {"drug": "DRUG", "biological/vaccine": "BIOLOGICAL", "device": "DEVICE",
         "supplement": "DIETARY_SUPPLEMENT", "procedure/surgery": "PROCEDURE",
         "behavioural": "BEHAVIORAL", "genetic": "GENETIC"}
SEXES = {"all": "ALL", "both": "ALL", "female": "FEMALE", "male": "MALE"}


def _get(value: object, *keys: str) -> object:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _text(value: object) -> str:
    text = first_text(value)
    return "" if text.casefold() in (NOT_PROVIDED, "nil known", "n/a") else text


def read_isrctn(record: dict, origin: str = "") -> tuple[str, Registration]:
    trial = record.get("trial") if isinstance(record.get("trial"), dict) else record
    trial_id = id_as("ISRCTN", first_text(trial.get("isrctn")))
    if trial_id is None:
        raise RecordError(f"no ISRCTN number ({trial.get('isrctn')!r})", origin=origin,
                          field="isrctn")
    key = trial_id.value
    reg = Registration("ISRCTN", key, PAGE + key, [trial_id])
    updated = iso_date(first_text(trial.get("@lastUpdated")))
    reg.version = f"ISRCTN record of {updated}" if updated else "ISRCTN record"
    description = obj(trial.get("trialDescription"))
    reg.title = _text(description.get("title")) or _text(description.get("scientificTitle"))
    reg.official_title = _text(description.get("scientificTitle"))
    reg.acronym = _text(description.get("acronym"))
    reg.summary = _text(description.get("plainEnglishSummary"))
    _identifiers(reg, obj(trial.get("externalRefs")))
    sponsors = [s for s in listed(record.get("sponsor")) if isinstance(s, dict)]
    names = [_text(s.get("organisation")) for s in sponsors]
    reg.sponsor = next((n for n in names if n), "")
    reg.collaborators = [n for n in names[1:] if n]
    reg.funders = [_text(f.get("name")) for f in listed(record.get("funder")) if isinstance(f, dict)]
    ror = next((first_text(s.get("rorId")) for s in sponsors if first_text(s.get("rorId"))), "")
    if ror.startswith("https://ror.org/") and reg.sponsor:
        reg.sponsor_ror = ror
    for condition in listed(_get(trial, "conditions", "condition")):
        name = _text(_get(condition, "description"))
        if name:
            reg.conditions.append(Condition(name))
        area = _text(_get(condition, "diseaseClass1"))
        if area and area not in reg.therapeutic_areas:
            reg.therapeutic_areas.append(area)
    _interventions(reg, trial)
    _participants(reg, trial, description)
    return key, reg


def _identifiers(reg: Registration, refs: dict) -> None:
    for field, scheme in (("eudraCTNumber", "EudraCT"), ("clinicalTrialsGovNumber", "NCT"),
                          ("irasNumber", "IRAS")):
        text = first_text(refs.get(field))
        trial_id = id_as(scheme, f"IRAS {text}" if scheme == "IRAS" and text.isdigit() else text)
        if trial_id is not None:
            reg.stated.append(Stated(trial_id, f"externalRefs.{field}"))
    for number in listed(_get(refs, "secondaryNumbers", "secondaryNumber")):
        kind = first_text(_get(number, "@numberType")).casefold()
        text = first_text(number)
        if kind == "iras" and text.isdigit():
            text = f"IRAS {text}"
        for trial_id in found_ids(text):
            reg.stated.append(Stated(trial_id, "externalRefs.secondaryNumbers"))
    serial = _text(refs.get("protocolSerialNumber"))
    if serial:
        reg.protocol_codes.append(serial)


def _interventions(reg: Registration, trial: dict) -> None:
    phases: list[str] = []
    for item in listed(_get(trial, "interventions", "intervention")):
        if not isinstance(item, dict):
            continue
        kind = KINDS.get(_text(item.get("interventionType")).casefold(), "OTHER")
        drugs = _text(item.get("drugNames"))
        description = _text(item.get("description"))
        names = [d.strip() for d in drugs.replace(";", ",").split(",") if d.strip()] \
            if drugs else []
        for name in names or ([description[:200]] if description and kind == "OTHER" else []):
            reg.products.append(Product(name, kind if names else "OTHER",
                                        description=description))
        phase = _text(item.get("phase"))
        if phase and phase not in phases:
            phases.append(phase)
    reg.registry_phase = ", ".join(phases)
    reg.phases = list(dict.fromkeys(p for text in phases for p in phases_in(text)))


def _participants(reg: Registration, trial: dict, description: dict) -> None:
    design = obj(trial.get("trialDesign"))
    kind = _text(design.get("primaryStudyDesign")).casefold()
    reg.study_type = STUDY_TYPE.terms.get(kind.upper(), "")
    people = obj(trial.get("participants"))
    status = _text(people.get("recruitmentStatusOverride"))
    reg.registry_status, reg.status = status, status_term(status)
    final, target = _text(people.get("totalFinalEnrolment")), _text(people.get("targetEnrolment"))
    if final.isdigit() and (int(final) or not target.isdigit()):
        reg.enrollment, reg.enrollment_actual = int(final), True
    elif target.isdigit():
        reg.enrollment, reg.enrollment_actual = int(target), False
    dates = {KG.startDate: people.get("recruitmentStart"),
             KG.completionDate: design.get("overallEndDate"),
             KG.studyFirstSubmitDate: _get(trial.get("isrctn"), "@dateAssigned"),
             KG.lastUpdatePostDate: trial.get("@lastUpdated")}
    reg.dates = {k: iso_date(first_text(v)) for k, v in dates.items() if iso_date(first_text(v))}
    reg.countries = [_text(c) for c in listed(_get(people, "recruitmentCountries", "country"))]
    for centre in listed(_get(people, "trialCentres", "trialCentre")):
        name = _text(_get(centre, "name"))
        if name:
            reg.sites.append((name, _text(_get(centre, "city")), _text(_get(centre, "country"))))
    reg.inclusion = _text(people.get("inclusion"))
    reg.exclusion = _text(people.get("exclusion"))
    sex = SEXES.get(_text(people.get("gender")).casefold())
    if sex:
        reg.sex = SEX.terms[sex]
    for field, target in (("lowerAgeLimit", "minimum_age"), ("upperAgeLimit", "maximum_age")):
        limit = _text(people.get(field))
        if limit and limit[:1].isdigit():
            setattr(reg, target, limit)
    healthy = _text(people.get("healthyVolunteersAllowed")).casefold()
    if healthy in ("true", "false"):
        reg.healthy_volunteers = healthy == "true"
    if _text(people.get("ageRange")):
        reg.facts.append((KG.ageGroup, _text(people["ageRange"])))
    for field, target in (("primaryOutcome", reg.primary_outcomes),
                          ("secondaryOutcome", reg.secondary_outcomes)):
        if _text(description.get(field)):
            target.append((_text(description[field]), ""))
