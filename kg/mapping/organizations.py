"""Organisation nodes, shared by sponsors, collaborators, affiliations and registrants."""

from __future__ import annotations

from collections.abc import Iterator

from kg.ids import organization_iri
from kg.mapping.context import MappingContext
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, SDO, Enumeration, kg_members

AGENCY_CLASS = Enumeration(
    "AgencyClass",
    kg_members(
        NIH="AgencyNIH",
        FED="AgencyFederal",
        OTHER_GOV="AgencyOtherGovernment",
        INDIV="AgencyIndividual",
        INDUSTRY="AgencyIndustry",
        NETWORK="AgencyNetwork",
        AMBIG="AgencyAmbiguous",
        OTHER="AgencyOther",
        UNKNOWN="AgencyUnknown",
    ),
    kg_class="AgencyClass",
)


def organization(
    ctx: MappingContext, name: str, agency_class: object, path: str
) -> tuple[str, list[Triple]]:
    """The IRI of the organisation called ``name`` and the triples that describe it."""
    iri = organization_iri(ctx.base, name)
    triples: list[Triple] = [(iri, RDF_TYPE, SDO.Organization), (iri, SDO.name, text(name.strip()))]
    if agency_class is not None:
        triples.append((iri, KG.agencyClass, ctx.term(AGENCY_CLASS, agency_class, f"{path}.class")))
    return iri, triples


def organization_triples(
    ctx: MappingContext, subject: str, predicate: str, source: dict, name_key: str, path: str
) -> Iterator[Triple]:
    """Link ``subject`` to the organisation named in ``source[name_key]``, if there is one."""
    name = source.get(name_key)
    if not isinstance(name, str) or not name.strip():
        return
    iri, triples = organization(ctx, name, source.get("class"), path)
    yield subject, predicate, iri
    yield from triples
