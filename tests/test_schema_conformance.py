"""The graph holds to schema.org's own definitions: each schema.org property is used on a subject
of a class in its ``schema:domainIncludes`` (or a subclass), with a value that fits its
``schema:rangeIncludes``, over every shared real record. Read from the official vocabulary."""

from __future__ import annotations

from collections import defaultdict

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS

from kg.mapping import map_record
from kg.vocab import SCHEMA_NS
from tests.conftest import EXAMPLE, ROOT, load_json, shared_path, shared_records

S = rdflib.Namespace(SCHEMA_NS)
DATATYPES = {S.Text, S.Date, S.DateTime, S.Number, S.Integer, S.Float, S.Boolean, S.URL, S.Time}

# Deliberate off-domain uses, each with its reason. schema.org's domains are hints ("expected"),
# not constraints; these are the only places the graph goes beyond them.
OFF_DOMAIN = {
    (S.citation, S.MedicalStudy): "the registry's reference list is what the study cites; "
                                  "schema.org only lists CreativeWork as citation's domain",
}


class Vocabulary:
    def __init__(self, graph: rdflib.Graph):
        self.graph = graph
        self.parents = defaultdict(set)
        for child, parent in graph.subject_objects(RDFS.subClassOf):
            self.parents[child].add(parent)
        self.domains = defaultdict(set)
        self.ranges = defaultdict(set)
        for prop, cls in graph.subject_objects(S.domainIncludes):
            self.domains[prop].add(cls)
        for prop, cls in graph.subject_objects(S.rangeIncludes):
            self.ranges[prop].add(cls)

    def ancestors(self, cls) -> set:
        seen, stack = {cls}, [cls]
        while stack:
            for parent in self.parents[stack.pop()]:
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen | {S.Thing}


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary(rdflib.Graph().parse(shared_path("vocab", "schemaorg-current-https.ttl")))


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ROOT / "ontologies" / "kg.ttl")


def misuses(vocab: Vocabulary, ontology: rdflib.Graph, triples) -> list[str]:
    graph = rdflib.Graph()
    for s, p, o in triples:
        graph.add((rdflib.URIRef(s), rdflib.URIRef(p),
                   rdflib.URIRef(o) if isinstance(o, str) else rdflib.Literal(o.lexical)))

    def types(node) -> set:
        found = set(graph.objects(node, RDF.type)) | set(ontology.objects(node, RDF.type))
        found |= set(vocab.graph.objects(node, RDF.type))
        return set().union(*(vocab.ancestors(t) for t in found)) if found else set()

    problems = []
    for s, p, o in graph:
        if not str(p).startswith(SCHEMA_NS):
            continue
        subject_types = types(s)
        allowed = {cls for cls in vocab.domains[p]}
        if not subject_types & allowed and not any((p, t) in OFF_DOMAIN for t in subject_types):
            problems.append(f"{p} used on {s} ({sorted(map(str, subject_types))[:3]})")
        ranges = vocab.ranges[p]
        if isinstance(o, rdflib.Literal):
            fits = bool(ranges & DATATYPES) or any(DATATYPES & vocab.ancestors(r) for r in ranges)
        else:
            fits = S.URL in ranges or bool(types(o) & ranges)
        if not fits:
            problems.append(f"{p} on {s} has value {o} outside {sorted(map(str, ranges))}")
    return problems


def test_reference_trial_uses_schema_terms_within_their_domains_and_ranges(vocab, ontology):
    assert misuses(vocab, ontology, map_record(load_json(EXAMPLE)).triples) == []


@pytest.mark.parametrize("folder", ["v2", "v2-partial"])
def test_shared_records_use_schema_terms_within_their_domains_and_ranges(vocab, ontology, folder):
    for path in shared_records(folder):
        assert misuses(vocab, ontology, map_record(load_json(path)).triples) == [], path.name


def test_the_check_catches_an_off_domain_use(vocab, ontology):
    trial = "https://w3id.org/ctkg/id/trial/NCT00698191"
    triples = map_record(load_json(EXAMPLE)).triples + [(trial, SCHEMA_NS + "funder", trial)]
    assert any("funder" in p for p in misuses(vocab, ontology, triples))
