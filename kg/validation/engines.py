"""The one table of SHACL engines: each checks a trial given as lines, as kg's triples or as an
rdflib graph, and names the engine a trial goes to where it cannot be sure of its results.

native: kg's own engine (:mod:`kg.validation.engine`, the shapes compiled to Python over the
mapping's own terms), the default, which hands a trial it cannot be sure of to turbo;
turbo: pyshacl-turbo, a Rust engine with pySHACL's API; pyshacl: pySHACL, the reference. All
three give the same results (tests/test_engine_agreement.py).
"""

from __future__ import annotations

import warnings
from functools import cache
from typing import NamedTuple, Protocol

import rdflib

from kg.rdf import XSD_STRING, Literal, to_rdflib
from kg.serialize.quads import strict_triples
from kg.validation.engine import BlankNode as BlankNodeLabel
from kg.validation.engine import NativeEngine, Uncertain, Unsupported
from kg.validation.results import ValidationResult, report_results, shapes_graph

Results = list[ValidationResult]


class Checker(Protocol):
    """One engine: each method gives a trial's results, or None where it cannot be sure."""

    def lines(self, data: bytes, nct_id: str) -> Results | None: ...

    def triples(self, triples: list, nct_id: str) -> Results | None: ...

    def graph(self, graph: rdflib.Graph, nct_id: str) -> Results | None: ...


@cache
def _native_engine() -> NativeEngine | None:
    """kg's engine for the shapes, compiled once per process; None when the shapes use a
    feature it does not implement (every trial then goes to pyshacl-turbo)."""
    try:
        return NativeEngine(shapes_graph())
    except Unsupported as exc:
        warnings.warn(f"native SHACL engine unavailable ({exc}); using pyshacl-turbo",
                      stacklevel=2)
        return None


def _native(triples: list, nct_id: str) -> list[ValidationResult] | None:
    """The native engine's results, or None where it cannot be sure of them."""
    engine = _native_engine()
    if engine is None:
        return None
    try:
        return sorted(ValidationResult(nct_id, *result) for result in engine.validate(triples))
    except Uncertain:
        return None


@cache
def _compiled_shapes():
    """The shapes compiled once per process for pyshacl-turbo (compiling is most of the cost of
    a call that would compile them again)."""
    from pyshacl_turbo import compile_shapes

    return compile_shapes(shapes_graph())


def _term_input(triples: list):
    """kg triples in pyshacl-turbo's own term encoding, skipping rdflib: each distinct term once
    as ``(kind, value, datatype, language)``, each triple as indices into those terms."""
    from pyshacl_turbo import Input

    index: dict = {}
    records: list = []
    quads: list = []

    def intern(term) -> int:
        found = index.get(term)
        if found is None:
            found = index[term] = len(records)
            if isinstance(term, BlankNodeLabel):
                records.append((1, str(term), None, None))
            elif isinstance(term, str):
                records.append((0, term, None, None))
            else:
                lexical, datatype, language = term
                records.append((2, lexical, None if language or datatype == XSD_STRING
                                else datatype, language))
        return found

    for s, p, o in triples:
        quads.append((intern(s), intern(p), intern(o), None))
    return Input((records, quads), "terms", None, {}, {})


def _oxigraph_triples(text: str) -> list[tuple]:
    import pyoxigraph

    triples = []
    for quad in pyoxigraph.parse(text.encode(), pyoxigraph.RdfFormat.N_QUADS):
        obj = quad.object
        if isinstance(obj, pyoxigraph.Literal):
            obj = Literal(obj.value, obj.datatype.value, obj.language)
        elif isinstance(obj, pyoxigraph.BlankNode):
            obj = BlankNodeLabel(obj.value)
        else:
            obj = obj.value
        subject = quad.subject
        subject = BlankNodeLabel(subject.value) if isinstance(
            subject, pyoxigraph.BlankNode) else subject.value
        triples.append((subject, quad.predicate.value, obj))
    return triples


def _term(node: rdflib.term.Node):
    """An rdflib term in kg's encoding (blank nodes kept apart from IRIs)."""
    if isinstance(node, rdflib.BNode):
        return BlankNodeLabel(node)
    if isinstance(node, rdflib.Literal):
        return Literal(str(node), str(node.datatype) if node.datatype else XSD_STRING,
                       node.language)
    return str(node)


def _engine_failure(graph: rdflib.Graph, nct_id: str, exc: Exception) -> ValidationResult:
    """pySHACL stops on some ill-typed literals (``"x"^^xsd:integer`` under
    ``sh:lessThanOrEquals`` compares values it cannot read): the trial is reported as one
    violation naming the reason, not a crash of the run."""
    trial = next((str(s) for s in graph.subjects() if str(s).endswith("/trial/" + nct_id)), "")
    first = str(exc).strip().split("\n", 1)[0][:200]
    return ValidationResult(nct_id, trial, "", "", f"pySHACL could not check this trial "
                            f"({type(exc).__name__}: {first}): a value of it cannot be read as "
                            "its datatype; the native engine names it", "Violation", "pySHACL",
                            "EngineError")




def line_triples(data: bytes) -> list:
    """A trial's N-Quads or N-Triples lines as kg's distinct triples: kg's strict reader where
    the lines are in kg's form, else Oxigraph's parse."""
    text = data.decode()
    triples = strict_triples(text)
    if triples is None:
        triples = _oxigraph_triples(text)
    return list(dict.fromkeys(triples))


class Native:
    """kg's engine: the lines indexed straight from their bytes where they are as ``kg export``
    writes them, else the triples."""

    def lines(self, data: bytes, nct_id: str) -> Results | None:
        native = _native_engine()
        if native is None:
            return None
        try:
            found = native.validate_lines(data)
        except Uncertain:
            found = None
        if found is not None:
            return sorted(ValidationResult(nct_id, *result) for result in found)
        return self.triples(line_triples(data), nct_id)

    def triples(self, triples: list, nct_id: str) -> Results | None:
        return _native(triples, nct_id)

    def graph(self, graph: rdflib.Graph, nct_id: str) -> Results | None:
        return _native([(_term(s), str(p), _term(o)) for s, p, o in graph], nct_id)


class Turbo:
    """pyshacl-turbo, given kg's triples in its own term encoding (no rdflib on the way)."""

    def lines(self, data: bytes, nct_id: str) -> Results:
        return self.triples(line_triples(data), nct_id)

    def triples(self, triples: list, nct_id: str) -> Results:
        return report_results(_compiled_shapes().validate(_term_input(triples),
                                                          allow_warnings=True)[1], nct_id)

    def graph(self, graph: rdflib.Graph, nct_id: str) -> Results:
        return report_results(_compiled_shapes().validate(graph, allow_warnings=True)[1], nct_id)


class PySHACL:
    """pySHACL, the reference, on rdflib's own parse."""

    def lines(self, data: bytes, nct_id: str) -> Results:
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format="nquads")
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
        return self.graph(graph, nct_id)

    def triples(self, triples: list, nct_id: str) -> Results:
        return self.graph(to_rdflib(triples), nct_id)

    def graph(self, graph: rdflib.Graph, nct_id: str) -> Results:
        from pyshacl import validate

        try:
            report = validate(graph, shacl_graph=shapes_graph(), inference="none",
                              advanced=False, allow_warnings=True)[1]
        except (TypeError, ValueError) as exc:
            return [_engine_failure(graph, nct_id, exc)]
        return report_results(report, nct_id)


class Engine(NamedTuple):
    checker: Checker
    fallback: str | None  # the engine a trial goes to where this one is not sure


ENGINES: dict[str, Engine] = {
    "native": Engine(Native(), "turbo"),
    "turbo": Engine(Turbo(), None),
    "pyshacl": Engine(PySHACL(), None),
}
DEFAULT_ENGINE = "native"


def checked(engine: str, check) -> Results:
    """``check(checker)`` of ``engine``, and of the engines it hands over to where it is not
    sure."""
    name: str | None = engine
    while name is not None:
        found = check(ENGINES[name].checker)
        if found is not None:
            return found
        name = ENGINES[name].fallback
    raise Uncertain(f"no SHACL engine after {engine} was sure of the trial")
