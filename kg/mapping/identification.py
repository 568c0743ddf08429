"""identificationModule: titles, the NCT id and every other identifier of the study."""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, URL, field_triples, module, nested, objects, strings
from kg.mapping.organizations import organization_triples
from kg.mapping.registration import Stated, identity_triples
from kg.rdf import RDF_TYPE, Triple, text
from kg.trial_ids import TrialId, found_ids, is_placeholder
from kg.vocab import KG, REGISTRY_STUDY_URL, SDO, Enumeration, kg_members

PATH = "protocolSection.identificationModule"

TITLE_FIELDS = (
    ("briefTitle", SDO.name, TEXT),
    ("officialTitle", KG.officialTitle, TEXT),
    ("acronym", SDO.alternateName, TEXT),
)

# The registry's identifier types; the same members serve orgStudyIdInfo and secondaryIdInfos.
SECONDARY_ID_TYPE = Enumeration(
    "SecondaryIdType",
    kg_members(
        NIH="IdentifierNIH",
        FDA="IdentifierFDA",
        VA="IdentifierVA",
        CDC="IdentifierCDC",
        AHRQ="IdentifierAHRQ",
        SAMHSA="IdentifierSAMHSA",
        OTHER_GRANT="IdentifierOtherGrant",
        EUDRACT_NUMBER="IdentifierEudraCT",
        CTIS="IdentifierCTIS",
        REGISTRY="IdentifierRegistry",
        OTHER="IdentifierOther",
    ),
    kg_class="IdentifierType",
)
ORG_STUDY_ID_TYPE = Enumeration(
    "OrgStudyIdType",
    {k: v for k, v in SECONDARY_ID_TYPE.terms.items() if k in {"NIH", "FDA", "VA", "CDC", "AHRQ", "SAMHSA"}},
    kg_class="IdentifierType",
)

IDENTIFIER_FIELDS = (
    ("id", SDO.value, TEXT),
    ("domain", SDO.description, TEXT),
    ("link", SDO.url, URL),
)


def map_identification(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    ident = module(record, "protocolSection", "identificationModule")
    trial = ctx.trial
    yield trial, SDO.url, REGISTRY_STUDY_URL + ctx.nct_id
    yield from field_triples(ctx, trial, ident, TITLE_FIELDS, PATH)
    yield from _nct_identifier(ctx)
    for alias in strings(ctx, ident, "nctIdAliases", PATH):
        yield trial, KG.nctIdAlias, text(alias)

    org_id = ident.get("orgStudyIdInfo")
    if isinstance(org_id, dict) and org_id.get("id"):
        yield from _identifier(ctx, ctx.child("identifier", "org-study-id"), "org_study_id",
                               org_id, ORG_STUDY_ID_TYPE, f"{PATH}.orgStudyIdInfo")
    for number, info in objects(ctx, ident, "secondaryIdInfos", PATH):
        if info.get("id"):
            yield from _identifier(ctx, ctx.child("identifier", "secondary", number),
                                   "secondary_id", info, SECONDARY_ID_TYPE,
                                   f"{PATH}.secondaryIdInfos[{number - 1}]")
    yield from _identity(ctx, ident)
    yield from organization_triples(ctx, trial, KG.registeringOrganization,
                                    nested(ctx, ident, "organization", PATH), "fullName",
                                    f"{PATH}.organization")


def _nct_identifier(ctx: MappingContext) -> Iterator[Triple]:
    """The NCT id both as a PropertyValue and as the MedicalCode schema.org's docs advise."""
    pv = ctx.child("identifier", "nct")
    yield ctx.trial, SDO.identifier, pv
    yield pv, RDF_TYPE, SDO.PropertyValue
    yield pv, SDO.propertyID, text("NCT")
    yield pv, SDO.value, text(ctx.nct_id)
    code = ctx.child("code", "nct")
    yield ctx.trial, SDO.code, code
    yield code, RDF_TYPE, SDO.MedicalCode
    yield code, SDO.codeValue, text(ctx.nct_id)
    yield code, SDO.codingSystem, text("ClinicalTrials.gov")


def _identifier(
    ctx: MappingContext, iri: str, property_id: str, info: dict, types: Enumeration, path: str
) -> Iterator[Triple]:
    yield ctx.trial, SDO.identifier, iri
    yield iri, RDF_TYPE, SDO.PropertyValue
    yield iri, SDO.propertyID, text(property_id)
    if info.get("type") is not None:
        yield iri, KG.identifierType, ctx.term(types, info["type"], f"{path}.type")
    yield from field_triples(ctx, iri, info, IDENTIFIER_FIELDS, path)


def _identity(ctx: MappingContext, ident: dict) -> Iterator[Triple]:
    """The NCT id as the trial id this registration is registered as; every other registry's
    id the record states (a EudraCT number among the secondary ids) as the same trial's; the
    sponsor's own study id as its protocol code."""
    stated = []
    org_id = ident.get("orgStudyIdInfo")
    code = org_id.get("id") if isinstance(org_id, dict) else None
    for field, info in [("orgStudyIdInfo", org_id), *(
            (f"secondaryIdInfos[{n - 1}]", i) for n, i in objects(ctx, ident, "secondaryIdInfos",
                                                                   PATH))]:
        value = info.get("id") if isinstance(info, dict) else None
        stated.extend(Stated(t, f"{PATH}.{field}.id") for t in found_ids(value)
                      if t.scheme != "NCT" or t.value != ctx.nct_id)
    codes = [code] if isinstance(code, str) and not found_ids(code) and not is_placeholder(code) \
        else []
    yield from identity_triples(ctx, [TrialId("NCT", ctx.nct_id)], stated, codes, values=False)
