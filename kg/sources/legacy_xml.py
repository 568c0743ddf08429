"""The retired ``<clinical_study>`` XML (AllPublicXML), read into the API v2 record shape.

Old archives then export through the same mapping as current records. The reader translates
the legacy spellings (``Phase 1/Phase 2``, ``Active, not recruiting``, ``U.S. Fed``,
``Anticipated``), prose dates (``March 2016``, ``August 24, 1981``) and ``N/A`` ages, and fills
what v2 derives from what the XML says (an arm's ``Type: Name`` intervention list, the standard
age groups). What the XML does not carry (MeSH descriptor ids, registry classes of the
registering organisation) is left out, never guessed.
"""

from __future__ import annotations

import re
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from kg.dates import MONTHS, age_in_years, date_from_parts
from kg.errors import RecordError
from kg.sources.units import SourceItem

_PROSE_DATE = re.compile(r"^([A-Z][a-z]+)(?:\s+([0-9]{1,2}),)?\s+([0-9]{4})$")

# Legacy spellings whose upper-cased form is not the v2 value.
SPELLINGS = {
    "UNKNOWN_STATUS": "UNKNOWN", "N_A": "NA", "U_S_FED": "FED", "NONE_OPEN_LABEL": "NONE",
    "ANTICIPATED": "ESTIMATED", "ESTIMATE": "ESTIMATED", "PHASE_1": "PHASE1",
    "PHASE_2": "PHASE2", "PHASE_3": "PHASE3", "PHASE_4": "PHASE4", "EARLY_PHASE_1": "EARLY_PHASE1",
    "SINGLE_GROUP_ASSIGNMENT": "SINGLE_GROUP", "PARALLEL_ASSIGNMENT": "PARALLEL",
    "CROSSOVER_ASSIGNMENT": "CROSSOVER", "FACTORIAL_ASSIGNMENT": "FACTORIAL",
    "SEQUENTIAL_ASSIGNMENT": "SEQUENTIAL", "OUTCOMES_ASSESSOR": "OUTCOMES_ASSESSOR",
    "STATISTICAL_ANALYSIS_PLAN_SAP": "SAP", "INFORMED_CONSENT_FORM_ICF": "ICF",
    "CLINICAL_STUDY_REPORT_CSR": "CSR", "OTHER_PRE_SPECIFIED": "OTHER_PRE_SPECIFIED",
}


def enum(text: str | None) -> str | None:
    """``Active, not recruiting`` -> ``ACTIVE_NOT_RECRUITING``."""
    if not text or not text.strip():
        return None
    value = re.sub(r"[^A-Z0-9]+", "_", text.strip().upper()).strip("_")
    return SPELLINGS.get(value, value)


def prose_date(text: str | None) -> str | None:
    """``March 2016`` -> ``2016-03``; ``August 24, 1981`` -> ``1981-08-24``; else None."""
    match = _PROSE_DATE.fullmatch((text or "").strip())
    if not match or match.group(1) not in MONTHS:
        return None
    return date_from_parts(match.group(3), match.group(1), match.group(2))


def _text(element: ET.Element | None, path: str | None = None) -> str | None:
    node = element.find(path) if (element is not None and path) else element
    if node is None or node.text is None or not node.text.strip():
        return None
    return node.text.strip()


def _block(element: ET.Element, path: str) -> str | None:
    """A ``<textblock>`` as v2 gives text: the XML's hard line wraps undone, one paragraph per
    blank-line-separated block."""
    node = element.find(path)
    if node is None or not (node.text or "").strip():
        return None
    text = textwrap.dedent(node.text.strip("\n"))
    paragraphs = [" ".join(line.strip() for line in block.splitlines() if line.strip())
                  for block in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def _date_struct(element: ET.Element, path: str) -> dict | None:
    node = element.find(path)
    date = prose_date(node.text if node is not None else None)
    if date is None:
        return None
    kind = enum(node.get("type"))
    return {"date": date, **({"type": kind} if kind else {})}


def _yes_no(text: str | None) -> bool | None:
    return {"Yes": True, "No": False}.get((text or "").strip())


def _age(text: str | None) -> str | None:
    return None if not text or text.strip() in ("N/A", "") else text.strip()


def _count(text: str | None) -> int | str | None:
    """An enrollment count: an int where it is ASCII digits, else the text (the mapping then
    reports it), never an exception (``isdigit`` accepts ``²``, which ``int`` refuses)."""
    if text is None:
        return None
    return int(text) if re.fullmatch(r"[0-9]+", text.strip()) else text


def standard_ages(minimum: str | None, maximum: str | None) -> list[str]:
    """The registry's age groups a range overlaps: child < 18, adult 18-64, older adult 65+."""
    def years(age: str | None, default: float) -> float:
        found = age_in_years(age)  # an age the registry's shape does not fit bounds nothing
        return default if found is None else found

    low, high = years(minimum, 0), years(maximum, 200)
    groups = [("CHILD", 0, 17.999), ("ADULT", 18, 64.999), ("OLDER_ADULT", 65, 200)]
    return [name for name, start, end in groups if low <= end and high >= start]


def _drop_empty(value):
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [v for v in (_drop_empty(v) for v in value) if v not in (None, [], {}, "")]
    return value


def _interventions(r: ET.Element) -> list[dict]:
    return [{
        "type": enum(_text(i, "intervention_type")),
        "name": _text(i, "intervention_name"),
        "description": _block(i, "description") or _text(i, "description"),
        "armGroupLabels": [_text(a) for a in i.findall("arm_group_label")],
        "otherNames": [_text(o) for o in i.findall("other_name")],
    } for i in r.findall("intervention")]


def _contact(node: ET.Element, role: str = "CONTACT") -> dict:
    return {"name": _text(node, "last_name"), "role": role, "phone": _text(node, "phone"),
            "phoneExt": _text(node, "phone_ext"), "email": _text(node, "email")}


def _identification(r: ET.Element) -> dict:
    """``identificationModule`` of a legacy record."""
    return {
        "nctId": _text(r, "id_info/nct_id"),
        "nctIdAliases": [_text(a) for a in r.findall("id_info/nct_alias")],
        "orgStudyIdInfo": {"id": _text(r, "id_info/org_study_id")},
        "secondaryIdInfos": [{"id": _text(s)} for s in r.findall("id_info/secondary_id")],
        "briefTitle": _text(r, "brief_title"),
        "officialTitle": _text(r, "official_title"),
        "acronym": _text(r, "acronym"),
        "organization": {"fullName": _text(r, "source")},
    }


def _status(r: ET.Element) -> dict:
    """``statusModule`` of a legacy record."""
    return {
        "statusVerifiedDate": prose_date(_text(r, "verification_date")),
        "overallStatus": enum(_text(r, "overall_status")),
        "lastKnownStatus": enum(_text(r, "last_known_status")),
        "whyStopped": _text(r, "why_stopped"),
        "expandedAccessInfo": {"hasExpandedAccess": _yes_no(_text(r, "has_expanded_access"))},
        "startDateStruct": _date_struct(r, "start_date"),
        "primaryCompletionDateStruct": _date_struct(r, "primary_completion_date"),
        "completionDateStruct": _date_struct(r, "completion_date"),
        "studyFirstSubmitDate": prose_date(_text(r, "study_first_submitted")),
        "studyFirstSubmitQcDate": prose_date(_text(r, "study_first_submitted_qc")),
        "studyFirstPostDateStruct": _date_struct(r, "study_first_posted"),
        "resultsFirstSubmitDate": prose_date(_text(r, "results_first_submitted")),
        "resultsFirstSubmitQcDate": prose_date(_text(r, "results_first_submitted_qc")),
        "resultsFirstPostDateStruct": _date_struct(r, "results_first_posted"),
        "lastUpdateSubmitDate": prose_date(_text(r, "last_update_submitted")),
        "lastUpdatePostDateStruct": _date_struct(r, "last_update_posted"),
    }


def _sponsors(r: ET.Element) -> dict:
    """``sponsorCollaboratorsModule`` of a legacy record."""
    responsible = r.find("responsible_party")
    return {
        "leadSponsor": {"name": _text(r, "sponsors/lead_sponsor/agency"),
                        "class": enum(_text(r, "sponsors/lead_sponsor/agency_class"))},
        "collaborators": [{"name": _text(c, "agency"), "class": enum(_text(c, "agency_class"))}
                          for c in r.findall("sponsors/collaborator")],
        "responsibleParty": {} if responsible is None else {
            "type": enum(_text(responsible, "responsible_party_type")),
            "investigatorFullName": _text(responsible, "investigator_full_name"),
            "investigatorTitle": _text(responsible, "investigator_title"),
            "investigatorAffiliation": _text(responsible, "investigator_affiliation"),
            "oldNameTitle": _text(responsible, "name_title"),
            "oldOrganization": _text(responsible, "organization"),
        },
    }


def _oversight(r: ET.Element) -> dict:
    """``oversightModule`` of a legacy record."""
    return {
        "oversightHasDmc": _yes_no(_text(r, "oversight_info/has_dmc")),
        "isFdaRegulatedDrug": _yes_no(_text(r, "oversight_info/is_fda_regulated_drug")),
        "isFdaRegulatedDevice": _yes_no(_text(r, "oversight_info/is_fda_regulated_device")),
        "isUnapprovedDevice": _yes_no(_text(r, "oversight_info/is_unapproved_device")),
        "isPpsd": _yes_no(_text(r, "oversight_info/is_ppsd")),
        "isUsExport": _yes_no(_text(r, "oversight_info/is_us_export")),
    }


def _description(r: ET.Element) -> dict:
    """``descriptionModule`` of a legacy record."""
    return {
        "briefSummary": _block(r, "brief_summary/textblock"),
        "detailedDescription": _block(r, "detailed_description/textblock"),
    }


def _conditions(r: ET.Element) -> dict:
    """``conditionsModule`` of a legacy record."""
    return {
        "conditions": [_text(c) for c in r.findall("condition")],
        "keywords": [_text(k) for k in r.findall("keyword")],
    }


def _design(r: ET.Element) -> dict:
    """``designModule`` of a legacy record."""
    study_type = _text(r, "study_type") or ""
    masking_text = _text(r, "study_design_info/masking") or ""
    who = re.search(r"\((.*)\)", masking_text) if not masking_text.startswith("None") else None
    phase = _text(r, "phase")
    return {
        "studyType": {"INTERVENTIONAL": "INTERVENTIONAL", "OBSERVATIONAL": "OBSERVATIONAL",
                      "OBSERVATIONAL_PATIENT_REGISTRY": "OBSERVATIONAL",
                      "EXPANDED_ACCESS": "EXPANDED_ACCESS"}.get(enum(study_type) or ""),
        "patientRegistry": True if "Patient Registry" in study_type else None,
        "phases": [enum(p) for p in phase.split("/")] if phase and phase != "N/A"
        else (["NA"] if phase else []),
        "designInfo": {
            "allocation": enum(_text(r, "study_design_info/allocation")),
            "interventionModel": enum(_text(r, "study_design_info/intervention_model")),
            "interventionModelDescription": _text(
                r, "study_design_info/intervention_model_description"),
            "primaryPurpose": enum(_text(r, "study_design_info/primary_purpose")),
            "observationalModel": enum(_text(r, "study_design_info/observational_model")),
            "timePerspective": enum(_text(r, "study_design_info/time_perspective")),
            "maskingInfo": {
                "masking": enum(masking_text.split("(")[0]),
                "maskingDescription": _text(r, "study_design_info/masking_description"),
                "whoMasked": [enum(w) for w in who.group(1).split(",")] if who else [],
            },
        },
        "bioSpec": {"retention": enum(_text(r, "biospec_retention")),
                    "description": _block(r, "biospec_descr/textblock")},
        "enrollmentInfo": {
            "count": _count(_text(r, "enrollment")),
            "type": enum(r.find("enrollment").get("type") if r.find("enrollment")
                          is not None else None),
        },
        "targetDuration": _text(r, "target_duration"),
    }


def _arms_interventions(r: ET.Element) -> dict:
    """``armsInterventionsModule`` of a legacy record."""
    interventions = _interventions(r)

    def arm_interventions(label: str | None) -> list[str]:
        return [f"{i['type'].replace('_', ' ').title()}: {i['name']}" for i in interventions
                if label in i["armGroupLabels"] and i["type"] and i["name"]]

    return {
        "armGroups": [{
            "label": _text(a, "arm_group_label"),
            "type": enum(_text(a, "arm_group_type")),
            "description": _block(a, "description") or _text(a, "description"),
            "interventionNames": arm_interventions(_text(a, "arm_group_label")),
        } for a in r.findall("arm_group")],
        "interventions": interventions,
    }


def _outcomes(r: ET.Element) -> dict:
    """``outcomesModule`` of a legacy record."""
    return {
        f"{kind}Outcomes": [{"measure": _text(o, "measure"),
                             "description": _text(o, "description"),
                             "timeFrame": _text(o, "time_frame")}
                            for o in r.findall(f"{kind}_outcome")]
        for kind in ("primary", "secondary", "other")
    }


def _eligibility(r: ET.Element) -> dict:
    """``eligibilityModule`` of a legacy record."""
    minimum, maximum = _age(_text(r, "eligibility/minimum_age")), \
        _age(_text(r, "eligibility/maximum_age"))
    return {
        "eligibilityCriteria": _block(r, "eligibility/criteria/textblock"),
        "healthyVolunteers": {"No": False, "Accepts Healthy Volunteers": True}.get(
            _text(r, "eligibility/healthy_volunteers") or ""),
        "sex": enum(_text(r, "eligibility/gender")),
        "genderBased": _yes_no(_text(r, "eligibility/gender_based")),
        "genderDescription": _text(r, "eligibility/gender_description"),
        "minimumAge": minimum,
        "maximumAge": maximum,
        "stdAges": standard_ages(minimum, maximum) if r.find("eligibility") is not None
        else [],
        "studyPopulation": _block(r, "eligibility/study_pop/textblock"),
        "samplingMethod": enum(_text(r, "eligibility/sampling_method")),
    }


def _contacts_locations(r: ET.Element) -> dict:
    """``contactsLocationsModule`` of a legacy record."""
    return {
        "centralContacts": [_contact(c) for c in
                            r.findall("overall_contact") + r.findall("overall_contact_backup")],
        "overallOfficials": [{"name": _text(o, "last_name"),
                              "affiliation": _text(o, "affiliation"),
                              "role": enum(_text(o, "role"))}
                             for o in r.findall("overall_official")],
        "locations": [{
            "facility": _text(loc, "facility/name"),
            "status": enum(_text(loc, "status")),
            "city": _text(loc, "facility/address/city"),
            "state": _text(loc, "facility/address/state"),
            "zip": _text(loc, "facility/address/zip"),
            "country": _text(loc, "facility/address/country"),
            "contacts": [_contact(c) for c in loc.findall("contact") + loc.findall("contact_backup")]
            + [_contact(i, enum(_text(i, "role")) or "CONTACT") for i in loc.findall("investigator")],
        } for loc in r.findall("location")],
    }


def _references(r: ET.Element) -> dict:
    """``referencesModule`` of a legacy record."""
    return {
        "references": [{"pmid": _text(ref, "PMID"), "type": kind,
                        "citation": _text(ref, "citation")}
                       for tag, kind in (("reference", "BACKGROUND"),
                                         ("results_reference", "RESULT"))
                       for ref in r.findall(tag)],
        "seeAlsoLinks": [{"label": _text(link, "description"), "url": _text(link, "url")}
                         for link in r.findall("link")],
    }


def _ipd_sharing(r: ET.Element) -> dict:
    """``ipdSharingStatementModule`` of a legacy record."""
    return {
        "ipdSharing": enum(_text(r, "patient_data/sharing_ipd")),
        "description": _text(r, "patient_data/ipd_description"),
        "infoTypes": [enum(_text(i)) for i in r.findall("patient_data/ipd_info_type")],
        "timeFrame": _text(r, "patient_data/ipd_time_frame"),
        "accessCriteria": _text(r, "patient_data/ipd_access_criteria"),
        "url": _text(r, "patient_data/ipd_url"),
    }


# The record's modules in the API v2 order, each read by the function named for it.
MODULES = (
    ("identificationModule", _identification),
    ("statusModule", _status),
    ("sponsorCollaboratorsModule", _sponsors),
    ("oversightModule", _oversight),
    ("descriptionModule", _description),
    ("conditionsModule", _conditions),
    ("designModule", _design),
    ("armsInterventionsModule", _arms_interventions),
    ("outcomesModule", _outcomes),
    ("eligibilityModule", _eligibility),
    ("contactsLocationsModule", _contacts_locations),
    ("referencesModule", _references),
    ("ipdSharingStatementModule", _ipd_sharing),
)


def record_from_xml(root: ET.Element) -> dict:
    """One ``<clinical_study>`` as an API v2 study dict: the table of contents of the reader."""
    record = {"protocolSection": {name: read(root) for name, read in MODULES},
              "hasResults": root.find("clinical_results") is not None}
    return _drop_empty(record)


def legacy_items(origin: str, data: bytes) -> Iterator[SourceItem]:
    """The study of one legacy XML file, or a RecordError saying why there is none."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        yield SourceItem(origin, None, RecordError(f"not well-formed XML ({exc})", origin=origin))
        return
    if root.tag != "clinical_study":
        yield SourceItem(origin, None, RecordError(
            f"not a <clinical_study> document (root <{root.tag}>)", origin=origin))
        return
    try:
        record = record_from_xml(root)
    except Exception as exc:  # one odd record must not end the run for the others
        nct_id = (_text(root, "id_info/nct_id") or "").strip()
        yield SourceItem(origin, None, RecordError(
            f"cannot read the legacy record ({type(exc).__name__}: {exc})", origin=origin,
            nct_id=nct_id))
        return
    yield SourceItem(origin, record)

