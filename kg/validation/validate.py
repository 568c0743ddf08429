"""SHACL validation per trial, with a report a person can act on.

A trial is validated with its own subgraph (the trial and every node it reaches), so validation
runs in parallel workers and its cost grows linearly with the number of trials. Each result
names the trial, the focus node, the path, the value, the message and the shape it broke. The
engine is chosen in one table (:mod:`kg.validation.engines`); a trial comes as lines, as kg's
triples, or as an rdflib graph.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import rdflib

from kg.mapping import MappedRecord
from kg.serialize.trial_cut import ntriples_trials
from kg.validation.engines import DEFAULT_ENGINE, checked
from kg.validation.results import ValidationResult


def validate_nquads(text: str | bytes, nct_id: str,
                    engine: str = DEFAULT_ENGINE) -> list[ValidationResult]:
    """The results for one trial given as N-Quads or N-Triples lines (a trial of an export; the
    graph names are not used)."""
    data = text if isinstance(text, bytes) else text.encode()
    return checked(engine, lambda checker: checker.lines(data, nct_id))


def validate_triples(triples: list, nct_id: str,
                     engine: str = DEFAULT_ENGINE) -> list[ValidationResult]:
    """The results for one trial's distinct triples in kg's term encoding."""
    return checked(engine, lambda checker: checker.triples(triples, nct_id))


def validate_graph(graph: rdflib.Graph, nct_id: str,
                   engine: str = DEFAULT_ENGINE) -> list[ValidationResult]:
    """All SHACL results for one trial's graph."""
    return checked(engine, lambda checker: checker.graph(graph, nct_id))


def validate_mapped(mapped: MappedRecord, engine: str = DEFAULT_ENGINE) -> list[ValidationResult]:
    """The results for one mapped record; the fast engines read its triples directly."""
    return validate_triples(mapped.triples, mapped.nct_id, engine)


class TrialSubgraph(NamedTuple):
    nct_id: str
    trial: str  # the trial's IRI, as the data has it
    graph: rdflib.Graph


def trial_subgraphs(graph: rdflib.Graph) -> Iterator[TrialSubgraph]:
    """Each trial of a whole rdflib graph, cut by the one rule of :mod:`kg.serialize.trial_cut`
    (the trial, the nodes named under its IRI, every node they reach)."""
    for block in ntriples_trials(graph.serialize(format="nt", encoding="utf-8")):
        sub = rdflib.Graph()
        sub.parse(data=block.data.replace(f" <{block.graph}> .\n".encode(), b" .\n"),
                  format="nt")
        yield TrialSubgraph(block.graph.rsplit("/", 1)[-1], block.graph, sub)
