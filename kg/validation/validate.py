"""SHACL validation per trial, with a report a person can act on.

A trial is validated with its own subgraph (the trial and every node it reaches), so validation
runs in parallel workers and its cost grows linearly with the number of trials. Each result
names the trial, the focus node, the path, the value, the message and the shape it broke.

Three engines give the same results: kg's native engine (:mod:`kg.validation.engine`, the shapes compiled
into Python over the mapping's own terms; the default), pyshacl-turbo (a Rust engine with
pySHACL's API) and pySHACL (the reference). The native engine hands a trial it cannot be sure
of to pyshacl-turbo.
"""

from __future__ import annotations

import logging
import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import rdflib
from rdflib.namespace import RDF, SH

from kg.mapping import MappedRecord
from kg.rdf import XSD_STRING, Literal, to_rdflib
from kg.serialize.quads import strict_triples
from kg.validation.engine import BlankNode as BlankNodeLabel
from kg.validation.engine import NativeEngine, Uncertain, Unsupported
from kg.validation.engine.terms import path_text
from kg.vocab import SCHEMA_NS

SHAPES_ENV = "KG_SHAPES_DIR"
STUDY = rdflib.URIRef(SCHEMA_NS + "MedicalStudy")
_PART_OF_TRIAL = re.compile(r"^(.*/trial/NCT[0-9]{8})/")


class ValidationResult(NamedTuple):
    nct_id: str
    focus: str
    path: str
    value: str
    message: str
    severity: str  # "Violation", "Warning" or "Info"
    shape: str  # the node shape the result belongs to, e.g. "StudyShape"
    constraint: str  # e.g. "MinCountConstraintComponent"

    def line(self) -> str:
        return (f"{self.severity.lower()}: {self.nct_id}: {self.shape}: focus <{self.focus}> "
                f"path {self.path or '-'} value {self.value or '-'}: {self.message}")


# rdflib logs a traceback for every literal it cannot read as its datatype ("x"^^xsd:integer);
# the shapes report such a value as a result, so the log would only bury the report.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)


class ShapesMissing(RuntimeError):
    """No SHACL shapes where they should be: validating without them would pass anything."""


@cache
def shapes_graph() -> rdflib.Graph:
    """Every shapes file, read once per process: those shipped in the package (``kg.shapes``,
    the source tree's ``shapes/``), or those of the directory ``$KG_SHAPES_DIR`` names."""
    override = os.environ.get(SHAPES_ENV)
    files = (sorted(Path(override).glob("*.ttl")) if override else
             sorted((f for f in resources.files("kg.shapes").iterdir() if f.name.endswith(".ttl")),
                    key=lambda f: f.name))
    if not files:
        raise ShapesMissing(f"no SHACL shapes (*.ttl) found in {override or 'the kg.shapes package'}")
    graph = rdflib.Graph()
    for path in files:
        graph.parse(data=path.read_bytes(), format="turtle")
    return graph


@cache
def _owning_node_shapes() -> dict[rdflib.term.Node, str]:
    """Property shape -> the name of the node shape that holds it."""
    shapes = shapes_graph()
    owners = {}
    for node_shape in shapes.subjects(RDF.type, SH.NodeShape):
        name = str(node_shape).rsplit("#", 1)[-1]
        owners[node_shape] = name
        for prop in shapes.objects(node_shape, SH.property):
            owners[prop] = name
        for sparql in shapes.objects(node_shape, SH.sparql):
            owners[sparql] = name
    return owners


def _path_text(report: rdflib.Graph, path: rdflib.term.Node | None) -> str:
    if path is None:
        return ""
    if isinstance(path, rdflib.URIRef):
        return path_text([str(path)])
    items = list(rdflib.collection.Collection(report, path))
    return path_text([str(i) for i in items]) if items else str(path)


# native: kg's own engine (kg.validation.engine), the default; turbo: pyshacl-turbo, a Rust engine; pyshacl:
# the reference. All three give the same results (tests/test_engine_agreement.py).
ENGINES = ("native", "turbo", "pyshacl")
DEFAULT_ENGINE = "native"


@cache
def _compiled_shapes():
    """The shapes compiled once per process for pyshacl-turbo (compiling is most of the cost of
    a call that would compile them again)."""
    from pyshacl_turbo import compile_shapes

    return compile_shapes(shapes_graph())


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


def _report(data, engine: str) -> rdflib.Graph:
    """The SHACL report graph of ``data`` (an rdflib Graph, or for turbo its term input).

    pySHACL is the reference; pyshacl-turbo (a Rust engine with pySHACL's API) gives the same
    results many times faster and is the default. The shape tests run on both and fail on any
    difference (tests/test_engine_agreement.py)."""
    if engine == "turbo":
        return _compiled_shapes().validate(data, allow_warnings=True)[1]
    if engine == "pyshacl":
        from pyshacl import validate

        graph = data if isinstance(data, rdflib.Graph) else to_rdflib(data)
        return validate(graph, shacl_graph=shapes_graph(), inference="none", advanced=False,
                        allow_warnings=True)[1]
    raise ValueError(f"unknown SHACL engine {engine!r} (turbo or pyshacl)")


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


def validate_nquads(text: str | bytes, nct_id: str,
                    engine: str = DEFAULT_ENGINE) -> list[ValidationResult]:
    """The results for one trial given as N-Quads or N-Triples lines (a trial of an export; the
    graph names are not used). The native engine indexes lines as ``kg export`` writes them
    straight from their bytes; otherwise the fast engines get the lines split by kg's strict
    reader where they are in kg's form, else Oxigraph's parse; the reference engine gets
    rdflib's."""
    if engine == "pyshacl":
        dataset = rdflib.Dataset()
        dataset.parse(data=text, format="nquads")
        graph = rdflib.Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
        return validate_graph(graph, nct_id, engine)
    if engine == "native" and (native := _native_engine()) is not None:
        try:
            found = native.validate_lines(text if isinstance(text, bytes) else text.encode())
        except Uncertain:
            found = None  # validate_triples hands the trial over
        if found is not None:
            return sorted(ValidationResult(nct_id, *result) for result in found)
    if isinstance(text, bytes):
        text = text.decode()
    triples = strict_triples(text)
    if triples is None:
        triples = _oxigraph_triples(text)
    return validate_triples(list(dict.fromkeys(triples)), nct_id, engine)


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


def validate_triples(triples: list, nct_id: str,
                     engine: str = DEFAULT_ENGINE) -> list[ValidationResult]:
    """The results for one trial's distinct triples in kg's term encoding. The native engine
    hands a trial it cannot be sure of to pyshacl-turbo."""
    if engine == "native":
        found = _native(triples, nct_id)
        if found is not None:
            return found
        engine = "turbo"
    if engine == "pyshacl":
        return validate_graph(to_rdflib(triples), nct_id, engine)
    return _results(_report(_term_input(triples), engine), nct_id)


def _term(node: rdflib.term.Node):
    """An rdflib term in kg's encoding (blank nodes kept apart from IRIs)."""
    if isinstance(node, rdflib.BNode):
        return BlankNodeLabel(node)
    if isinstance(node, rdflib.Literal):
        return Literal(str(node), str(node.datatype) if node.datatype else XSD_STRING,
                       node.language)
    return str(node)


def validate_graph(graph: rdflib.Graph, nct_id: str,
                   engine: str = DEFAULT_ENGINE) -> list[ValidationResult]:
    """All SHACL results for one trial's graph."""
    if engine == "native":
        found = _native([(_term(s), str(p), _term(o)) for s, p, o in graph], nct_id)
        if found is not None:
            return found
        engine = "turbo"
    if engine == "pyshacl":
        try:
            return _results(_report(graph, engine), nct_id)
        except (TypeError, ValueError) as exc:
            return [_engine_failure(graph, nct_id, exc)]
    return _results(_report(graph, engine), nct_id)


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


def _results(report: rdflib.Graph, nct_id: str) -> list[ValidationResult]:
    for prefix, namespace in (("schema", SCHEMA_NS), ("kg", "https://w3id.org/ctkg/vocab#")):
        report.bind(prefix, namespace, override=True)
    owners = _owning_node_shapes()
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(result, SH.sourceShape)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        results.append(ValidationResult(
            nct_id=nct_id,
            focus=str(report.value(result, SH.focusNode)),
            path=_path_text(report, report.value(result, SH.resultPath)),
            value="" if value is None else str(value),
            message=str(report.value(result, SH.resultMessage) or ""),
            severity=str(severity).rsplit("#", 1)[-1],
            shape=owners.get(source, str(source)),
            constraint=str(report.value(result, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
        ))
    return sorted(results)


def validate_mapped(mapped: MappedRecord, engine: str = DEFAULT_ENGINE) -> list[ValidationResult]:
    """The results for one mapped record; the fast engines read its triples directly."""
    return validate_triples(mapped.triples, mapped.nct_id, engine)


class TrialSubgraph(NamedTuple):
    nct_id: str
    trial: str  # the trial's IRI, as the data has it
    graph: rdflib.Graph


def trial_subgraphs(graph: rdflib.Graph) -> Iterator[TrialSubgraph]:
    """Each trial of a whole graph with every node it reaches and every node named under its IRI
    (results observations point to their table, not the other way), not crossing into other
    trials."""
    trials = set(graph.subjects(RDF.type, STUDY))
    parts: dict[rdflib.term.Node, list[rdflib.term.Node]] = {}
    for subject in set(graph.subjects()):
        match = _PART_OF_TRIAL.match(str(subject))
        if match:
            parts.setdefault(rdflib.URIRef(match.group(1)), []).append(subject)
    for trial in sorted(trials):
        sub = rdflib.Graph()
        seen = {trial, *parts.get(trial, ())}
        frontier = list(seen)
        while frontier:
            node = frontier.pop()
            for triple in graph.triples((node, None, None)):
                sub.add(triple)
                obj = triple[2]
                if isinstance(obj, rdflib.URIRef) and obj not in seen and obj not in trials \
                        and triple[1] != RDF.type:
                    seen.add(obj)
                    frontier.append(obj)
        yield TrialSubgraph(str(trial).rsplit("/", 1)[-1], str(trial), sub)


def _path_node(graph: rdflib.Graph, path: str) -> rdflib.term.Node:
    """A result path back as SHACL writes it: an IRI, or an RDF list for a sequence path."""
    names = {"schema": SCHEMA_NS, "kg": "https://w3id.org/ctkg/vocab#"}
    steps = [rdflib.URIRef(names[step.split(":", 1)[0]] + step.split(":", 1)[1])
             if step.split(":", 1)[0] in names else rdflib.URIRef(step) for step in path.split("/")
             if step]
    if len(steps) == 1:
        return steps[0]
    head = rdflib.BNode()
    rdflib.collection.Collection(graph, head, steps)
    return head


def summary_counts(results: Iterable[ValidationResult]) -> Counter:
    """Results per (shape, severity), for the report's summary."""
    return Counter((r.shape, r.severity) for r in results)


def report_graph(results: Iterable[ValidationResult]) -> rdflib.Graph:
    """The results as a standard SHACL validation report graph (for ``--format turtle``)."""
    graph = rdflib.Graph()
    graph.bind("sh", SH)
    report = rdflib.URIRef("urn:kg:validation-report")
    results = list(results)
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, rdflib.Literal(
        not any(r.severity == "Violation" for r in results))))
    for number, r in enumerate(results, 1):
        node = rdflib.URIRef(f"urn:kg:validation-report:result:{number}")
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, rdflib.URIRef(r.focus)))
        graph.add((node, SH.resultSeverity, SH[r.severity]))
        graph.add((node, SH.resultMessage, rdflib.Literal(r.message)))
        graph.add((node, SH.sourceConstraintComponent, SH[r.constraint]))
        graph.add((node, SH.sourceShape, rdflib.URIRef("https://w3id.org/ctkg/shapes#" + r.shape)))
        if r.path:
            graph.add((node, SH.resultPath, _path_node(graph, r.path)))
        if r.value:
            graph.add((node, SH.value, rdflib.Literal(r.value)))
    return graph
