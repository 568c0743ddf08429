"""What the server reads from the store: a trial's graph, a node's description, labels, search.

Everything is read from a read-only Oxigraph store in kg's own term encoding, so the serializers
of ``kg export`` render the responses and a trial served as Turtle is the trial exported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import pyoxigraph as ox

from kg.ids import NCT_ID
from kg.mapping import MappedRecord
from kg.rdf import RDF_TYPE, Literal, Triple
from kg.validation.engine.data import BlankNode
from kg.vocab import KG_NS, SCHEMA_NS

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
VOID = "http://rdfs.org/ns/void#"
STUDY = SCHEMA_NS + "MedicalStudy"


def kg_term(term):
    """A pyoxigraph term in kg's encoding."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return Literal(term.value, term.datatype.value, term.language)
    return BlankNode(term.value)


@cache
def ontology_triples() -> list[Triple]:
    data = resources.files("kg.ontologies").joinpath("kg.ttl").read_bytes()
    return [(kg_term(t.subject), t.predicate.value, kg_term(t.object))
            for t in ox.parse(data, ox.RdfFormat.TURTLE)]


@cache
def labels() -> dict[str, str]:
    """IRI -> label: the ontology's rdfs:label, or a schema.org term's name in words."""
    return {s: o.lexical for s, p, o in ontology_triples() if p == RDFS_LABEL}


def label(iri: str) -> str:
    """How a page names a term: its label, a schema.org name in words, else the IRI's end."""
    found = labels().get(iri)
    if found:
        return found
    if iri.startswith(SCHEMA_NS):  # a property in lower case, a class or member as it is
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", iri[len(SCHEMA_NS):])
        return words.lower() if words[:1].islower() else words
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or iri


@dataclass
class SearchEntry:
    nct_id: str
    trial: str
    title: str
    words: str  # title and conditions, folded, for matching


@dataclass
class Resources:
    store: ox.Store
    base: str
    _index: list[SearchEntry] | None = field(default=None, repr=False)

    def trial_iri(self, nct_id: str) -> str:
        return f"{self.base}trial/{nct_id}"

    def trial(self, iri: str) -> MappedRecord | None:
        """A trial's graph as the export has it, or None when the store has no such trial."""
        name = ox.NamedNode(iri)
        if not self.store.contains_named_graph(name):
            return None
        triples = [(kg_term(q.subject), q.predicate.value, kg_term(q.object))
                   for q in self.store.quads_for_pattern(None, None, None, name)]
        return MappedRecord(iri.rsplit("/", 1)[-1], iri, triples, [])

    def describe(self, iri: str) -> list[Triple]:
        """What the store says of a node, in every graph, each triple once."""
        found = dict.fromkeys((kg_term(q.subject), q.predicate.value, kg_term(q.object))
                              for q in self.store.quads_for_pattern(ox.NamedNode(iri), None, None,
                                                                     None))
        return list(found)

    def mentioned_by(self, iri: str, limit: int = 200) -> list[str]:
        """The trials whose graphs point to a node, by NCT id order."""
        graphs = {q.graph_name.value for q in
                  self.store.quads_for_pattern(None, None, ox.NamedNode(iri), None)
                  if isinstance(q.graph_name, ox.NamedNode)}
        return sorted(g for g in graphs if g.startswith(f"{self.base}trial/"))[:limit]

    def names(self, iris: set[str]) -> dict[str, str]:
        """``schema:name`` of nodes, for link texts."""
        name = ox.NamedNode(SCHEMA_NS + "name")
        found = {}
        for iri in iris:
            for quad in self.store.quads_for_pattern(ox.NamedNode(iri), name, None, None):
                found[iri] = quad.object.value
                break
        return found

    def index(self) -> list[SearchEntry]:
        """Every trial with its title and condition names, read once."""
        if self._index is None:
            titles: dict[str, tuple[str, list[str]]] = {}
            result = self.store.query(f"""
                SELECT ?g ?title ?condition WHERE {{ GRAPH ?g {{
                    ?g a <{STUDY}> ; <{SCHEMA_NS}name> ?title .
                    OPTIONAL {{ ?g <{SCHEMA_NS}healthCondition>/<{SCHEMA_NS}name> ?condition }}
                }} }}""")
            for row in result:
                trial = row["g"].value
                entry = titles.setdefault(trial, (row["title"].value, []))
                if row["condition"] is not None:
                    entry[1].append(row["condition"].value)
            self._index = [SearchEntry(t.rsplit("/", 1)[-1], t, title,
                                       " ".join([title, *conditions]).casefold())
                           for t, (title, conditions) in sorted(titles.items())]
        return self._index

    def search(self, text: str, limit: int = 50) -> list[SearchEntry]:
        """Trials by registry id (exactly: ``NCT00698191``, ``ISRCTN80181452``,
        ``2012-003632-23-GB`` or its key ``EUCTR2012-003632-23-GB``), else by every word in
        their title or conditions."""
        query = text.strip()
        wanted = query.upper()
        if wanted and not any(c.isspace() for c in wanted):
            exact = [e for e in self.index() if e.nct_id.upper() in (
                wanted, f"EUCTR{wanted}", f"CTIS{wanted}")]
            if exact or NCT_ID.fullmatch(wanted):
                return exact
        words = query.casefold().split()
        if not words:
            return []
        return [e for e in self.index() if all(w in e.words for w in words)][:limit]

    def size(self, iri: str) -> int | None:
        """How many triples the trial graph ``iri`` holds, as the store's description says
        (``void:triples``, written by kg load); None where it does not say."""
        for quad in self.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(VOID + "triples"),
                                                 None, ox.NamedNode(f"{self.base}dataset")):
            value = quad.object.value
            return int(value) if value.isdigit() else None
        return None

    def counts(self) -> dict[str, int]:
        trials = sum(1 for g in self.store.named_graphs() if g.value.startswith(f"{self.base}trial/"))
        return {"trials": trials}


def detect_base(store: ox.Store, default: str) -> str:
    """The base IRI of the loaded data: its description graph's ``{base}dataset``."""
    for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(VOID + "Dataset"),
                                        None):
        subject = quad.subject.value if isinstance(quad.subject, ox.NamedNode) else ""
        if subject.endswith("/dataset") and quad.graph_name == ox.NamedNode(subject):
            return subject[:-len("dataset")]
    return default


def is_vocabulary(iri: str) -> bool:
    return iri.startswith(KG_NS)
