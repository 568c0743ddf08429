"""What validation reports: a result a person can act on, the shapes it is checked against, and
the standard SHACL report graph. Every engine's results come to :class:`ValidationResult`."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import rdflib
from rdflib.namespace import RDF, SH

from kg.validation.engine.terms import path_text
from kg.vocab import SCHEMA_NS

SHAPES_ENV = "KG_SHAPES_DIR"


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


def report_results(report: rdflib.Graph, nct_id: str) -> list[ValidationResult]:
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
