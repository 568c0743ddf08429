"""SHACL Core constraint components, each deciding as pySHACL does.

A component is made once per shape from the shapes graph. Most say, as a Python expression over
a value ``v``, when that value fails (:meth:`Component.condition`); :mod:`kg.validation.engine.codegen`
inlines the expression into a shape's generated checks, and :meth:`Component.fails` evaluates
the same expression, so there is one definition of each rule. Where pySHACL's answer goes
through rdflib's reading of a literal, the answer here relies on :mod:`kg.validation.engine.data` having
refused every literal not in canonical form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from kg.rdf import XSD, XSD_STRING, Literal
from kg.validation.engine.data import RDF_LANGSTRING, BlankNode, DataGraph, Uncertain, datatype_of, text_of

SH = "http://www.w3.org/ns/shacl#"
_NUMERIC = {XSD + "integer": int, XSD + "decimal": Decimal}


def number(value) -> int | Decimal | None:
    """The number a numeric literal stands for (None for anything else)."""
    if type(value) is Literal and not value[2]:
        convert = _NUMERIC.get(value[1])
        if convert is not None:
            return convert(value[0])
    return None


def is_string(value) -> bool:
    """What pySHACL calls a string value: an IRI, or a literal whose Python value is a str."""
    if type(value) is Literal:
        return value[1] == XSD_STRING or bool(value[2])
    return not isinstance(value, BlankNode)


# What the conditions may name besides their own constants.
GLOBALS = {"Literal": Literal, "BlankNode": BlankNode, "text_of": text_of}


class Constants:
    """Named constants for generated code: ``name(value)`` gives the name to write."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def name(self, value) -> str:
        for name, known in self.values.items():
            if known is value or (type(known) is type(value) and isinstance(value, (str, tuple))
                                  and known == value):
                return name
        name = f"K{len(self.values)}"
        self.values[name] = value
        return name


class Component:
    """One constraint component of one shape."""

    name = ""  # e.g. "MinCountConstraintComponent"
    generic = ""  # pySHACL's own message, for shapes without sh:message ("" = not known here)
    # A focus-level component fails a focus node as a whole, judging all its values at once (a
    # count); a value-level one fails each value on its own and never a node without values.
    focus_level = False
    inline = True  # False: the generated checks call fails() (a value may fail more than once)

    def condition(self, constants: Constants, v: str) -> str:
        """A Python expression, true when the value named ``v`` fails (value-level components;
        for focus-level ones ``v`` names the list of values)."""
        return f"{constants.name(self)}.fails_one(graph, focus, {v})"

    def fails(self, graph: DataGraph, focus, values: list) -> list:
        """The failing values (``None`` for a failure of the focus node as a whole)."""
        test = self._test()
        if self.focus_level:
            return [None] if test(graph, focus, values) else []
        return [v for v in values if test(graph, focus, v)]

    def _test(self) -> Callable:
        test = self.__dict__.get("_compiled")
        if test is None:
            constants = Constants()
            code = self.condition(constants, "v")
            test = eval(f"lambda graph, focus, v: {code}", dict(GLOBALS, **constants.values))
            self._compiled = test
        return test


class MinCount(Component):
    name = "MinCountConstraintComponent"
    focus_level = True

    def __init__(self, count: int) -> None:
        self.count = count

    def condition(self, constants, v):
        return f"len({v}) < {self.count}"


class MaxCount(Component):
    name = "MaxCountConstraintComponent"
    focus_level = True

    def __init__(self, count: int) -> None:
        self.count = count

    def condition(self, constants, v):
        return f"len({v}) > {self.count}"


class HasValue(Component):
    name = "HasValueConstraintComponent"
    focus_level = True

    def __init__(self, term) -> None:
        self.term = term

    def condition(self, constants, v):
        return f"{constants.name(self.term)} not in {v}"


class Datatype(Component):
    """Value is a literal of the datatype (and well-formed, which canonical form guarantees)."""

    name = "DatatypeConstraintComponent"

    def __init__(self, datatype: str, shown: str) -> None:
        self.datatype = datatype
        self.generic = f"Value is not Literal with datatype {shown}"

    def condition(self, constants, v):
        if self.datatype == RDF_LANGSTRING:
            return f"(type({v}) is not Literal or not {v}[2])"
        return (f"(type({v}) is not Literal or {v}[1] != {constants.name(self.datatype)} "
                f"or {v}[2])")


class Class(Component):
    name = "ClassConstraintComponent"

    def __init__(self, cls: str, shown: str) -> None:
        self.cls = cls
        self.generic = f"Value does not have class {shown}"

    def condition(self, constants, v):
        return f"(type({v}) is Literal or not graph.is_instance({v}, {constants.name(self.cls)}))"


_KINDS = {  # sh:nodeKind -> the failing condition
    SH + "IRI": "(type({v}) is Literal or isinstance({v}, BlankNode))",
    SH + "BlankNode": "(not isinstance({v}, BlankNode))",
    SH + "Literal": "(type({v}) is not Literal)",
    SH + "BlankNodeOrIRI": "(type({v}) is Literal)",
    SH + "BlankNodeOrLiteral": "(type({v}) is not Literal and not isinstance({v}, BlankNode))",
    SH + "IRIOrLiteral": "(isinstance({v}, BlankNode))",
}


class NodeKind(Component):
    name = "NodeKindConstraintComponent"

    def __init__(self, kind: str, shown: str) -> None:
        self.kind = _KINDS[kind]
        self.generic = f"Value is not of Node Kind {shown}"

    def condition(self, constants, v):
        return self.kind.format(v=v)


class In(Component):
    """Value is one of the listed terms; the lists hold IRIs and plain strings only (checked
    when the shapes are read), for which RDF term equality is rdflib's equality."""

    name = "InConstraintComponent"

    def __init__(self, members: frozenset) -> None:
        self.members = members

    def condition(self, constants, v):
        return f"{v} not in {constants.name(self.members)}"


class Pattern(Component):
    name = "PatternConstraintComponent"

    def __init__(self, pattern: str, flags: int) -> None:
        self.regex = re.compile(pattern, flags)
        self.generic = f"Value does not match pattern '{pattern}'"

    def condition(self, constants, v):
        return (f"(isinstance({v}, BlankNode) or "
                f"{constants.name(self.regex)}.search(text_of({v})) is None)")


class Range(Component):
    """sh:minInclusive, sh:maxInclusive and the exclusive pair, with a numeric bound."""

    def __init__(self, name: str, bound: int | Decimal, holds: Callable[[object, object], bool],
                 generic: str) -> None:
        self.name = name
        self.bound = bound
        self.holds = holds
        self.generic = generic

    def fails_one(self, graph, focus, value) -> bool:
        if type(value) is not Literal:
            return True  # an IRI or a blank node is not comparable
        found = number(value)
        if found is None:
            if is_string(value):
                return True  # pySHACL: a string is never in range of a number
            raise Uncertain(f"{self.name} on a {datatype_of(value)} literal")
        return not self.holds(found, self.bound)


class LessThanOrEquals(Component):
    """Each value is at most each value of another property of the focus node; one result per
    failing pair, as pySHACL gives."""

    name = "LessThanOrEqualsConstraintComponent"
    inline = False

    def __init__(self, predicate: str) -> None:
        self.predicate = predicate

    def fails(self, graph, focus, values):
        return [v for v in values for other in graph.values(focus, self.predicate)
                if self._fails(v, other)]

    @staticmethod
    def _fails(value, other) -> bool:
        if isinstance(value, BlankNode) or isinstance(other, BlankNode):
            raise Uncertain("sh:lessThanOrEquals with a blank node")
        if is_string(value) != is_string(other):
            return True
        if is_string(value):
            return not text_of(value) <= text_of(other)
        left, right = number(value), number(other)
        if left is None or right is None:
            raise Uncertain("sh:lessThanOrEquals between non-numeric literals")
        return not left <= right


class Logical(Component):
    """sh:or, sh:and, sh:not, sh:xone, sh:node: each value node against other shapes. Where
    every shape listed is a plain list of value conditions (``[ sh:datatype xsd:date ]``), the
    condition is those conditions combined; otherwise each shape is asked."""

    def __init__(self, name: str, shapes: list, rule: Callable[[int, int], bool]) -> None:
        self.name = name
        self.shapes = shapes  # kg.validation.engine.shapes.Shape
        self.rule = rule  # (shapes conformed to, shapes in all) -> passes

    def fails_one(self, graph, focus, value) -> bool:
        passed = sum(shape.conforms(graph, value) for shape in self.shapes)
        return not self.rule(passed, len(self.shapes))

    def condition(self, constants, v):
        simple = all(s.path is None and not s.properties and not s.sparql and all(
            not k.focus_level and type(k) is not Logical for k in s.components)
            for s in self.shapes)
        if not simple or self.name not in ("OrConstraintComponent", "AndConstraintComponent",
                                           "NotConstraintComponent"):
            return super().condition(constants, v)
        member_fails = ["(" + " or ".join(k.condition(constants, v) for k in s.components) + ")"
                        if s.components else "False" for s in self.shapes]
        if self.name == "OrConstraintComponent":
            return "(" + " and ".join(member_fails) + ")"
        if self.name == "AndConstraintComponent":
            return "(" + " or ".join(member_fails) + ")"
        return f"(not {member_fails[0]})"


LOGICAL = {
    SH + "not": ("NotConstraintComponent", lambda passed, total: passed == 0),
    SH + "node": ("NodeConstraintComponent", lambda passed, total: passed == total),
    SH + "or": ("OrConstraintComponent", lambda passed, total: passed > 0),
    SH + "and": ("AndConstraintComponent", lambda passed, total: passed == total),
    SH + "xone": ("XoneConstraintComponent", lambda passed, total: passed == 1),
}
