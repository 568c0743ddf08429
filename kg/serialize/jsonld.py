"""Compact JSON-LD with the project's local ``@context``: no network is ever needed.

Each node is one object in ``@graph``, sorted by ``@id``. schema.org terms compact to bare
names through ``@vocab``; kg: terms keep their prefix. Values carry their datatype explicitly,
so the document expands to exactly the triples of the Turtle output.
"""

from __future__ import annotations

from itertools import groupby

import orjson

from kg.mapping import MappedRecord
from kg.rdf import RDF_TYPE, XSD_BOOLEAN, XSD_INTEGER, XSD_STRING, Object
from kg.serialize.base import Format, sorted_triples
from kg.serialize.prefixes import PREFIXES, SAFE_LOCAL, compact
from kg.vocab import SCHEMA_NS

CONTEXT: dict = {"@vocab": SCHEMA_NS, **PREFIXES}


def context_document() -> bytes:
    """The context as published in ``ontologies/context.jsonld``."""
    return orjson.dumps({"@context": CONTEXT}, option=orjson.OPT_INDENT_2) + b"\n"


def key(iri: str) -> str:
    """A property or class name: bare for schema.org, ``prefix:local`` otherwise."""
    if iri.startswith(SCHEMA_NS) and SAFE_LOCAL.match(iri[len(SCHEMA_NS):]):
        return iri[len(SCHEMA_NS):]
    return compact(iri) or iri


def identifier(iri: str) -> str:
    return compact(iri) or iri


def value(obj: Object) -> object:
    if isinstance(obj, str):
        return {"@id": identifier(obj)}
    return literal_value(obj)


def literal_value(obj: tuple) -> object:
    """A literal as JSON-LD writes it: a string, a number or boolean of its type, else a value
    object with its datatype or language."""
    lexical, datatype, language = obj
    if language:
        return {"@value": lexical, "@language": language}
    if datatype == XSD_STRING:
        return lexical
    if datatype == XSD_INTEGER:
        return int(lexical)
    if datatype == XSD_BOOLEAN:
        return lexical == "true"
    return {"@value": lexical, "@type": identifier(datatype)}


def nodes(mapped: MappedRecord) -> list[dict]:
    """The record's node objects, in ``@id`` order."""
    result = []
    for subject, triples in groupby(sorted_triples(mapped.triples), key=lambda t: t[0]):
        node: dict = {"@id": identifier(subject)}
        for predicate, group in groupby(triples, key=lambda t: t[1]):
            objs = [o for _, _, o in group]
            if predicate == RDF_TYPE:
                node["@type"] = [key(o) for o in objs] if len(objs) > 1 else key(objs[0])
            else:
                values = [value(o) for o in objs]
                node[key(predicate)] = values if len(values) > 1 else values[0]
        result.append(node)
    return result


class JsonLd(Format):
    """One document: the context, then every record's nodes in one streamed ``@graph``."""

    extension = ".jsonld"
    separator = ","

    def header(self) -> str:
        return '{\n"@context": ' + orjson.dumps(CONTEXT, option=orjson.OPT_INDENT_2).decode() + \
            ',\n"@graph": ['

    def render(self, mapped: MappedRecord) -> str:
        return ",".join("\n" + orjson.dumps(node).decode() for node in nodes(mapped))

    def footer(self) -> str:
        return "\n]\n}\n"


class JsonLines(Format):
    """JSON Lines: one self-contained compact JSON-LD document per trial, one per line."""

    extension = ".jsonl"

    def render(self, mapped: MappedRecord) -> str:
        return orjson.dumps({"@context": CONTEXT, "@graph": nodes(mapped)}).decode() + "\n"
