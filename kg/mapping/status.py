"""statusModule: overall and last known status, why stopped, and every date with its type."""

from __future__ import annotations

from collections.abc import Iterator

from kg.ids import is_nct_id, trial_iri
from kg.mapping.context import MappingContext
from kg.mapping.fields import BOOLEAN, DATE, TEXT, field_triples, module, value_literal
from kg.rdf import Triple
from kg.vocab import KG, SDO, Enumeration, kg_members

PATH = "protocolSection.statusModule"

# schema.org's MedicalStudyStatus where it has the member, kg: members for the rest.
STATUS = Enumeration(
    "Status",
    {
        "ACTIVE_NOT_RECRUITING": SDO.ActiveNotRecruiting,
        "COMPLETED": SDO.Completed,
        "ENROLLING_BY_INVITATION": SDO.EnrollingByInvitation,
        "NOT_YET_RECRUITING": SDO.NotYetRecruiting,
        "RECRUITING": SDO.Recruiting,
        "SUSPENDED": SDO.Suspended,
        "TERMINATED": SDO.Terminated,
        "WITHDRAWN": SDO.Withdrawn,
        **kg_members(
            AVAILABLE="StatusAvailable",
            NO_LONGER_AVAILABLE="StatusNoLongerAvailable",
            TEMPORARILY_NOT_AVAILABLE="StatusTemporarilyNotAvailable",
            APPROVED_FOR_MARKETING="StatusApprovedForMarketing",
            WITHHELD="StatusWithheld",
            UNKNOWN="StatusUnknown",
        ),
    },
)
EXPANDED_ACCESS_STATUS = Enumeration(
    "ExpandedAccessStatus",
    {k: STATUS.terms[k] for k in
     ("AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING")},
)
DATE_TYPE = Enumeration(
    "DateType", kg_members(ACTUAL="Actual", ESTIMATED="Estimated"), kg_class="DateType"
)

STATUS_FIELDS = (
    ("statusVerifiedDate", KG.statusVerifiedDate, DATE),
    ("whyStopped", KG.whyStopped, TEXT),
    ("delayedPosting", KG.delayedPosting, BOOLEAN),
    ("resultsWaived", KG.resultsWaived, BOOLEAN),
    ("studyFirstSubmitDate", KG.studyFirstSubmitDate, DATE),
    ("studyFirstSubmitQcDate", KG.studyFirstSubmitQcDate, DATE),
    ("resultsFirstSubmitDate", KG.resultsFirstSubmitDate, DATE),
    ("resultsFirstSubmitQcDate", KG.resultsFirstSubmitQcDate, DATE),
    ("dispFirstSubmitDate", KG.dispFirstSubmitDate, DATE),
    ("dispFirstSubmitQcDate", KG.dispFirstSubmitQcDate, DATE),
    ("lastUpdateSubmitDate", KG.lastUpdateSubmitDate, DATE),
)

# Date structs {date, type}: record key -> (date predicate, date-type predicate).
DATE_STRUCTS = (
    ("startDateStruct", KG.startDate, KG.startDateType),
    ("primaryCompletionDateStruct", KG.primaryCompletionDate, KG.primaryCompletionDateType),
    ("completionDateStruct", KG.completionDate, KG.completionDateType),
    ("studyFirstPostDateStruct", KG.studyFirstPostDate, KG.studyFirstPostDateType),
    ("resultsFirstPostDateStruct", KG.resultsFirstPostDate, KG.resultsFirstPostDateType),
    ("dispFirstPostDateStruct", KG.dispFirstPostDate, KG.dispFirstPostDateType),
    ("lastUpdatePostDateStruct", KG.lastUpdatePostDate, KG.lastUpdatePostDateType),
)

EXPANDED_ACCESS_FIELDS = (("hasExpandedAccess", KG.hasExpandedAccess, BOOLEAN),)


def map_status(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    status = module(record, "protocolSection", "statusModule")
    trial = ctx.trial
    if status.get("overallStatus") is not None:
        yield trial, SDO.status, ctx.term(STATUS, status["overallStatus"], f"{PATH}.overallStatus")
    if status.get("lastKnownStatus") is not None:
        yield trial, KG.lastKnownStatus, ctx.term(
            STATUS, status["lastKnownStatus"], f"{PATH}.lastKnownStatus")
    yield from field_triples(ctx, trial, status, STATUS_FIELDS, PATH)

    for key, date_predicate, type_predicate in DATE_STRUCTS:
        struct = status.get(key)
        if not isinstance(struct, dict) or struct.get("date") is None:
            continue
        yield trial, date_predicate, value_literal(ctx, struct["date"], DATE, f"{PATH}.{key}.date")
        if struct.get("type") is not None:
            yield trial, type_predicate, ctx.term(DATE_TYPE, struct["type"], f"{PATH}.{key}.type")

    access = status.get("expandedAccessInfo")
    if isinstance(access, dict):
        path = f"{PATH}.expandedAccessInfo"
        yield from field_triples(ctx, trial, access, EXPANDED_ACCESS_FIELDS, path)
        linked = access.get("nctId")
        if linked is not None and is_nct_id(linked):
            yield trial, KG.expandedAccessRecord, trial_iri(ctx.base, linked)
        elif linked is not None:
            ctx.warn(f"{path}.nctId", f"not an NCT id: {linked!r}; left out")
        if access.get("statusForNctId") is not None:
            yield trial, KG.expandedAccessStatus, ctx.term(
                EXPANDED_ACCESS_STATUS, access["statusForNctId"], f"{path}.statusForNctId")
