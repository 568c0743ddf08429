"""RDF files read with rdflib, where kg reads whole files (validate, load, enrich and link of
Turtle, N-Triples, JSON-LD): one place that decides how, so that reading a file never reaches
the network or another file.

rdflib's JSON-LD parser fetches every remote ``@context`` a document names, and reads ``file:``
ones (``file:///dev/zero`` never ends). Here a JSON-LD document's contexts are put in place
first: schema.org's from the copy kg ships, inline ones as they are; any other URL, and any
``@import``, is an error naming it. rdflib then has nothing to fetch.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import rdflib

from kg.errors import KgError
from kg.serialize.rdf_formats import rdf_format_of
from kg.serialize.schemaorg import SCHEMA_CONTEXT_URLS, schema_context

_SCHEMA = {url.rstrip("/") for url in SCHEMA_CONTEXT_URLS}


class ContextRefused(KgError):
    """A JSON-LD document names a context kg does not ship; nothing was fetched or read."""


def local_contexts(document: Any, origin: str) -> Any:
    """``document`` with every ``@context`` it names by URL replaced by the one kg ships."""

    def context(value: Any) -> Any:
        if isinstance(value, str):
            if value.rstrip("/") in _SCHEMA:
                return schema_context()["@context"]
            raise ContextRefused(f"{origin}: JSON-LD @context {value[:200]!r} is not one kg "
                                 "ships (schema.org); kg fetches and reads no other context")
        if isinstance(value, list):
            return [context(v) for v in value]
        if isinstance(value, dict):
            if "@import" in value:
                raise ContextRefused(f"{origin}: JSON-LD @import {str(value['@import'])[:200]!r}"
                                     " is refused; kg fetches and reads no other context")
            return {k: walk(v) for k, v in value.items()}
        return value

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: context(v) if k == "@context" else walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    return walk(document)


def rdflib_graph(path: Path, fmt: str | None = None) -> rdflib.Graph:
    """The triples of an RDF file (format from its suffix unless given, Turtle for a suffix
    that names none). Raises :class:`ContextRefused`, and rdflib's own errors for malformed
    input."""
    fmt = fmt or getattr(rdf_format_of(path), "name", "turtle")
    if fmt != "json-ld":
        return rdflib.Graph().parse(path, format=fmt)
    document = local_contexts(orjson.loads(path.read_bytes()), str(path))
    return rdflib.Graph().parse(data=orjson.dumps(document).decode(), format="json-ld",
                                publicID=path.resolve().as_uri())
