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
from kg.sources.ctrdata_sqlite import MAGIC, sqlite_items
from kg.sources.euctr_html import euctr_html_items
from kg.sources.isrctn_xml import isrctn_items
from kg.sources.legacy_xml import legacy_items
from kg.sources.registry_json import registry_items
from kg.sources.units import RawUnit, SourceItem
from kg.sources.who_xml import ROOT, who_items

HEAD = 64 * 1024  # bytes of an input its content is recognised by


class Reader(NamedTuple):
    name: str
    suffixes: tuple[str, ...]
    recognises: Callable[[bytes], bool]
    items: Callable[[bytes, str], Iterator[SourceItem]]


_CTGOV_JSON = re.compile(rb'^\s*[{\[].*?"(?:protocolSection|studies)"\s*:', re.DOTALL)
_CTGOV_XML = re.compile(rb"<clinical_study[\s>]")


def _json_key(*keys: str) -> Callable[[bytes], bool]:
    """A JSON document with one of ``keys`` among its first bytes."""
    pattern = re.compile(rb'^\s*[{\[].*?"(?:' + "|".join(keys).encode() + rb')"\s*:', re.DOTALL)
    return lambda head: bool(pattern.match(head))


def _xml_root(*names: str) -> Callable[[bytes], bool]:
    pattern = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:"
                         + "|".join(names).encode() + rb")[\s>/]", re.DOTALL)
    return lambda head: bool(pattern.match(head))


# The first that recognises an input's content reads it. Each registry's JSON reader reads
# any registry's records (a ctrdata export mixes them), each record told by its own keys.
READERS: tuple[Reader, ...] = (
    Reader("ctgov-json", (".json",), lambda head: bool(_CTGOV_JSON.match(head)),
           records_from_bytes),
    Reader("ctgov-xml", (".xml",), lambda head: bool(_CTGOV_XML.search(head)),
           lambda data, origin: legacy_items(origin, data)),
    Reader("ctis-json", (".json",), _json_key("ctNumber", "ctStatus"), registry_items),
    Reader("euctr-json", (".json",), _json_key("a2_eudract_number", "eudractNumber"),
           registry_items),
    Reader("isrctn-json", (".json",), _json_key("isrctn"), registry_items),
    Reader("drks-json", (".json",), _json_key("drksId"), registry_items),
    Reader("ctrdata-json", (".json", ".ndjson", ".jsonl"), _json_key("ctrname"),
           registry_items),
    Reader("isrctn-xml", (".xml",), _xml_root("allTrials", "fullTrial"), isrctn_items),
    Reader("who-xml", (".xml",), _xml_root(ROOT), who_items),
    Reader("euctr-html", (".html", ".htm"),
           lambda head: b"EudraCT number</td>" in head or b"clinicaltrialsregister.eu" in head,
           euctr_html_items),
    Reader("ctrdata-sqlite", (".sqlite", ".sqlite3", ".db"), lambda head: head.startswith(MAGIC),
           sqlite_items),
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
