"""conditionsModule and the MeSH terms of derivedSection.

Each condition as the registry states it is a ``schema:MedicalCondition`` of the trial. The
MeSH descriptors NLM derived for the record are conditions too, identified by their MeSH IRI so
that every trial on lupus meets at ``mesh:D008180``, each with a ``schema:MedicalCode``; ids
the registry pads to nine digits are written as NLM publishes them (:func:`canonical_mesh_id`).
Ancestors (broader MeSH terms) are kept apart so that a query for a narrow term stays narrow.

A stated condition is tied to the descriptor it was derived from (``kg:meshDescriptor``, by
name: :mod:`kg.grounding.mesh_match`), to what its own words stand for in MeSH and MONDO, each
link with its evidence (:mod:`kg.mapping.grounding`), and every MeSH node to what the published mapping sets
match it with (``skos:exactMatch`` MONDO, ChEBI..., and the MONDO term's own identifiers in
DOID, EFO, ICD-10-CM...: :mod:`kg.grounding.mesh`).
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.grounding.mesh_match import listed_descriptors, match_names
from kg.ids import canonical_mesh_id, mesh_code_iri
from kg.mapping.context import MappingContext
from kg.mapping.fields import module, objects, strings
from kg.mapping.grounding import condition_links, index_version, mapped
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, MESH_NS, SDO

PATH = "protocolSection.conditionsModule"
DERIVED = "derivedSection"


def map_conditions(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    conditions = module(record, "protocolSection", "conditionsModule")
    trial = ctx.trial
    descriptors = listed_descriptors(module(record, DERIVED, "conditionBrowseModule"))
    for name in strings(ctx, conditions, "conditions", PATH):
        node = ctx.keyed("condition", name)
        yield trial, SDO.healthCondition, node
        yield node, RDF_TYPE, SDO.MedicalCondition
        yield node, SDO.name, text(name)
        index = match_names([name], descriptors, contained=False)[0]
        for link in index:
            yield node, KG.meshDescriptor, MESH_NS + link.mesh_id
        yield from condition_links(node, name, index, descriptors, index_version(record))
    for keyword in strings(ctx, conditions, "keywords", PATH):
        yield trial, KG.keyword, text(keyword)

    browse = module(record, DERIVED, "conditionBrowseModule")
    path = f"{DERIVED}.conditionBrowseModule"
    yield from _mesh_terms(ctx, browse, "meshes", SDO.healthCondition, SDO.MedicalCondition, path)
    yield from _mesh_terms(ctx, browse, "ancestors", KG.conditionMeshAncestor,
                           SDO.MedicalCondition, path)
    browse = module(record, DERIVED, "interventionBrowseModule")
    path = f"{DERIVED}.interventionBrowseModule"
    yield from _mesh_terms(ctx, browse, "meshes", KG.interventionMesh, SDO.MedicalEntity, path)
    yield from _mesh_terms(ctx, browse, "ancestors", KG.interventionMeshAncestor,
                           SDO.MedicalEntity, path)


def _mesh_terms(
    ctx: MappingContext, browse: dict, key: str, predicate: str, kind: str, path: str
) -> Iterator[Triple]:
    for number, mesh in objects(ctx, browse, key, path):
        mesh_id = canonical_mesh_id(mesh.get("id"))
        if mesh_id is None:
            ctx.error(f"{path}.{key}[{number - 1}].id", f"not a MeSH id: {mesh.get('id')!r}")
            continue
        node = MESH_NS + mesh_id
        code = mesh_code_iri(ctx.base, mesh_id)
        yield ctx.trial, predicate, node
        yield node, RDF_TYPE, kind
        if isinstance(mesh.get("term"), str):
            yield node, SDO.name, text(mesh["term"])
        yield node, SDO.code, code
        yield code, RDF_TYPE, SDO.MedicalCode
        yield code, SDO.codeValue, text(mesh_id)
        yield code, SDO.codingSystem, text("MeSH")
        yield from mapped(node, f"MESH:{mesh_id}")
