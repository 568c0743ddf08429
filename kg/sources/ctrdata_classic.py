"""ClinicalTrials.gov's retired XML as ctrdata stored it (register "CTGOV"): the XML turned into
JSON, one key an element, a repeated element a list, an element's text beside its attributes
under a text key. kg turns it back into the XML elements it came from and reads them with the
retired XML's reader (:mod:`kg.sources.legacy_xml`), so a ctrdata database's classic records
map like the XML files they were. Keys of ctrdata's own (``_id``, ``ctrname``,
``record_last_import``) are not the registry's and are left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kg.sources.legacy_xml import record_from_xml

OWN_KEYS = frozenset({"_id", "ctrname", "record_last_import"})
TEXT_KEYS = ("textContent", "#text", "$", "_text", "text")


def _element(name: str, value: object) -> list[ET.Element]:
    """The elements a JSON value stands for (a list: one each)."""
    if isinstance(value, list):
        return [e for item in value for e in _element(name, item)]
    element = ET.Element(name)
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@attributes" and isinstance(item, dict):
                element.attrib.update({str(k): str(v) for k, v in item.items()})
            elif key.startswith("@"):
                element.set(key[1:], str(item))
            elif key in TEXT_KEYS:
                element.text = str(item)
            else:
                element.extend(_element(key, item))
    elif value is not None:
        element.text = str(value).lower() if isinstance(value, bool) else str(value)
    return [element]


def classic_record(record: dict) -> dict:
    """The API v2-shaped record kg maps, from a classic record as ctrdata stored it."""
    root = ET.Element("clinical_study")
    for key, value in record.items():
        if key not in OWN_KEYS:
            root.extend(_element(key, value))
    return record_from_xml(root)
