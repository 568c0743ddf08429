"""The one table of record readers: which reader takes an input, by its content or its name.

Each :class:`Reader` names the registry and format it reads, the file suffixes it may take in
a directory or an archive, a test of an input's first bytes, and the function that turns the
input's bytes into :class:`~kg.sources.units.SourceItem` s (that registry's own record dicts).
An input goes to the first reader whose test its content passes; one that none recognises goes
to the reader its suffix names (which then says what is wrong with it), else to the first.
Another registry's reader joins by a row here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

from kg.sources.ctgov_json import records_from_bytes
from kg.sources.legacy_xml import legacy_items
from kg.sources.units import RawUnit, SourceItem

HEAD = 64 * 1024  # bytes of an input its content is recognised by


class Reader(NamedTuple):
    name: str
    suffixes: tuple[str, ...]
    recognises: Callable[[bytes], bool]
    items: Callable[[bytes, str], Iterator[SourceItem]]


_CTGOV_JSON = re.compile(rb'^\s*[{\[].*?"(?:protocolSection|studies)"\s*:', re.DOTALL)
_CTGOV_XML = re.compile(rb"<clinical_study[\s>]")

READERS: tuple[Reader, ...] = (
    Reader("ctgov-json", (".json",), lambda head: bool(_CTGOV_JSON.match(head)),
           records_from_bytes),
    Reader("ctgov-xml", (".xml",), lambda head: bool(_CTGOV_XML.search(head)),
           lambda data, origin: legacy_items(origin, data)),
)
RECORD_SUFFIXES: tuple[str, ...] = tuple(s for reader in READERS for s in reader.suffixes)


def reader_for(origin: str, data: bytes) -> Reader:
    head = data[:HEAD]
    for reader in READERS:
        if reader.recognises(head):
            return reader
    lowered = origin.lower()
    for reader in READERS:
        if lowered.endswith(reader.suffixes):
            return reader
    return READERS[0]


def unit_items(unit: RawUnit) -> Iterator[SourceItem]:
    """The records of one input, or the error that stands where they should have been."""
    if unit.error is not None:
        yield SourceItem(unit.origin, None, unit.error)
    else:
        yield from reader_for(unit.origin, unit.data).items(unit.data, unit.origin)
