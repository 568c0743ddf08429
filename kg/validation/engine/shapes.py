"""The shapes graph read once into plain objects: targets, paths, components, SPARQL.

Reading is strict: a SHACL feature this engine does not implement is an
:class:`Unsupported` error naming the shape, so a shape added later can never be skipped
silently; the caller then uses another engine for everything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from kg.validation.engine import components as c
from kg.validation.engine.data import DataGraph, Uncertain, text_of
from kg.validation.engine.sparql import SparqlConstraint
from kg.validation.engine.terms import Result, Unsupported, path_text, term

_SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
# Every predicate a shape may carry that this engine reads or that only documents the shape.
_KNOWN = {RDF.type, SH.path, SH.property, SH.targetClass, SH.targetSubjectsOf,
          SH.targetObjectsOf, SH.targetNode, SH.severity, SH.message, SH.name, SH.description,
          SH.minCount, SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH["in"], SH.pattern,
          SH.flags, SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
          SH.lessThanOrEquals, SH.hasValue, SH["or"], SH["and"], SH["not"], SH.xone, SH.node,
          SH.sparql, SH.deactivated, SH.order, SH.group, RDFS.label, RDFS.comment}


Path = Callable[[DataGraph, object], list]


def _predicate_path(predicate: str) -> Path:
    return lambda graph, focus: graph.values(focus, predicate)


def _sequence_path(steps: list[Path]) -> Path:
    def values(graph: DataGraph, focus) -> list:
        nodes = [focus]
        for step in steps:
            nodes = list(dict.fromkeys(v for node in nodes for v in step(graph, node)))
        return nodes
    return values


class Shape:
    """A node shape, a property shape (with a path), or a shape inside a logical constraint."""

    def __init__(self, node: rdflib.term.Node, owner: str, path: Path | None,
                 shown_path: str | None, predicate: str | None) -> None:
        self.node = node
        self.owner = owner  # the node shape whose name the results carry
        self.path = path
        self.shown_path = shown_path  # None: a path no result can show (not a predicate list)
        self.predicate = predicate  # the path, when it is a single predicate
        self.severity = "Violation"
        self.messages: list[str] = []
        self.components: list[c.Component] = []
        self.properties: list[Shape] = []
        self.sparql: list = []  # kg.validation.engine.sparql.SparqlConstraint
        self.targets: list[tuple[str, str]] = []

    def focus_nodes(self, graph: DataGraph) -> list:
        if len(self.targets) == 1 and self.targets[0][0] == "class":
            return graph.instances(self.targets[0][1])
        found: dict = {}
        for kind, value in self.targets:
            if kind == "class":
                found.update(dict.fromkeys(graph.instances(value)))
            elif kind == "subjectsOf":
                found.update(dict.fromkeys(s for s, _ in graph.pairs(value)))
            elif kind == "objectsOf":
                found.update(dict.fromkeys(o for _, o in graph.pairs(value)))
            else:
                found[value] = None
        return list(found)

    def conforms(self, graph: DataGraph, focus) -> bool:
        """Whether ``focus`` gives no result at all (how logical constraints use a shape)."""
        values = [focus] if self.path is None else self.path(graph, focus)
        for component in self.components:
            if component.fails(graph, focus, values):
                return False
        if self.sparql:
            raise Uncertain("a SPARQL constraint inside a logical constraint")
        return all(prop.conforms(graph, value) for prop in self.properties for value in values)

    def result(self, focus, value, component: c.Component) -> Result:
        if len(self.messages) > 1:
            raise Uncertain(f"{self.owner}: a shape with several messages")
        message = self.messages[0] if self.messages else component.generic
        if not message:
            raise Uncertain(f"{self.owner}: no sh:message and no generic text for {component.name}")
        if self.path is not None and self.shown_path is None:
            raise Uncertain(f"{self.owner}: a result on a path that is not a predicate list")
        return Result(text_of(focus), self.shown_path or "",
                      "" if value is None else text_of(value), message, self.severity,
                      self.owner, component.name)


class ShapesReader:
    """Reads every node shape of a shapes graph (and the shapes they name) into :class:`Shape`."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph

    def node_shapes(self) -> list[Shape]:
        graph = self.graph
        nodes = set(graph.subjects(RDF.type, SH.NodeShape))
        for kind in (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode):
            nodes.update(graph.subjects(kind, None))
        if any((node, RDF.type, cls) in graph for node in nodes for cls in (RDFS.Class,
                                                                             rdflib.OWL.Class)):
            raise Unsupported("implicit class targets (a shape that is also a class)")
        shapes = []
        for node in sorted(nodes, key=str):
            if (node, SH.deactivated, rdflib.Literal(True)) in graph:
                continue
            shapes.append(self.shape(node, str(node).rsplit("#", 1)[-1]))
        return shapes

    def shape(self, node: rdflib.term.Node, owner: str) -> Shape:
        graph = self.graph
        unknown = {p for p in graph.predicates(node, None)} - _KNOWN
        if unknown:
            raise Unsupported(f"{owner}: {', '.join(sorted(map(str, unknown)))}")
        path_node = graph.value(node, SH.path)
        path, shown = (None, None) if path_node is None else self.path(path_node, owner)
        predicate = str(path_node) if isinstance(path_node, rdflib.URIRef) else None
        shape = Shape(node, owner, path, shown, predicate)
        severity = graph.value(node, SH.severity)
        if severity is not None:
            shape.severity = _SEVERITIES[severity]
        shape.messages = [str(m) for m in graph.objects(node, SH.message)]
        shape.components = list(self.components(node, owner))
        for kind, name in ((SH.targetClass, "class"), (SH.targetSubjectsOf, "subjectsOf"),
                           (SH.targetObjectsOf, "objectsOf"), (SH.targetNode, "node")):
            shape.targets += [(name, term(t)) for t in sorted(graph.objects(node, kind), key=str)]
        for prop in graph.objects(node, SH.property):
            if (prop, SH.deactivated, rdflib.Literal(True)) not in graph:
                shape.properties.append(self.shape(prop, owner))
        for constraint in graph.objects(node, SH.sparql):
            if path_node is not None:
                raise Unsupported(f"{owner}: a SPARQL constraint on a property shape")
            shape.sparql.append(SparqlConstraint(graph, constraint, shape))
        return shape

    def path(self, node: rdflib.term.Node, owner: str) -> tuple[Path, str | None]:
        graph = self.graph
        if isinstance(node, rdflib.URIRef):
            return _predicate_path(str(node)), path_text([str(node)])
        if (node, RDF.first, None) in graph:
            steps = list(Collection(graph, node))
            if all(isinstance(s, rdflib.URIRef) for s in steps):
                return (_sequence_path([_predicate_path(str(s)) for s in steps]),
                        path_text([str(s) for s in steps]))
        raise Unsupported(f"{owner}: a property path other than a predicate or a sequence of them")

    def components(self, node: rdflib.term.Node, owner: str) -> Iterator[c.Component]:
        graph = self.graph

        def shown(value: rdflib.term.Node) -> str:  # as pySHACL's stringify_node shows a term
            return value.n3(namespace_manager=graph.namespace_manager)

        def one(predicate) -> rdflib.term.Node | None:
            found = list(graph.objects(node, predicate))
            if len(found) > 1:
                raise Unsupported(f"{owner}: several {predicate}")
            return found[0] if found else None

        if (count := one(SH.minCount)) is not None:
            yield c.MinCount(int(count))
        if (count := one(SH.maxCount)) is not None:
            yield c.MaxCount(int(count))
        if (datatype := one(SH.datatype)) is not None:
            yield c.Datatype(str(datatype), shown(datatype))
        for cls in graph.objects(node, SH["class"]):
            yield c.Class(str(cls), shown(cls))
        if (kind := one(SH.nodeKind)) is not None:
            yield c.NodeKind(str(kind), shown(kind))
        if (members := one(SH["in"])) is not None:
            listed = list(Collection(graph, members))
            if any(isinstance(m, rdflib.Literal) and (m.datatype or m.language) for m in listed):
                raise Unsupported(f"{owner}: sh:in with typed literals")
            yield c.In(frozenset(term(m) for m in listed))
        for pattern in graph.objects(node, SH.pattern):
            flags = one(SH.flags)
            yield c.Pattern(str(pattern), (re.I if flags and "i" in str(flags).lower() else 0)
                            | (re.M if flags and "m" in str(flags).lower() else 0))
        for predicate, name, holds in (
                (SH.minInclusive, "MinInclusiveConstraintComponent", lambda v, b: v >= b),
                (SH.maxInclusive, "MaxInclusiveConstraintComponent", lambda v, b: v <= b),
                (SH.minExclusive, "MinExclusiveConstraintComponent", lambda v, b: v > b),
                (SH.maxExclusive, "MaxExclusiveConstraintComponent", lambda v, b: v < b)):
            for bound in graph.objects(node, predicate):
                value = c.number(term(bound))
                if value is None:
                    raise Unsupported(f"{owner}: {predicate} with a bound that is not a number")
                yield c.Range(name, value, holds, "")
        for other in graph.objects(node, SH.lessThanOrEquals):
            yield c.LessThanOrEquals(str(other))
        if (value := one(SH.hasValue)) is not None:
            yield c.HasValue(term(value))
        for predicate, (name, rule) in c.LOGICAL.items():
            for argument in graph.objects(node, rdflib.URIRef(predicate)):
                members = (list(Collection(graph, argument))
                           if predicate.rsplit("#", 1)[1] in ("or", "and", "xone") else [argument])
                yield c.Logical(name, [self.shape(m, owner) for m in members], rule)
