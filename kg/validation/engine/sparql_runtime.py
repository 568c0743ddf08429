"""What the code compiled from SHACL-SPARQL calls: SPARQL's operators and functions on the data's
terms, following rdflib's evaluation where it is certain to and raising
:class:`~kg.validation.engine.data.Uncertain` where it is not (the trial is then decided by
another engine)."""

from __future__ import annotations

import re
from decimal import Decimal

from kg.rdf import XSD, XSD_BOOLEAN, XSD_DECIMAL, XSD_INTEGER, XSD_STRING, Literal
from kg.validation.engine.components import number
from kg.validation.engine.data import BlankNode, Uncertain, datatype_of, text_of

TRUE = Literal("true", XSD_BOOLEAN)
FALSE = Literal("false", XSD_BOOLEAN)
_OTHER_NUMERIC = {XSD + name for name in (
    "double", "float", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong", "unsignedShort",
    "unsignedByte")}


def _numeric(value):
    found = number(value)
    if found is None and type(value) is Literal and value[1] in _OTHER_NUMERIC:
        raise Uncertain(f"a number of datatype <{value[1]}>")
    return found


def _simple(value) -> str | None:
    """The text of a plain (xsd:string, untagged) literal."""
    if type(value) is Literal and value[1] == XSD_STRING and not value[2]:
        return value[0]
    return None


def ebv(value) -> bool:
    """SPARQL's effective boolean value."""
    if type(value) is Literal and not value[2]:
        if value[1] == XSD_BOOLEAN:
            return value[0] == "true"
        if value[1] == XSD_STRING:
            return value[0] != ""
        found = _numeric(value)
        if found is not None:
            return found != 0
    raise Uncertain(f"no effective boolean value for {value!r}")


_ORDER = {"<": lambda a, b: a < b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
          ">=": lambda a, b: a >= b, "=": lambda a, b: a == b, "!=": lambda a, b: a != b}


def compare(op: str, left, right) -> Literal:
    a, b = _numeric(left), _numeric(right)
    if a is not None and b is not None:
        return TRUE if _ORDER[op](a, b) else FALSE
    a, b = _simple(left), _simple(right)
    if a is not None and b is not None:
        return TRUE if _ORDER[op](a, b) else FALSE
    if op in ("=", "!="):
        if type(left) is not Literal and type(right) is not Literal:
            equal = left == right
        elif (type(left) is Literal and type(right) is Literal and left[1] == right[1] == XSD_BOOLEAN
              and not left[2] and not right[2]):
            equal = left[0] == right[0]
        else:
            raise Uncertain(f"{left!r} {op} {right!r}")
        return TRUE if equal == (op == "=") else FALSE
    raise Uncertain(f"{left!r} {op} {right!r}")


def member(value, options: tuple) -> Literal:
    for option in options:
        if compare("=", value, option) is TRUE:
            return TRUE
    return FALSE


def arithmetic(left, op: str, right) -> Literal:
    a, b = _numeric(left), _numeric(right)
    if a is None or b is None:
        raise Uncertain(f"arithmetic on {left!r} and {right!r}")
    if op == "/":
        if b == 0:
            raise Uncertain("division by zero")
        found = Decimal(a) / Decimal(b)
    else:
        found = a + b if op == "+" else a - b if op == "-" else a * b
    return Literal(str(found), XSD_INTEGER if isinstance(found, int) else XSD_DECIMAL)


def negate(value) -> Literal:
    return arithmetic(Literal("0", XSD_INTEGER), "-", value)


def _string(value) -> Literal:
    if type(value) is Literal and (value[2] or value[1] == XSD_STRING):
        return value
    raise Uncertain(f"not a string: {value!r}")


def str_of(value) -> Literal:
    if isinstance(value, BlankNode):
        raise Uncertain("STR of a blank node")
    return Literal(text_of(value))


def strlen(value) -> Literal:
    return Literal(str(len(_string(value)[0])), XSD_INTEGER)


def substr(value, start, length=None) -> Literal:
    """rdflib's SUBSTR: a Python slice from ``start - 1`` of ``length`` characters."""
    text = _string(value)
    begin = _numeric(start)
    if not isinstance(begin, int):
        raise Uncertain("SUBSTR with a start that is not an integer")
    begin -= 1
    end = None
    if length is not None:
        count = _numeric(length)
        if not isinstance(count, int):
            raise Uncertain("SUBSTR with a length that is not an integer")
        end = count + begin
    return Literal(text[0][begin:end], text[1], text[2])


def is_numeric(value) -> Literal:
    return TRUE if _numeric(value) is not None else FALSE


def datatype(value) -> str:
    found = datatype_of(value)
    if found is None:
        raise Uncertain("DATATYPE of a node that is not a literal")
    return found


def lang(value) -> Literal:
    if type(value) is not Literal:
        raise Uncertain("LANG of a node that is not a literal")
    return Literal(value[2] or "")


def regex(value, pattern, flags=None) -> Literal:
    text, expression = _string(value)[0], _simple(pattern)
    options = "" if flags is None else _simple(flags)
    if expression is None or options is None:
        raise Uncertain("REGEX with a pattern or flags that are not plain strings")
    found = re.search(expression, text, (re.I if "i" in options else 0)
                      | (re.M if "m" in options else 0) | (re.S if "s" in options else 0))
    return TRUE if found else FALSE


def unbound(name: str):
    raise Uncertain(f"?{name} is not bound where the expression reads it")


RUNTIME = {"TRUE": TRUE, "FALSE": FALSE, "ebv": ebv, "compare": compare, "member": member,
           "arithmetic": arithmetic, "negate": negate, "str_of": str_of, "strlen": strlen,
           "substr": substr, "is_numeric": is_numeric, "datatype": datatype, "lang": lang,
           "regex": regex, "unbound": unbound, "Literal": Literal, "BlankNode": BlankNode}
