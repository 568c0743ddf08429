"""Serializers: the mapping's triples as text. A serializer never decides what a triple means.

:data:`FORMATS` is the one table from a ``--format`` name to its format. A format renders one
record at a time (a pure function, fit for worker processes), so output streams whatever the
number of records.
"""

from __future__ import annotations

from kg.serialize.base import Format
from kg.serialize.jsonld import JsonLd, JsonLines
from kg.serialize.kgx import Kgx
from kg.serialize.ntriples import NQuads, NTriples
from kg.serialize.schemaorg import SchemaOrg
from kg.serialize.turtle import Turtle

FORMATS: dict[str, Format] = {
    "turtle": Turtle(),
    "jsonld": JsonLd(),
    "jsonl": JsonLines(),
    "ntriples": NTriples(),
    "nquads": NQuads(),
    "schemaorg": SchemaOrg(),
    "kgx": Kgx(),
}
