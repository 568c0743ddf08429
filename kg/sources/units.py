"""What every source gives: the bytes of one input, and the records read from them.

A reader of any registry or format turns a :class:`RawUnit` into :class:`SourceItem` s (the
table of readers is :mod:`kg.sources.readers`); these types stand apart so that the readers, the
file walker and the API client share them without importing each other.
"""

from __future__ import annotations

from typing import NamedTuple

from kg.errors import RecordError


class SourceItem(NamedTuple):
    """One record, or the error that stands where a record should have been."""

    origin: str
    record: dict | None
    error: RecordError | None = None
    registry: str = "ctgov"  # whose record it is: a key of kg.mapping.MAPPERS


class RawUnit(NamedTuple):
    """The bytes of one input file (a study or a page), not yet parsed, or why it has none.

    Parsing happens where the mapping happens, in worker processes: the reader only moves bytes.
    """

    origin: str
    data: bytes | None
    error: RecordError | None = None
