"""The RDF term model the mapping emits.

The mapping runs once per record over hundreds of thousands of records, so its terms are the
cheapest values Python has: an IRI is a plain ``str`` and a literal is a small named tuple.
Subjects are always IRIs (the design has no blank nodes). Conversion to rdflib happens only at
the edges that need it (validation, JSON-LD round trips, tests).
"""

from __future__ import annotations

from typing import NamedTuple

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
XSD_BOOLEAN = XSD + "boolean"
XSD_DATE = XSD + "date"
XSD_DATETIME = XSD + "dateTime"
XSD_GYEARMONTH = XSD + "gYearMonth"
XSD_GYEAR = XSD + "gYear"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# The longest line of N-Triples or N-Quads a store can take: Oxigraph's parser holds a term in
# a buffer of at most 16 MiB (a little is left for the line's other terms).
LONGEST_LINE = 16 * 1024 * 1024 - 8192


class Literal(NamedTuple):
    """An RDF literal: lexical form, datatype IRI and optional language tag."""

    lexical: str
    datatype: str = XSD_STRING
    language: str | None = None


Object = str | Literal
Triple = tuple[str, str, Object]


_new = tuple.__new__  # a Literal without the Python-level __new__ NamedTuple adds


def text(value: str) -> Literal:
    return _new(Literal, (value, XSD_STRING, None))


def integer(value: int) -> Literal:
    return _new(Literal, (str(int(value)), XSD_INTEGER, None))


def canonical_decimal(number: str) -> str:
    """An xsd:decimal lexical form (digits, an optional point, an optional sign) in XSD's
    canonical form: no plus sign, no leading zeros, no trailing zeros after the point, no bare
    point, no negative zero (``+019.60`` -> ``19.6``). It is the form stores keep (Oxigraph and
    Virtuoso hold decimals by value), so a file and a store of it hold the same terms."""
    sign = "-" if number.startswith("-") else ""
    whole, _, fraction = number.lstrip("+-").partition(".")
    whole, fraction = whole.lstrip("0") or "0", fraction.rstrip("0")
    lexical = f"{whole}.{fraction}" if fraction else whole
    return sign + lexical if sign and lexical != "0" else lexical


def decimal(value: float | int | str) -> Literal:
    """A decimal literal in canonical form (a number's shortest repr, without exponent)."""
    if isinstance(value, str):
        return Literal(canonical_decimal(value), XSD_DECIMAL)
    lexical = repr(float(value))
    if "e" in lexical or "E" in lexical:
        lexical = f"{float(value):.15f}"
    return Literal(canonical_decimal(lexical), XSD_DECIMAL)


def boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", XSD_BOOLEAN)


def to_rdflib(triples):
    """Build an rdflib Graph from kg triples (for validation, JSON-LD round trips and tests)."""
    from rdflib import Graph, URIRef
    from rdflib import Literal as RdfLiteral

    graph = Graph()
    add = graph.add
    for s, p, o in triples:
        if isinstance(o, str):
            obj = URIRef(o)
        elif o.language:
            obj = RdfLiteral(o.lexical, lang=o.language)
        elif o.datatype == XSD_STRING:
            obj = RdfLiteral(o.lexical)
        else:
            obj = RdfLiteral(o.lexical, datatype=URIRef(o.datatype))
        add((URIRef(s), URIRef(p), obj))
    return graph


def from_rdflib(graph) -> list[Triple]:
    """kg triples from an rdflib Graph (blank nodes keep their rdflib label)."""
    from rdflib import Literal as RdfLiteral

    triples: list[Triple] = []
    for s, p, o in graph:
        if isinstance(o, RdfLiteral):
            datatype = str(o.datatype) if o.datatype else XSD_STRING
            obj: Object = Literal(str(o), datatype, o.language)
        else:
            obj = str(o)
        triples.append((str(s), str(p), obj))
    return triples


def overlong(lines: bytes | str) -> str:
    """Why ``lines`` (N-Triples or N-Quads) cannot be stored: a line past :data:`LONGEST_LINE`
    bytes, or "" (a line of a registry record is kilobytes; such a line is a text of many
    megabytes, which ``kg load`` and ``kg validate`` refuse alike)."""
    if len(lines) <= LONGEST_LINE:
        return ""
    data = lines.encode() if isinstance(lines, str) else lines
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > LONGEST_LINE:
            return (f"a line of {end - start:,} bytes (a text past the 16 MiB a store can "
                    "take)")
        start = end + 1
    return ""


# What kg's C readers pass on unparsed but Oxigraph's parser may refuse: an escape (\uD83D is
# half a character), "[" or "]" (in an IRI, only in an IPv6 host), a "%" not followed by two
# hex digits. A line holding one is parsed by Oxigraph, so kg validate refuses what kg load
# would; text with brackets or "50%" costs one small parse a line. (Found with bytes.find,
# which costs microseconds a trial where a regular expression costs milliseconds.)
_HEX = frozenset(b"0123456789abcdefABCDEF")


def _suspects(data: bytes) -> list[int]:
    found = []
    for needle in (b"[", b"]"):
        at = data.find(needle)
        while at >= 0:
            found.append(at)
            at = data.find(needle, at + 1)
    at = data.find(b"%")
    while at >= 0:
        if not (at + 2 < len(data) and data[at + 1] in _HEX and data[at + 2] in _HEX):
            found.append(at)
        at = data.find(b"%", at + 1)
    at = data.find(b"\\")
    while at >= 0:  # (bytes.find of two bytes costs fifty times one byte's)
        if data[at + 1:at + 2] in (b"u", b"U"):
            found.append(at)
        at = data.find(b"\\", at + 2)
    return sorted(found)


def refused_line(lines: bytes | str) -> str:
    """Why Oxigraph refuses a line of ``lines`` (N-Triples or N-Quads) that holds one of the
    forms kg's readers do not check, or ""."""
    import pyoxigraph as ox

    data = lines.encode() if isinstance(lines, str) else lines
    checked = -1
    for at in _suspects(data):
        if at <= checked:
            continue
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end < 0 else end
        checked = end
        try:
            for _ in ox.parse(data[start:end], format=ox.RdfFormat.N_QUADS):
                pass
        except SyntaxError as exc:
            return f"not RDF ({str(exc).strip().splitlines()[0][:200]})"
    return ""
