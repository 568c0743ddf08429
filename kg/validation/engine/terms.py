"""What the native engine's parts share: a result, the error of an unsupported shape, and how
a shapes-graph term and a path read in the data's encoding and in a report."""

from __future__ import annotations

from typing import NamedTuple, Protocol

import rdflib

from kg.rdf import XSD_STRING, Literal
from kg.serialize.prefixes import compact


class Unsupported(ValueError):
    """The shapes use a SHACL feature the native engine does not implement."""


class Result(NamedTuple):
    """One validation result, as text, in the fields :class:`kg.validation.validate.ValidationResult`
    shows (without the NCT id, which the caller knows)."""

    focus: str
    path: str
    value: str
    message: str
    severity: str
    shape: str
    constraint: str


def term(node: rdflib.term.Node):
    """An rdflib term of the shapes graph in the data's encoding."""
    if isinstance(node, rdflib.Literal):
        if node.language:
            return Literal(str(node), XSD_STRING, node.language)
        return Literal(str(node), str(node.datatype) if node.datatype else XSD_STRING)
    if isinstance(node, rdflib.BNode):
        raise Unsupported(f"a blank node {node} where a term is expected")
    return str(node)


def iri_text(iri: str) -> str:
    """How a result names a path step: ``prefix:name`` in a known namespace, else ``<iri>``."""
    return compact(iri) or f"<{iri}>"


def path_text(steps: list[str]) -> str:
    """A result path as text: a predicate, or a sequence of predicates joined by ``/``."""
    return "/".join(iri_text(step) for step in steps)


class ShapeInfo(Protocol):
    """What a constraint reads of the shape it belongs to."""

    owner: str
    severity: str
    messages: list[str]
