"""sponsorCollaboratorsModule: lead sponsor, collaborators and the responsible party."""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, field_triples, module, objects
from kg.mapping.organizations import organization, organization_triples
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG, SDO, Enumeration, kg_members

PATH = "protocolSection.sponsorCollaboratorsModule"

RESPONSIBLE_PARTY_TYPE = Enumeration(
    "ResponsiblePartyType",
    kg_members(
        SPONSOR="ResponsibleSponsor",
        PRINCIPAL_INVESTIGATOR="ResponsiblePrincipalInvestigator",
        SPONSOR_INVESTIGATOR="ResponsibleSponsorInvestigator",
    ),
    kg_class="ResponsiblePartyType",
)

INVESTIGATOR_FIELDS = (
    ("investigatorFullName", SDO.name, TEXT),
    ("investigatorTitle", SDO.jobTitle, TEXT),
)


def map_sponsors(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    sponsors = module(record, "protocolSection", "sponsorCollaboratorsModule")
    trial = ctx.trial
    lead = sponsors.get("leadSponsor")
    lead_iri = None
    if isinstance(lead, dict) and isinstance(lead.get("name"), str) and lead["name"].strip():
        lead_iri, triples = organization(ctx, lead["name"], lead.get("class"), f"{PATH}.leadSponsor")
        yield trial, SDO.sponsor, lead_iri
        yield trial, KG.leadSponsor, lead_iri
        yield from triples
    for number, collaborator in objects(ctx, sponsors, "collaborators", PATH):
        yield from organization_triples(ctx, trial, KG.collaborator, collaborator, "name",
                                        f"{PATH}.collaborators[{number - 1}]")
    party = sponsors.get("responsibleParty")
    if isinstance(party, dict) and party:
        yield from _responsible_party(ctx, party, lead_iri, f"{PATH}.responsibleParty")


def _responsible_party(
    ctx: MappingContext, party: dict, lead_iri: str | None, path: str
) -> Iterator[Triple]:
    """The party is a node of its own: its type, and the investigator or organisation it names.

    Old records name only an organisation (``oldOrganization``) or a person (``oldNameTitle``).
    """
    node = ctx.child("responsible-party")
    yield ctx.trial, KG.responsibleParty, node
    yield node, RDF_TYPE, KG.ResponsibleParty
    if party.get("type") is not None:
        yield node, KG.responsiblePartyType, ctx.term(
            RESPONSIBLE_PARTY_TYPE, party["type"], f"{path}.type")
    person_name = party.get("investigatorFullName") or party.get("oldNameTitle")
    if isinstance(person_name, str) and person_name.strip():
        person = ctx.child("responsible-party", "investigator")
        yield node, KG.investigator, person
        yield person, RDF_TYPE, SDO.Person
        if party.get("investigatorFullName"):
            yield from field_triples(ctx, person, party, INVESTIGATOR_FIELDS, path)
        else:
            yield from field_triples(ctx, person, party, (("oldNameTitle", SDO.name, TEXT),), path)
        yield from organization_triples(ctx, person, SDO.affiliation, party,
                                        "investigatorAffiliation", path)
    yield from organization_triples(ctx, node, KG.responsibleOrganization, party,
                                    "oldOrganization", path)
    if party.get("type") == "SPONSOR" and lead_iri is not None:
        yield node, KG.responsibleOrganization, lead_iri
