"""The ISRCTN API's XML (``/api/query/format/default`` and ``/api/trial/{id}/format/default``):
``<allTrials>`` of ``<fullTrial>`` s, each a ``<trial>`` with its ``<sponsor>``, ``<funder>``
and ``<contact>`` siblings. A record keeps the registry's own element names and all it holds
that ctrdata's JSON of the same XML drops: attributes (as ``@name``: ``@lastUpdated``,
``@numberType``, a limit's ``@unit``), the parties, and which elements repeat (a repeated
element is a list; an element with attributes or children is a dict, its text ``#text``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from kg.errors import RecordError
from kg.sources.units import SourceItem

PARTIES = ("sponsor", "funder", "contact")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def element_value(element: ET.Element) -> object:
    """An element as a value: its text, or a dict of its attributes and children."""
    children = list(element)
    text = (element.text or "").strip()
    if not children and not element.attrib:
        return text
    value: dict = {f"@{_local(k)}": v for k, v in element.attrib.items()}
    for child in children:
        name = _local(child.tag)
        item = element_value(child)
        if name in value:
            value[name] = (value[name] if isinstance(value[name], list) else [value[name]]) + [item]
        else:
            value[name] = item
    if text:
        value["#text"] = text
    return value


def isrctn_items(data: bytes, origin: str) -> Iterator[SourceItem]:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        yield SourceItem(origin, None, RecordError(f"not well-formed XML ({exc})", origin=origin))
        return
    name = _local(root.tag)
    trials = [root] if name == "fullTrial" else [t for t in root if _local(t.tag) == "fullTrial"]
    if name not in ("allTrials", "fullTrial"):
        yield SourceItem(origin, None, RecordError(
            f"not an ISRCTN document (root <{name}>, not <allTrials> or <fullTrial>)",
            origin=origin))
        return
    for number, full in enumerate(trials, 1):
        where = f"{origin}#fullTrial[{number}]" if name == "allTrials" else origin
        trial = next((c for c in full if _local(c.tag) == "trial"), None)
        if trial is None:
            yield SourceItem(where, None, RecordError("a <fullTrial> without its <trial>",
                                                      origin=where, field="trial"))
            continue
        record: dict = {"trial": element_value(trial)}
        for party in PARTIES:
            record[party] = [element_value(c) for c in full if _local(c.tag) == party]
        yield SourceItem(where, record, None, "isrctn")
