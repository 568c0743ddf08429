"""Turtle: one prefix header, then one block per trial, subjects and predicates sorted.

Written directly rather than through rdflib so that it streams (a node shared by two trials is
simply described in both blocks, which Turtle allows) and is byte-stable across runs.
"""

from __future__ import annotations

from itertools import groupby

from kg.mapping import MappedRecord
from kg.rdf import RDF_TYPE, XSD_BOOLEAN, XSD_INTEGER, XSD_STRING, Object
from kg.serialize import ntriples
from kg.serialize.base import Format, sorted_triples
from kg.serialize.prefixes import PREFIXES, compact


def name(iri: str) -> str:
    return compact(iri) or ntriples.iri(iri)


def term(obj: Object) -> str:
    if isinstance(obj, str):
        return name(obj)
    lexical, datatype, language = obj
    if language:
        return f"{ntriples.string(lexical)}@{language}"
    if datatype == XSD_STRING:
        return ntriples.string(lexical)
    if datatype in (XSD_INTEGER, XSD_BOOLEAN):
        return lexical
    return f"{ntriples.string(lexical)}^^{name(datatype)}"


# kg's Turtle opens and ends with these comment lines: what proves a file kg's own writing,
# a "# NCT…" comment before each record (as NTRIPLES_OPENING does for N-Triples).
TURTLE_OPENING = "# kg Turtle: a record after each \"# NCT…\" line, as kg export writes them\n"
TURTLE_CLOSING = "# kg Turtle: end\n"


class Turtle(Format):
    extension = ".ttl"

    def header(self) -> str:
        return TURTLE_OPENING + "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())

    def footer(self) -> str:
        return TURTLE_CLOSING

    def render(self, mapped: MappedRecord) -> str:
        lines = [f"\n# {mapped.nct_id}\n"]
        for subject, triples in groupby(sorted_triples(mapped.triples), key=lambda t: t[0]):
            by_predicate = [(p, [o for _, _, o in group])
                            for p, group in groupby(triples, key=lambda t: t[1])]
            # rdf:type first, as "a", the way people read Turtle.
            by_predicate.sort(key=lambda item: item[0] != RDF_TYPE)
            parts = []
            for predicate, objs in by_predicate:
                verb = "a" if predicate == RDF_TYPE else name(predicate)
                parts.append(f"{verb} " + ", ".join(term(o) for o in objs))
            lines.append(f"{name(subject)}\n    " + " ;\n    ".join(parts) + " .\n")
        return "".join(lines)
