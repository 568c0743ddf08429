"""moreInfoModule: limitations and caveats, the agreement on publishing, the results contact."""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import BOOLEAN, TEXT, field_triples, nested
from kg.mapping.organizations import organization_triples
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG, SDO, Enumeration, kg_members

PATH = "resultsSection.moreInfoModule"

AGREEMENT_RESTRICTION = Enumeration(
    "AgreementRestrictionType",
    kg_members(LTE60="RestrictionUpTo60Days", GT60="RestrictionOver60Days",
               OTHER="RestrictionOther"),
    kg_class="AgreementRestrictionType",
)

AGREEMENT_FIELDS = (
    ("piSponsorEmployee", KG.piSponsorEmployee, BOOLEAN),
    ("restrictiveAgreement", KG.restrictiveAgreement, BOOLEAN),
    ("otherDetails", KG.otherDetails, TEXT),
)
CONTACT_FIELDS = (
    ("title", SDO.name, TEXT),
    ("email", SDO.email, TEXT),
    ("phone", SDO.telephone, TEXT),
    ("phoneExt", KG.telephoneExtension, TEXT),
)


def map_more_info(ctx: MappingContext, info: dict) -> Iterator[Triple]:
    caveats = nested(ctx, info, "limitationsAndCaveats", PATH)
    yield from field_triples(ctx, ctx.trial, caveats, (("description", KG.limitationsAndCaveats,
                                                        TEXT),), f"{PATH}.limitationsAndCaveats")
    agreement = nested(ctx, info, "certainAgreement", PATH)
    if agreement:
        path = f"{PATH}.certainAgreement"
        node = ctx.child("certain-agreement")
        yield ctx.trial, KG.certainAgreement, node
        yield node, RDF_TYPE, KG.CertainAgreement
        yield from field_triples(ctx, node, agreement, AGREEMENT_FIELDS, path)
        if agreement.get("restrictionType") is not None:
            yield node, KG.restrictionType, ctx.term(
                AGREEMENT_RESTRICTION, agreement["restrictionType"], f"{path}.restrictionType")
    contact = nested(ctx, info, "pointOfContact", PATH)
    if contact:
        path = f"{PATH}.pointOfContact"
        node = ctx.child("results-contact")
        yield ctx.trial, KG.resultsContact, node
        yield node, RDF_TYPE, SDO.ContactPoint
        yield node, RDF_TYPE, KG.Contact
        yield from field_triples(ctx, node, contact, CONTACT_FIELDS, path)
        yield from organization_triples(ctx, node, KG.contactOrganization, contact,
                                        "organization", path)
