"""Every term the mapper can emit is a real schema.org term or declared in ontologies/kg.ttl,
every enum table is complete for the registry's OpenAPI enum, and the context covers them."""

from __future__ import annotations

import json

import pytest
import rdflib
import yaml
from rdflib.namespace import OWL, RDF, RDFS, SKOS

import kg.mapping  # noqa: F401  (registers every enumeration)
from kg.serialize.jsonld import CONTEXT, context_document
from kg.vocab import (
    ENUMERATIONS,
    KG,
    KG_NS,
    QB,
    SCHEMA_NS,
    SDMX_ATTRIBUTE,
    SDMX_MEASURE,
    SDO,
    SEMAPV,
    SSSOM,
)
from kg.vocab import SKOS as SKOS_MATCHES
from tests.conftest import ROOT, shared_path

ONTOLOGY = ROOT / "ontologies" / "kg.ttl"


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def schema_vocab() -> rdflib.Graph:
    return rdflib.Graph().parse(shared_path("vocab", "schemaorg-current-https.ttl"))


# The Data Cube and SDMX terms the results reuse, as RESULTS_NOTES.md read them in cube.ttl and
# the SDMX vocabularies: nothing else of those namespaces may be emitted.
REUSED = QB.iris() | SDMX_MEASURE.iris() | SDMX_ATTRIBUTE.iris()
# The SSSOM terms a link's evidence is written in, and SEMAPV's justifications.
EVIDENCE = SSSOM.iris() | SEMAPV.iris()


def test_reused_terms_are_the_ones_read_in_the_published_vocabularies():
    notes = shared_path("vocab", "RESULTS_NOTES.md").read_text()
    for iri in REUSED:
        local = iri.rsplit("#", 1)[-1]
        assert f"qb:{local}" in notes or iri in notes or f":{local}" in notes, iri


def emittable_iris() -> set[str]:
    """Every term in the vocabularies and every member of every enum table."""
    iris = SDO.iris() | KG.iris() | REUSED | EVIDENCE
    for enumeration in ENUMERATIONS.values():
        iris |= set(enumeration.terms.values())
    return iris


def test_every_schema_term_exists_in_the_official_vocabulary(schema_vocab):
    declared = {str(s) for s in schema_vocab.subjects(RDF.type, None)}
    unknown = sorted(i for i in emittable_iris() if i.startswith(SCHEMA_NS) and i not in declared)
    assert not unknown


def test_every_kg_term_is_declared_with_a_label_and_a_comment(ontology):
    for iri in sorted(i for i in emittable_iris() if i.startswith(KG_NS)):
        ref = rdflib.URIRef(iri)
        assert (ref, RDF.type, None) in ontology, f"{iri} not declared"
        assert ontology.value(ref, RDFS.label), f"{iri} has no rdfs:label"
        assert ontology.value(ref, RDFS.comment), f"{iri} has no rdfs:comment"


def test_ontology_declares_nothing_the_mapper_does_not_emit(ontology):
    declared = {str(s) for s in ontology.subjects(RDF.type, None) if str(s).startswith(KG_NS)}
    classes = {str(s) for s in ontology.subjects(RDF.type, OWL.Class)}
    assert declared - emittable_iris() - classes == set()


def test_enum_members_carry_the_registry_code_they_map(ontology):
    for enumeration in ENUMERATIONS.values():
        for value, iri in enumeration.terms.items():
            if iri.startswith(KG_NS):
                notation = ontology.value(rdflib.URIRef(iri), SKOS.notation)
                assert str(notation) == value, (enumeration.name, value, iri)


def test_enum_members_are_typed_by_their_ontology_class(ontology):
    for enumeration in ENUMERATIONS.values():
        if enumeration.kg_class is None:
            continue
        cls = rdflib.URIRef(KG_NS + enumeration.kg_class)
        for iri in enumeration.terms.values():
            assert (rdflib.URIRef(iri), RDF.type, cls) in ontology, (iri, cls)


def test_every_enum_table_and_its_ontology_class_hold_the_same_members(ontology):
    """kg's own tables against kg's own ontology, so it runs without ../shared: no member the
    ontology declares is missing from the tables of its class (two tables may share one, the
    registry's OrgStudyIdType being part of SecondaryIdType), and no table member lacks its
    declaration."""
    mapped: dict[str, dict[str, str]] = {}
    for enumeration in ENUMERATIONS.values():
        if enumeration.kg_class is not None:
            mapped.setdefault(enumeration.kg_class, {}).update(
                {iri: value for value, iri in enumeration.terms.items() if iri.startswith(KG_NS)})
    assert mapped
    for kg_class, members in mapped.items():
        declared = {str(m): str(ontology.value(m, SKOS.notation))
                    for m in ontology.subjects(RDF.type, rdflib.URIRef(KG_NS + kg_class))}
        assert declared == members, kg_class


def test_every_enum_table_is_complete_for_the_openapi_enum():
    spec = yaml.safe_load(shared_path("records", "spec", "ctg-oas-v2_2.0.3.yaml").read_text())
    schemas = spec["components"]["schemas"]
    for name, enumeration in ENUMERATIONS.items():
        assert set(enumeration.terms) == set(schemas[name]["enum"]), name


def test_every_emitted_predicate_and_class_on_real_records_is_known(ontology, schema_vocab):
    """Belt and braces: what the mapper actually emitted over all shared records."""
    from kg.mapping import map_record
    from tests.conftest import load_json, shared_records

    known = {str(s) for s in schema_vocab.subjects(RDF.type, None)}
    known |= {str(s) for s in ontology.subjects(RDF.type, None)} | REUSED | SKOS_MATCHES.iris()
    known |= EVIDENCE
    for path in shared_records("v2", "v2-partial"):
        for _, p, o in map_record(load_json(path)).triples:
            assert p == str(RDF.type) or p in known, (path.name, p)
            if p == str(RDF.type):
                assert o in known, (path.name, o)


def test_published_context_is_the_one_the_writer_embeds():
    assert (ROOT / "ontologies" / "context.jsonld").read_bytes() == context_document()
    assert json.loads(context_document())["@context"] == CONTEXT
    assert CONTEXT["kg"] == KG_NS and CONTEXT["@vocab"] == SCHEMA_NS
