"""Registry dates typed by their precision (a month-only date never gains an invented day), and
registry ages ("18 Years"), which every registry's eligibility states."""

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


_MONTH_NAMES = ("January February March April May June July August September October "
                "November December").split()
# English month names and their three-letter forms (NLM citations, legacy XML): a fixed table,
# not the locale's, so a run under another locale reads the same dates.
MONTHS = {**{name: n for n, name in enumerate(_MONTH_NAMES, 1)},
          **{name[:3]: n for n, name in enumerate(_MONTH_NAMES, 1)}}


def date_from_parts(year: object, month: object = None, day: object = None) -> str | None:
    """``yyyy``, ``yyyy-MM`` or ``yyyy-MM-dd`` from parts given as numbers, digit strings or
    month names, keeping the precision given; None when the parts are not a real date (a part
    after a missing one is ignored: a day without a month says nothing)."""
    try:
        number = int(year)
        if month is None or month == "":
            text = f"{number:04d}"
        else:
            month_number = MONTHS[month] if month in MONTHS else int(month)
            text = f"{number:04d}-{month_number:02d}"
            if day is not None and day != "":
                text += f"-{int(day):02d}"
    except (TypeError, ValueError, KeyError):
        return None
    return text if partial_date(text) is not None else None


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


_AGE = re.compile(r"([0-9]+(?:\.[0-9]+)?) +(year|month|week|day|hour|minute)s?",
                  re.IGNORECASE | re.ASCII)
YEARS_PER_UNIT = {"year": 1, "month": 1 / 12, "week": 1 / 52, "day": 1 / 365, "hour": 1 / 8760,
                  "minute": 1 / 525600}


def parse_age(value: object) -> tuple[str, str] | None:
    """``"18 Years"`` -> ("18", "year"): the number as written and the unit; None otherwise."""
    match = _AGE.fullmatch(value.strip()) if isinstance(value, str) else None
    return (match.group(1), match.group(2).lower()) if match else None


def age_in_years(value: object) -> float | None:
    parsed = parse_age(value)
    return float(parsed[0]) * YEARS_PER_UNIT[parsed[1]] if parsed else None
