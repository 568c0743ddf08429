"""kg's own SHACL engine: the shapes compiled once into Python checks over the mapping's terms.

pySHACL, the reference, pays for rdflib graphs and a SPARQL query per focus node; pyshacl-turbo
for its own store and a report graph. Here a trial's triples are indexed once
(:mod:`kg.validation.engine.data`), each node shape is a generated Python function with its
SHACL Core checks inlined (:mod:`kg.validation.engine.codegen`,
:mod:`kg.validation.engine.components`), and each SHACL-SPARQL constraint is generated Python
too (:mod:`kg.validation.engine.sparql`), run over all focus nodes of the trial at once.

Exactness comes first: the engine decides only what it is sure to decide as pySHACL does, and
says :class:`Uncertain` otherwise (a literal not in canonical form, a comparison of terms of
different kinds, a result without a message); :mod:`kg.validation.validate` then gives that
trial to an engine that reads literals through rdflib. ``tests/test_engine_agreement.py`` holds
the engines to identical results.
"""

from __future__ import annotations

from collections.abc import Iterable

import rdflib

from kg.validation.engine.codegen import compile_shape
from kg.validation.engine.data import BlankNode, DataGraph, Uncertain
from kg.validation.engine.shapes import ShapesReader
from kg.validation.engine.terms import Result, Unsupported

__all__ = ["BlankNode", "NativeEngine", "Result", "Uncertain", "Unsupported"]


class NativeEngine:
    """The shapes of one shapes graph, ready to check any number of trials."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.shapes = ShapesReader(shapes).node_shapes()
        self.checks = [(shape, compile_shape(shape)) for shape in self.shapes]
        # The predicates the checks ask pairs of, learnt from the trials checked so far (the
        # same few for every trial), so the next trial's index gathers them in its one pass.
        self.indexed: frozenset[str] = frozenset()

    def validate(self, triples: Iterable[tuple]) -> list[Result]:
        """Every result for one trial's distinct triples; :class:`Uncertain` when the engine
        cannot be sure of deciding as pySHACL would."""
        return self._check(DataGraph(triples, self.indexed))

    def validate_lines(self, data: bytes) -> list[Result] | None:
        """:meth:`validate` for one trial's lines as ``kg export`` writes them, indexed
        straight from the bytes (:meth:`DataGraph.from_lines`); None where they are not in
        that form."""
        graph = DataGraph.from_lines(data, self.indexed)
        return None if graph is None else self._check(graph)

    def _check(self, graph: DataGraph) -> list[Result]:
        results: list[Result] = []
        for shape, check in self.checks:
            focus_nodes = shape.focus_nodes(graph)
            if focus_nodes:
                results.extend(check(graph, focus_nodes))
        self.indexed = graph.asked()  # what it was given, and whatever the checks asked besides
        return results
