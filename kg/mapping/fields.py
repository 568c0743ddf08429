"""Shared helpers for the section mappers: reading modules safely and flat field tables.

A flat field is a row ``(record key, predicate, kind)``; one helper turns a table of rows into
triples, so each section module reads like the table of its fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from kg.dates import partial_date
from kg.iri import web_iri
from kg.mapping.context import MappingContext
from kg.rdf import Literal, Object, Triple, boolean, decimal, integer, text

TEXT = "text"
BOOLEAN = "boolean"
INTEGER = "integer"
NUMBER = "number"
DATE = "date"
URL = "url"

FieldRow = tuple[str, str, str]


def module(record: dict, section: str, name: str) -> dict:
    """A module of a section, or an empty dict when the record does not have it."""
    value = record.get(section, {}).get(name) if isinstance(record.get(section), dict) else None
    return value if isinstance(value, dict) else {}


def nested(ctx: MappingContext, parent: dict, key: str, path: str) -> dict:
    """An object field (``designInfo``, ``organization``...), or {} (reported when the field is
    there but is not an object)."""
    value = parent.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        ctx.error(f"{path}.{key}", f"expected an object, got {type(value).__name__}")
        return {}
    return value


def _list(ctx: MappingContext, parent: dict, key: str, path: str) -> list:
    """A list field, or [] (reported when the field is there but is not a list)."""
    items = parent.get(key)
    if items is None:
        return []
    if not isinstance(items, list):
        ctx.error(f"{path}.{key}", f"expected a list, got {type(items).__name__}")
        return []
    return items


def objects(ctx: MappingContext, parent: dict, key: str, path: str) -> list[tuple[int, dict]]:
    """The dict items of a list field, numbered from 1; other items are reported and skipped."""
    found = []
    for number, item in enumerate(_list(ctx, parent, key, path), 1):
        if isinstance(item, dict):
            found.append((number, item))
        else:
            ctx.error(f"{path}.{key}[{number - 1}]", "expected an object")
    return found


def strings(ctx: MappingContext, parent: dict, key: str, path: str) -> list[str]:
    """The non-empty strings of a list-of-strings field."""
    return [s for s in _list(ctx, parent, key, path) if isinstance(s, str) and s.strip()]


def value_literal(ctx: MappingContext, value: Any, kind: str, path: str) -> Object | None:
    """The RDF term for one record value of a given kind; malformed values are reported."""
    if kind == TEXT:
        if isinstance(value, str):
            return text(value) if value.strip() else None
    elif kind == BOOLEAN:
        if isinstance(value, bool):
            return boolean(value)
    elif kind == INTEGER:
        if isinstance(value, int) and not isinstance(value, bool):
            return integer(value)
    elif kind == NUMBER:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return decimal(value)
    elif kind == DATE:
        typed = partial_date(value)
        if typed is not None:
            return typed
        ctx.error(path, f"malformed date {value!r} (expected yyyy, yyyy-MM or yyyy-MM-dd)")
        return Literal(str(value))
    elif kind == URL:
        if isinstance(value, str):
            iri = web_iri(value)
            if iri is not None:
                return iri
            ctx.warn(path, f"not an http(s) URL that can be an IRI {value!r}, kept as text")
            return text(value) if value.strip() else None
    ctx.error(path, f"expected {kind}, got {type(value).__name__} {value!r}")
    return Literal(str(value))


def field_triples(
    ctx: MappingContext, subject: str, source: dict, table: Sequence[FieldRow], path: str
) -> Iterator[Triple]:
    """One triple per present field of a flat field table."""
    for key, predicate, kind in table:
        value = source.get(key)
        if value is None:
            continue
        if kind == TEXT and type(value) is str:  # most fields: checked here, no call
            if value.strip():
                yield subject, predicate, text(value)
            continue
        obj = value_literal(ctx, value, kind, f"{path}.{key}")
        if obj is not None:
            yield subject, predicate, obj
