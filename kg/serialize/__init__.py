"""Serializers: the mapping's triples as text. A serializer never decides what a triple means.

:data:`WRITERS` is the one table from a ``--format`` name to its writer; every writer takes the
mapped records one at a time, so output streams whatever the number of records.
"""

from __future__ import annotations

from kg.serialize.jsonld import JsonLdWriter
from kg.serialize.ntriples import NQuadsWriter, NTriplesWriter
from kg.serialize.turtle import TurtleWriter

WRITERS = {
    "turtle": TurtleWriter,
    "jsonld": JsonLdWriter,
    "ntriples": NTriplesWriter,
    "nquads": NQuadsWriter,
}
EXTENSIONS = {"turtle": ".ttl", "jsonld": ".jsonld", "ntriples": ".nt", "nquads": ".nq"}
