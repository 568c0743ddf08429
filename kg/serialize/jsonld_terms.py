"""kg's JSON-LD read back into triples without a JSON-LD processor.

``kg export -f jsonld`` writes compact JSON-LD of one plain kind: a context of ``@vocab`` and
prefixes, then flat node objects (``@id``, ``@type``, properties whose values are strings,
integers, booleans, ``{"@id": …}`` or ``{"@value": …, "@type" | "@language": …}``). For that
kind, expansion is a few lookups a term: :func:`jsonld_triples` does it in Python (the reference),
``c/jsonld.c`` in C straight into the lines ``kg export`` writes (held to the
reference by the tests), at a fraction of the cost of Oxigraph's JSON-LD parser building a Python
object per quad. Anything outside it (a context with term
definitions, nested nodes, lists, blank nodes, ``null``, numbers that are not integers,
relative IRIs, language tags not in lower case) gives None, and the caller hands the document
to Oxigraph; so the triples are always the ones a JSON-LD processor reads, as the tests check
against Oxigraph on every shared record.
"""

from __future__ import annotations

import functools
import re

import orjson

from kg.rdf import RDF_TYPE, XSD, XSD_STRING, Literal
from kg.serialize.compiled import LINES, compiled
from kg.serialize.ntriples import lines

_jsonld = compiled(LINES, "jsonld")  # None where not built: Python reads it

_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_XSD_INTEGER = XSD + "integer"
_XSD_BOOLEAN = XSD + "boolean"
# An absolute IRI as an N-Triples IRIREF may hold it (what kg's line readers accept too).
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*")
_LANGUAGE = re.compile(r"[a-z]+(-[a-z0-9]+)*")
_GEN_DELIMS = tuple(":/?#[]@")


class _Refused(Exception):
    """The document is not of the plain kind read here."""


class _Context:
    """The context's prefixes and vocabulary, and every term expanded so far."""

    def __init__(self, context: object) -> None:
        if not isinstance(context, dict):
            raise _Refused
        vocab = context.get("@vocab")
        self.terms: dict[str, str] = {}
        for key, value in context.items():
            if key == "@vocab":
                continue
            # Only prefixes, each usable as one (JSON-LD 1.1: its IRI ends in a gen-delim).
            if key.startswith("@") or ":" in key or not isinstance(value, str) \
                    or not _IRI.fullmatch(value) or not value.endswith(_GEN_DELIMS):
                raise _Refused
            self.terms[key] = value
        if not isinstance(vocab, str) or not _IRI.fullmatch(vocab):
            raise _Refused
        self.vocab = vocab
        self._vocab_iris: dict[str, str] = {}
        self._document_iris: dict[str, str] = {}

    def vocab_iri(self, name: str) -> str:
        """A property, a class or a datatype (IRI expansion relative to the vocabulary)."""
        found = self._vocab_iris.get(name)
        if found is None:
            if name.startswith("@"):  # a keyword's form: JSON-LD processors drop it
                raise _Refused
            if name in self.terms:
                found = self.terms[name]
            elif ":" in name:
                found = self._compact(name)
            else:
                found = self.vocab + name
            if not _IRI.fullmatch(found):
                raise _Refused
            self._vocab_iris[name] = found
        return found

    def document_iri(self, value: object) -> str:
        """A node's ``@id`` (IRI expansion relative to the document: terms do not apply)."""
        if not isinstance(value, str) or value.startswith("@"):
            raise _Refused
        found = self._document_iris.get(value)
        if found is None:
            found = self._compact(value) if ":" in value else ""
            if not _IRI.fullmatch(found):
                raise _Refused  # a relative IRI: it would need the document's base
            self._document_iris[value] = found
        return found

    def _compact(self, value: str) -> str:
        prefix, _, suffix = value.partition(":")
        if prefix == "_":
            raise _Refused  # a blank node
        if suffix.startswith("//") or prefix not in self.terms:
            return value  # an absolute IRI
        return self.terms[prefix] + suffix


def _value(context: _Context, value: object) -> str | Literal:
    if isinstance(value, str):
        return Literal(value, XSD_STRING, None)
    if value is True or value is False:
        return Literal("true" if value else "false", _XSD_BOOLEAN, None)
    if type(value) is int and abs(value) < 10**21:
        return Literal(str(value), _XSD_INTEGER, None)
    if isinstance(value, dict):
        if value.keys() == {"@id"}:
            return context.document_iri(value["@id"])
        lexical = value.get("@value")
        if isinstance(lexical, str):
            if value.keys() == {"@value"}:
                return Literal(lexical, XSD_STRING, None)
            if value.keys() == {"@value", "@type"} and isinstance(value["@type"], str):
                return Literal(lexical, context.vocab_iri(value["@type"]), None)
            language = value.get("@language")
            if value.keys() == {"@value", "@language"} and isinstance(language, str) \
                    and _LANGUAGE.fullmatch(language):
                return Literal(lexical, _RDF_LANGSTRING, language)
    raise _Refused


_GRAPH = b',"@graph":'


@functools.lru_cache(maxsize=16)
def _context_of(opening: bytes) -> tuple[tuple[tuple[bytes, bytes], ...], bytes] | None:
    """A document's prefixes and vocabulary, read once per process for the few contexts of
    a run; None where the context is not of the plain kind."""
    try:
        context = _Context(orjson.loads(opening + b"}")["@context"])
    except (_Refused, orjson.JSONDecodeError, KeyError, TypeError):
        return None
    return (tuple((name.encode(), iri.encode()) for name, iri in context.terms.items()),
            context.vocab.encode())


def jsonld_lines(document: bytes, tail: bytes) -> bytes | None:
    """:func:`jsonld_triples` as the sorted lines ``kg export`` writes (each ending in
    ``tail``), read in C (``c/jsonld.c``) where the document is written as kg
    writes it, ``{"@context":…,"@graph":[…]}``; else in Python; None where neither reads it."""
    at = document.find(_GRAPH)
    found = None
    if _jsonld is not None and at > 0 and document.endswith(b"]}"):
        context = _context_of(document[:at])
        if context is not None:
            found = _jsonld(document[at + len(_GRAPH):-1], context[0], context[1], tail)
    if found is None:
        triples = jsonld_triples(document)
        found = None if triples is None else lines(triples, tail.decode()).encode()
    return found


def jsonld_triples(document: bytes) -> list[tuple] | None:
    """The triples of a JSON-LD document of the plain kind ``kg export`` writes, in kg's term
    encoding; None for any other document (or one that is not JSON)."""
    try:
        parsed = orjson.loads(document)
        if not isinstance(parsed, dict) or parsed.keys() != {"@context", "@graph"} \
                or not isinstance(parsed["@graph"], list):
            return None
        context = _Context(parsed["@context"])
        triples: list[tuple] = []
        append = triples.append
        for node in parsed["@graph"]:
            if not isinstance(node, dict) or "@id" not in node:
                return None
            subject = context.document_iri(node["@id"])
            for key, values in node.items():
                if key == "@id":
                    continue
                if key == "@type":
                    for name in values if isinstance(values, list) else [values]:
                        if not isinstance(name, str):
                            return None
                        append((subject, RDF_TYPE, context.vocab_iri(name)))
                    continue
                if key.startswith("@"):
                    return None
                predicate = context.vocab_iri(key)
                for value in values if isinstance(values, list) else [values]:
                    append((subject, predicate, _value(context, value)))
        return triples
    except (_Refused, orjson.JSONDecodeError):
        return None
