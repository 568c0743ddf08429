"""Registry numbers written as text, typed where they are numbers and kept where they are not.

The results section gives every measured value, spread, limit and count as a string: ``"19.63"``,
``"8"``, ``"NA"``, ``"<0.001"``, ``"1.2E-5"``. A value that is a number becomes an ``xsd:decimal``
in XSD's canonical form (``19.60`` -> ``19.6``: the form every store keeps), or an
``xsd:integer`` for counts; one that is not keeps its text as ``xsd:string`` on the same
predicate, so a query can ask ``datatype(?v)``. Only ASCII digits count: a
value in other scripts' digits stays text rather than becoming a number no reader expects.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from kg.rdf import XSD_DECIMAL, XSD_INTEGER, Literal, canonical_decimal, text

_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_SCIENTIFIC = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d{1,3}", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_COMPARED = re.compile(r"(<=|>=|≤|≥|=<|=>|<|>|=)?\s*(.+)", re.ASCII)
COMPARATORS = {"<=": "<=", "=<": "<=", "≤": "<=", ">=": ">=", "=>": ">=", "≥": ">=",
               "<": "<", ">": ">", "=": "="}


def decimal_lexical(value: str) -> str | None:
    """The canonical xsd:decimal lexical form of a number written as text, or None if it is not
    one."""
    value = value.strip()
    if _DECIMAL.fullmatch(value):
        return canonical_decimal(value)
    if _SCIENTIFIC.fullmatch(value):
        try:
            return canonical_decimal(format(Decimal(value), "f"))
        except InvalidOperation:  # pragma: no cover (the pattern admits only valid numbers)
            return None
    return None


def measured(value: object) -> Literal | None:
    """A measured value, spread or limit: a decimal where the text is a number, else the text."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        value = repr(value)
    if not isinstance(value, str) or not value.strip():
        return None
    lexical = decimal_lexical(value)
    return Literal(lexical, XSD_DECIMAL) if lexical is not None else text(value)


def counted(value: object) -> Literal | None:
    """A count of participants, units or events: an integer where it is one, else the text
    (which the shapes then report: a count must be a whole number)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Literal(str(value), XSD_INTEGER)
    if not isinstance(value, str) or not value.strip():
        return None
    stripped = value.strip()
    return Literal(str(int(stripped)), XSD_INTEGER) if _INTEGER.fullmatch(stripped) else text(value)


def compared(value: str) -> tuple[Literal, str | None]:
    """A p-value as written, ``"<0.0001"``: its number and its comparator (``<``, ``<=``...),
    or the text and None when it is not a (compared) number."""
    match = _COMPARED.fullmatch(value.strip())
    if match:
        lexical = decimal_lexical(match.group(2))
        if lexical is not None:
            comparator = COMPARATORS[match.group(1)] if match.group(1) else None
            return Literal(lexical, XSD_DECIMAL), comparator
    return text(value), None
