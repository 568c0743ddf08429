"""N-Triples and N-Quads, written straight from the mapping's triples (no rdflib).

Two writers give the same text: :func:`reference_lines` in Python, and ``kg.serialize._lines``
in C (``c/writer.c``, built by ``pip install``), which renders a record's triples about 3.5 times
faster (0.6 against 2.1 ms a record) and is the one :func:`lines` uses where it is built.
Rendering was about a third of an export worker's time per record; the Python writer stays as
the definition the tests hold the compiled one to.
"""

from __future__ import annotations

import re

from kg.mapping import MappedRecord
from kg.rdf import XSD_STRING, Object, Triple
from kg.serialize.base import Format
from kg.serialize.compiled import LINES, compiled

_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"}
# Besides what N-Triples must escape, the characters str.splitlines() and other line readers
# take for line ends (U+0085, U+2028, U+2029) are escaped too, so that one triple is always one
# line for any reader.
_STRING_SPECIAL = re.compile(r'[\\"\n\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]')
_IRI_SPECIAL = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _escape_char(match: re.Match) -> str:
    char = match.group(0)
    return _STRING_ESCAPES.get(char) or f"\\u{ord(char):04X}"


def iri(value: str) -> str:
    if _IRI_SPECIAL.search(value):
        value = _IRI_SPECIAL.sub(lambda m: f"\\u{ord(m.group(0)):04X}", value)
    return f"<{value}>"


def string(value: str) -> str:
    return '"' + _STRING_SPECIAL.sub(_escape_char, value) + '"'


def term(obj: Object) -> str:
    if isinstance(obj, str):
        return iri(obj)
    lexical, datatype, language = obj
    if language:
        return f"{string(lexical)}@{language}"
    if datatype == XSD_STRING:
        return string(lexical)
    return f"{string(lexical)}^^{iri(datatype)}"


# Predicates and datatypes recur in every record: rendered once per process (a bounded table,
# since a file being converted may bring any number of its own).
_VOCABULARY: dict[str, str] = {}
_VOCABULARY_SIZE = 10_000


def _vocabulary(value: str) -> str:
    text = _VOCABULARY.get(value)
    if text is None:
        text = iri(value)
        if len(_VOCABULARY) < _VOCABULARY_SIZE:
            _VOCABULARY[value] = text
    return text


def reference_lines(triples: list[Triple], tail: str) -> str:
    """Every triple as a line ending in ``tail``, sorted and without duplicates.

    Sorting the rendered lines (not the terms) keeps the output byte-stable at the least cost;
    IRIs repeat within a record, so each is escaped once, and a string with nothing to escape
    is not run through the substitution.
    """
    rendered: dict[str, str] = {}
    get = rendered.get
    vocabulary = _VOCABULARY.get
    special = _STRING_SPECIAL.search
    escape = _STRING_SPECIAL.sub
    found: set[str] = set()
    add = found.add
    for s, p, o in triples:
        subject = get(s)
        if subject is None:
            subject = rendered[s] = iri(s)
        predicate = vocabulary(p) or _vocabulary(p)
        if type(o) is str:
            obj = get(o)
            if obj is None:
                obj = rendered[o] = iri(o)
        else:
            lexical, datatype, language = o
            obj = '"' + (lexical if special(lexical) is None else escape(_escape_char, lexical)) + '"'
            if language:
                obj += "@" + language
            elif datatype != XSD_STRING:
                obj += "^^" + (vocabulary(datatype) or _vocabulary(datatype))
        add(f"{subject} {predicate} {obj}{tail}")
    return "".join(sorted(found))


lines = compiled(LINES, "lines") or reference_lines


# kg's N-Triples opens and ends with these comment lines. They are what proves a file kg's own
# writing, each trial's lines together (kg.serialize.trial_blocks then reads it a trial at a
# time): a file without both, or whose lines were moved (`sort` puts both first), is read by
# Oxigraph as any N-Triples.
NTRIPLES_OPENING = "# kg N-Triples: each trial's lines together, as kg export writes them\n"
NTRIPLES_CLOSING = "# kg N-Triples: end\n"


class NTriples(Format):
    extension = ".nt"

    def header(self) -> str:
        return NTRIPLES_OPENING

    def footer(self) -> str:
        return NTRIPLES_CLOSING

    def render(self, mapped: MappedRecord) -> str:
        return lines(mapped.triples, " .\n")


class NQuads(Format):
    """One named graph per trial, named by the trial's IRI, so a reload replaces it whole."""

    extension = ".nq"

    def render(self, mapped: MappedRecord) -> str:
        return lines(mapped.triples, f" {iri(mapped.trial)} .\n")
