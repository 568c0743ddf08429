"""SHACL-SPARQL constraints compiled to Python: one generated function per ``sh:select``.

rdflib parses the query into SPARQL algebra once per process; the algebra becomes Python
source (a nested loop per triple pattern over :class:`~kg.validation.engine.data.DataGraph`'s indexes, an
``if`` per FILTER, a helper function per NOT EXISTS), compiled with ``compile()`` and run over
all focus nodes of a trial in one call. That is what makes a constraint on every results cell of
a trial cost microseconds, where a SPARQL engine pays a query per focus node.

The compiler takes the part of SPARQL the shapes use (basic graph patterns, property paths
without negation, BIND, FILTER, EXISTS / NOT EXISTS, the usual operators and functions); a query
outside it is :class:`~kg.validation.engine.terms.Unsupported` and its trials go to another engine. The
generated code follows rdflib's evaluation (pySHACL's engine) where it is certain to: an
expression error, a comparison of terms of different kinds, or a computed value in a result
raises :class:`~kg.validation.engine.data.Uncertain`, and the trial is decided elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import rdflib
from rdflib.namespace import SH
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath

from kg.rdf import XSD_INTEGER, Literal
from kg.validation.engine.data import BlankNode, DataGraph, Uncertain, text_of
from kg.validation.engine.sparql_runtime import RUNTIME
from kg.validation.engine.terms import Result, ShapeInfo, Unsupported, iri_text, term

# ---- the compiler ---------------------------------------------------------------------------

class _Source:
    """Python source being generated, with its constants and helper functions."""

    def __init__(self) -> None:
        self.constants: dict[str, object] = {}
        self.helpers: list[str] = []
        self.count = 0

    def constant(self, value) -> str:
        for name, known in self.constants.items():
            if known == value and type(known) is type(value):
                return name
        name = f"C{len(self.constants)}"
        self.constants[name] = value
        return name

    def fresh(self, stem: str) -> str:
        self.count += 1
        return f"{stem}{self.count}"


def _name(variable) -> str:
    text = str(variable)
    if not re.fullmatch(r"[A-Za-z0-9_]+", text, re.ASCII):
        raise Unsupported(f"variable name {text!r}")
    return f"v_{text}"


def _is_variable(node) -> bool:
    return isinstance(node, (rdflib.Variable, rdflib.BNode))


class _Compiler:
    def __init__(self, source: _Source) -> None:
        self.source = source

    # -- graph patterns: each emits loops and calls ``inner(bound, depth)`` inside them --------

    def pattern(self, node, bound: frozenset, depth: int, inner: Callable) -> list[str]:
        name = getattr(node, "name", None)
        if name == "BGP":
            return self.bgp(list(node["triples"]), bound, depth, inner)
        if name in ("GroupGraphPatternSub", "TriplesBlock"):
            from rdflib.plugins.sparql.algebra import translateGroupGraphPattern

            return self.pattern(translateGroupGraphPattern(node), bound, depth, inner)
        if name == "Join":
            return self.pattern(node["p1"], bound, depth, lambda b, d: self.pattern(
                node["p2"], b, d, inner))
        if name == "Filter":
            def filtered(b: frozenset, d: int) -> list[str]:
                return [f"{'    ' * d}if ebv({self.expression(node['expr'], b)}):",
                        *inner(b, d + 1)]
            return self.pattern(node["p"], bound, depth, filtered)
        if name == "Extend":
            var = str(node["var"])

            def extended(b: frozenset, d: int) -> list[str]:
                if var in b:
                    raise Unsupported(f"BIND of ?{var}, which is bound already")
                return [f"{'    ' * d}{_name(var)} = {self.expression(node['expr'], b)}",
                        *inner(b | {var}, d)]
            return self.pattern(node["p"], bound, depth, extended)
        raise Unsupported(f"SPARQL pattern {name}")

    def bgp(self, triples: list, bound: frozenset, depth: int, inner: Callable) -> list[str]:
        if not triples:
            return inner(bound, depth)

        def known(node) -> bool:
            return not _is_variable(node) or str(node) in bound

        best = max(range(len(triples)), key=lambda i: (
            known(triples[i][0]) and known(triples[i][2]), known(triples[i][0]),
            known(triples[i][2]), -i))
        s, p, o = triples[best]
        rest = triples[:best] + triples[best + 1:]
        if _is_variable(s) and _is_variable(o) and str(s) == str(o) and str(s) not in bound:
            raise Unsupported("a triple pattern with one new variable twice")
        if isinstance(p, rdflib.Variable):
            raise Unsupported("a variable predicate")
        objects, subjects = self.path_functions(p)
        pad = "    " * depth
        added = {str(n) for n in (s, o) if _is_variable(n) and str(n) not in bound}
        if known(s) and known(o):
            line = f"{pad}if {self.node(o)} in {objects(self.node(s))}:"
        elif known(s):
            line = f"{pad}for {_name(o)} in {objects(self.node(s))}:"
        elif known(o):
            line = f"{pad}for {_name(s)} in {subjects(self.node(o))}:"
        elif isinstance(p, rdflib.URIRef):
            line = f"{pad}for {_name(s)}, {_name(o)} in BP({self.source.constant(str(p))}):"
        else:
            raise Unsupported("a property path between two new variables")
        return [line, *self.bgp(rest, bound | added, depth + 1, inner)]

    def node(self, node) -> str:
        if _is_variable(node):
            return _name(node)
        return self.source.constant(term(node))

    def path_functions(self, path) -> tuple[Callable[[str], str], Callable[[str], str]]:
        """Code for the objects a path reaches from a subject, and for the subjects that reach
        an object, each as a function of the code of the node (giving a list without
        repeats)."""
        if isinstance(path, rdflib.URIRef):
            predicate = self.source.constant(str(path))
            return (lambda n: f"V({n}, {predicate})"), (lambda n: f"S({predicate}, {n})")
        if isinstance(path, InvPath):
            objects, subjects = self.path_functions(path.arg)
            return subjects, objects
        if isinstance(path, AlternativePath):
            parts = [self.path_functions(a) for a in path.args]
            return (self._union([objects for objects, _ in parts]),
                    self._union([subjects for _, subjects in parts]))
        if isinstance(path, SequencePath):
            parts = [self.path_functions(a) for a in path.args]
            return (self._chain([objects for objects, _ in parts]),
                    self._chain([subjects for _, subjects in reversed(parts)]))
        if isinstance(path, MulPath):
            objects, subjects = self.path_functions(path.path)
            return (self._repeat(objects, path.zero, path.more),
                    self._repeat(subjects, path.zero, path.more))
        raise Unsupported(f"property path {path!r}")

    def _helper(self, stem: str, body: list[str]) -> Callable[[str], str]:
        name = self.source.fresh(stem)
        self.source.helpers.append("\n".join([f"def {name}(n):", *body]))
        return lambda n: f"{name}({n})"

    def _union(self, steps: list[Callable[[str], str]]) -> Callable[[str], str]:
        return self._helper("union", [
            "    found = {}", *(f"    found.update(dict.fromkeys({step('n')}))" for step in steps),
            "    return list(found)"])

    def _chain(self, steps: list[Callable[[str], str]]) -> Callable[[str], str]:
        body = ["    nodes = [n]"]
        for step in steps:
            body.append(f"    nodes = list(dict.fromkeys(x for m in nodes for x in {step('m')}))")
        return self._helper("chain", [*body, "    return nodes"])

    def _repeat(self, step: Callable[[str], str], zero: bool, more: bool) -> Callable[[str], str]:
        """p? (zero and not more), p* (zero and more), p+ (more)."""
        return self._helper("repeat", [
            f"    found = {{n: None}} if {zero} else {{}}",
            f"    frontier = list({step('n')})",
            "    while frontier:",
            "        x = frontier.pop()",
            "        if x in found:",
            "            continue",
            "        found[x] = None",
            f"        if {more}:",
            f"            frontier.extend({step('x')})",
            "    return list(found)"])

    # -- expressions: Python expressions giving a term ----------------------------------------

    def expression(self, e, bound: frozenset) -> str:
        if isinstance(e, rdflib.Variable):
            return _name(e) if str(e) in bound else f"unbound({str(e)!r})"
        if isinstance(e, (rdflib.URIRef, rdflib.Literal)):
            return self.source.constant(term(e))
        name = getattr(e, "name", None)

        def sub(key: str) -> str:
            return self.expression(e[key], bound)

        if name == "RelationalExpression":
            op = e["op"]
            if op in ("IN", "NOT IN"):
                options = ", ".join(self.expression(x, bound) for x in e["other"])
                found = f"member({sub('expr')}, ({options},))"
                return found if op == "IN" else f"(FALSE if {found} is TRUE else TRUE)"
            return f"compare({op!r}, {sub('expr')}, {sub('other')})"
        if name in ("ConditionalAndExpression", "ConditionalOrExpression"):
            parts = [e["expr"], *(e.get("other") or [])]
            joiner = " and " if name == "ConditionalAndExpression" else " or "
            return ("(TRUE if (" + joiner.join(f"ebv({self.expression(x, bound)})" for x in parts)
                    + ") else FALSE)")
        if name == "UnaryNot":
            return f"(FALSE if ebv({sub('expr')}) else TRUE)"
        if name in ("AdditiveExpression", "MultiplicativeExpression"):
            found = sub("expr")
            for op, other in zip(e.get("op") or [], e.get("other") or [], strict=True):
                found = f"arithmetic({found}, {op!r}, {self.expression(other, bound)})"
            return found
        if name == "UnaryMinus":
            return f"negate({sub('expr')})"
        if name == "UnaryPlus":
            return f"arithmetic({sub('expr')}, '+', {self.source.constant(Literal('0', XSD_INTEGER))})"
        if name == "Builtin_IF":
            return f"({sub('arg2')} if ebv({sub('arg1')}) else {sub('arg3')})"
        if name == "Builtin_BOUND":
            return "TRUE" if str(e["arg"]) in bound else "FALSE"
        if name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            helper = self.exists(e["graph"], bound)
            yes, no = ("TRUE", "FALSE") if name == "Builtin_EXISTS" else ("FALSE", "TRUE")
            arguments = ", ".join(_name(v) for v in sorted(bound))
            return f"({yes} if {helper}({arguments}) else {no})"
        if name == "Builtin_SUBSTR":
            length = f", {sub('length')}" if e.get("length") is not None else ""
            return f"substr({sub('arg')}, {sub('start')}{length})"
        if name == "Builtin_REGEX":
            flags = f", {sub('flags')}" if e.get("flags") is not None else ""
            return f"regex({sub('text')}, {sub('pattern')}{flags})"
        if name == "Builtin_sameTerm":
            return f"(TRUE if {sub('arg1')} == {sub('arg2')} else FALSE)"
        single = {"Builtin_STR": "str_of", "Builtin_STRLEN": "strlen",
                  "Builtin_isNUMERIC": "is_numeric", "Builtin_DATATYPE": "datatype",
                  "Builtin_LANG": "lang"}
        if name in single:
            return f"{single[name]}({sub('arg')})"
        kinds = {"Builtin_isIRI": "type(x) is not Literal and not isinstance(x, BlankNode)",
                 "Builtin_isURI": "type(x) is not Literal and not isinstance(x, BlankNode)",
                 "Builtin_isBLANK": "isinstance(x, BlankNode)",
                 "Builtin_isLITERAL": "type(x) is Literal"}
        if name in kinds:
            return f"(lambda x: TRUE if {kinds[name]} else FALSE)({sub('arg')})"
        raise Unsupported(f"SPARQL expression {name or type(e).__name__}")

    def exists(self, graph, bound: frozenset) -> str:
        """A helper function: whether the pattern has a solution under the current bindings."""
        name = self.source.fresh("exists")
        body = self.pattern(graph, bound, 1, lambda b, d: [f"{'    ' * d}return True"])
        parameters = ", ".join(_name(v) for v in sorted(bound))
        self.source.helpers.append("\n".join([f"def {name}({parameters}):", *body,
                                              "    return False"]))
        return name


Select = Callable[[DataGraph, list], Iterator[tuple]]


def compile_select(text: str, prefixes: dict[str, str]) -> tuple[Select, list[str]]:
    """The query as a function of (data graph, focus nodes) yielding (focus node, row), and the
    names of the projected variables the row holds."""
    from rdflib.plugins.sparql import prepareQuery

    try:
        algebra = prepareQuery(text, initNs=prefixes).algebra
    except Exception as exc:  # rdflib raises pyparsing and other errors for a bad query
        raise Unsupported(f"query rdflib cannot read ({type(exc).__name__})") from exc
    top = algebra["p"] if algebra.name == "SelectQuery" else None
    distinct = top is not None and top.name == "Distinct"
    if distinct:
        top = top["p"]
    if top is None or top.name != "Project":
        raise Unsupported(f"a {algebra.name} that is not a plain SELECT (DISTINCT)")
    projected = [str(v) for v in algebra["PV"]]
    source = _Source()
    compiler = _Compiler(source)

    def emit(bound: frozenset, depth: int) -> list[str]:
        row = ", ".join(_name(v) if v in bound else "None" for v in projected)
        return [f"{'    ' * depth}yield v_this, ({row}{',' if len(projected) == 1 else ''})"]

    body = compiler.pattern(top["p"], frozenset({"this"}), 2, emit)
    code = "\n".join([
        *source.helpers,
        "def select(focus_nodes):",
        "    for v_this in focus_nodes:",
        *body])
    # The generated functions read V, S and BP, the lookups of the graph being checked: they
    # are made afresh for each graph by ``make``.
    namespace = dict(RUNTIME, **source.constants)
    module = compile("def make(V, S, BP):\n" + _indent(code) + "\n    return select", "<sparql>",
                     "exec")
    exec(module, namespace)
    make = namespace["make"]

    def run(graph: DataGraph, focus_nodes: list) -> Iterator[tuple]:
        rows = make(graph.values, graph.subjects, graph.pairs)(focus_nodes)
        return _distinct(rows) if distinct else rows

    return run, projected


def _distinct(rows: Iterator[tuple]) -> Iterator[tuple]:
    """SELECT DISTINCT: each (focus node, row) once, in the order first found."""
    seen: set[tuple] = set()
    for row in rows:
        if row not in seen:
            seen.add(row)
            yield row


def _indent(code: str) -> str:
    return "\n".join("    " + line for line in code.split("\n"))


class SparqlConstraint:
    """One ``sh:sparql`` of a node shape, compiled; results as pySHACL makes them."""

    def __init__(self, graph: rdflib.Graph, node: rdflib.term.Node, shape: ShapeInfo) -> None:
        self.shape = shape
        self.messages = [str(m) for m in graph.objects(node, SH.message)]
        self.deactivated = (node, SH.deactivated, rdflib.Literal(True)) in graph
        prefixes = {}
        for declarations in graph.objects(node, SH.prefixes):
            for declaration in graph.objects(declarations, SH.declare):
                prefixes[str(graph.value(declaration, SH.prefix))] = str(
                    graph.value(declaration, SH.namespace))
        select = graph.value(node, SH.select)
        if select is None:
            raise Unsupported(f"{shape.owner}: a SPARQL constraint without sh:select")
        self.select, self.projected = compile_select(str(select), prefixes)

    def results(self, graph: DataGraph, focus_nodes: list) -> Iterator[Result]:
        if self.deactivated or not focus_nodes:
            return
        seen: set = set()
        for focus, row in self.select(graph, focus_nodes):
            if (focus, row) in seen:
                continue
            seen.add((focus, row))
            found = dict(zip(self.projected, row, strict=True))
            if found.get("failure") is not None:
                raise Uncertain(f"{self.shape.owner}: a SPARQL constraint reporting ?failure")
            this, path, value = found.pop("this", None), found.pop("path", None), found.pop(
                "value", None)
            if this is None and path is None and value is None:
                continue  # pySHACL ignores a row that binds none of the three
            if value is None:
                value = this or focus  # a node shape's result has its focus node as value
            yield self._result(this or focus, path, value, found)

    def _result(self, focus, path, value, others: dict) -> Result:
        messages = self.shape.messages + [m for m in self.messages if m not in self.shape.messages]
        if len(messages) != 1:
            raise Uncertain(f"{self.shape.owner}: {len(messages)} messages for a SPARQL result")
        if path is not None and (type(path) is Literal or isinstance(path, BlankNode)):
            raise Uncertain(f"{self.shape.owner}: ?path bound to something not an IRI")
        message = messages[0]
        substitutions = [*others.items(), ("this", focus), ("path", path), ("value", value)]
        for name, found in substitutions:  # pySHACL's order, and its re.sub
            if found is not None:
                message = re.sub("{[?$]" + name + "}", text_of(found), message)
        return Result(text_of(focus), "" if path is None else iri_text(path), text_of(value),
                      message, self.shape.severity, self.shape.owner,
                      "SPARQLConstraintComponent")

