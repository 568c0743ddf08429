"""Registry dates typed by their precision: a month-only date never gains an invented day."""

from __future__ import annotations

import datetime
import re

from kg.rdf import XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH, Literal

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def partial_date(value: str) -> Literal | None:
    """``yyyy`` -> xsd:gYear, ``yyyy-MM`` -> xsd:gYearMonth, ``yyyy-MM-dd`` -> xsd:date.

    Returns None when the value is not a real calendar date of one of those shapes.
    """
    match = _PARTIAL_DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day = match.groups()
    try:
        datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    if day:
        return Literal(value, XSD_DATE)
    if month:
        return Literal(value, XSD_GYEARMONTH)
    return Literal(value, XSD_GYEAR)
