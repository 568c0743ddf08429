"""The one rule that cuts a whole graph into trials, for RDF that kg did not write.

A trial is every ``schema:MedicalStudy`` with an IRI; its graph is the trial's triples, those
of every node named under its IRI (``.../trial/NCT01234567/arm/1``: results observations point
to their table, not the other way), and those of every node they reach through an object that
is an IRI or a blank node (so an eligibility or a site written as a blank node stays with the
trial that owns it), never crossing into another trial and never following ``rdf:type``. Nodes
no trial reaches are left out. The graph is parsed by Oxigraph (Rust's memory, not Python
objects); rdflib graphs come here through their N-Triples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pyoxigraph as ox

from kg.serialize.quads import GraphBlock
from kg.trial_ids import KEY

_STUDY = ox.NamedNode("https://schema.org/MedicalStudy")
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_PART_OF_TRIAL = re.compile(r"^(.*/trial/" + KEY + r")/")


def ntriples_trials(ntriples: bytes) -> Iterator[GraphBlock]:
    """The trials of a whole graph given as N-Triples (how rdflib's parse of JSON-LD or TriG
    kg did not write comes here), by the one rule."""
    store = ox.Store()
    store.bulk_load(ntriples, ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    yield from trial_graphs(store)


def trial_graphs(store: ox.Store) -> Iterator[GraphBlock]:
    """Each trial of the store's default graph as its N-Quads lines in a graph named by the
    trial, sorted, in the order of the trials' IRIs."""
    trials = sorted(q.subject.value for q in store.quads_for_pattern(None, _RDF_TYPE, _STUDY)
                    if isinstance(q.subject, ox.NamedNode))
    trial_set = set(trials)
    parts: dict[str, list[ox.NamedNode]] = {}
    for quad in store.quads_for_pattern(None, None, None):
        subject = quad.subject
        if isinstance(subject, ox.NamedNode) and (match := _PART_OF_TRIAL.match(subject.value)):
            parts.setdefault(match.group(1), []).append(subject)
    for trial in trials:
        seen: set = {ox.NamedNode(trial), *parts.get(trial, ())}
        frontier = list(seen)
        triples = []
        while frontier:
            node = frontier.pop()
            for quad in store.quads_for_pattern(node, None, None):
                triples.append(quad.triple)
                obj = quad.object
                if obj in seen or quad.predicate == _RDF_TYPE:
                    continue
                if isinstance(obj, ox.BlankNode) or (isinstance(obj, ox.NamedNode)
                                                     and obj.value not in trial_set):
                    seen.add(obj)
                    frontier.append(obj)
        text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        lines = sorted(set(text.splitlines(keepends=True)))
        graph = f"<{trial}> .\n".encode()
        yield GraphBlock(trial, b"".join(line[:-2] + graph for line in lines))
