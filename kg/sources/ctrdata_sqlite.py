"""A ctrdata database (the R package's SQLite file): table ``my_trials(_id, json)``, one row
a record of any register ctrdata reads, as JSON text or (since 2024) SQLite's binary JSONB,
decoded by :mod:`kg.sources.jsonb` so that SQLite before 3.45 serves. Each row is told by its
``ctrname`` like a file of that registry's records (:mod:`kg.sources.registry_json`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import orjson

from kg.errors import RecordError
from kg.sources.jsonb import JsonbError, decode
from kg.sources.registry_json import record_item
from kg.sources.units import SourceItem

MAGIC = b"SQLite format 3\x00"
TABLE = "my_trials"


def _value(cell: object) -> object:
    if isinstance(cell, str):
        return orjson.loads(cell)
    if isinstance(cell, bytes):
        if cell[:1] in (b"{", b"["):  # JSON text stored as a blob
            try:
                return orjson.loads(cell)
            except orjson.JSONDecodeError:
                pass
        return decode(cell)
    raise ValueError(f"a {type(cell).__name__}, neither JSON text nor JSONB")


def sqlite_items(data: bytes, origin: str) -> Iterator[SourceItem]:
    """Every row of the database's ``my_trials``, in the order of ``_id``."""
    connection = sqlite3.connect(":memory:")
    try:
        try:
            connection.deserialize(data)
            rows = connection.execute(f"SELECT _id, json FROM {TABLE} ORDER BY _id").fetchall()
        except sqlite3.DatabaseError as exc:
            yield SourceItem(origin, None, RecordError(
                f"not a ctrdata database ({exc})", origin=origin, field=TABLE))
            return
    finally:
        connection.close()
    for row_id, cell in rows:
        where = f"{origin}#{row_id}"
        try:
            record = _value(cell)
        except (orjson.JSONDecodeError, JsonbError, UnicodeDecodeError, ValueError) as exc:
            yield SourceItem(where, None, RecordError(
                f"the row's json is neither JSON nor JSONB ({exc})", origin=where, field="json"))
            continue
        yield record_item(where, record)
