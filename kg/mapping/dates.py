"""Registry dates typed by their precision: a month-only date never gains an invented day."""

from __future__ import annotations

import datetime
import re

from kg.rdf import XSD_DATE, XSD_DATETIME, XSD_GYEAR, XSD_GYEARMONTH, Literal

_PARTIAL_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")


def partial_date(value: str) -> Literal | None:
    """``yyyy`` -> xsd:gYear, ``yyyy-MM`` -> xsd:gYearMonth, ``yyyy-MM-dd`` -> xsd:date.

    Returns None when the value is not a real calendar date of one of those shapes.
    """
    match = _PARTIAL_DATE.fullmatch(value) if isinstance(value, str) else None
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


_DATE_TIME_MINUTES = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2})", re.ASCII)


def date_time_minutes(value: object) -> Literal | None:
    """``yyyy-MM-ddTHH:mm`` (the registry's upload times) -> xsd:dateTime with ``:00`` seconds,
    which xsd:dateTime requires; None when it is not a real time of that shape."""
    match = _DATE_TIME_MINUTES.fullmatch(value) if isinstance(value, str) else None
    if not match or partial_date(match.group(1)) is None:
        return None
    if int(match.group(2)) > 23 or int(match.group(3)) > 59:
        return None
    return Literal(f"{value}:00", XSD_DATETIME)
