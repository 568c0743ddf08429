"""The WHO ICTRP's XML export: root ``<Trials_downloaded_from_ICTRP>``, one ``<Trial>`` per
registration, each field a flat element holding text (``TrialID``, ``Source_Register``,
``Public_title``, ``Date_registration``...). The export pads every text node with white space
and writes empty fields as empty elements: a record is the trial's fields, stripped, the
empty ones left out. Values stay as the export writes them (``;``-joined lists, day-first
registration dates, month-first export dates): reading them is the mapping's part.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

from kg.errors import RecordError
from kg.sources.units import SourceItem

ROOT = "Trials_downloaded_from_ICTRP"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def who_items(data: bytes, origin: str) -> Iterator[SourceItem]:
    """Every registration of one export, each as ``{field: text}``."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        yield SourceItem(origin, None, RecordError(f"not well-formed XML ({exc})", origin=origin))
        return
    if _local(root.tag) != ROOT:
        yield SourceItem(origin, None, RecordError(
            f"not a WHO ICTRP export (root <{_local(root.tag)}>, not <{ROOT}>)", origin=origin))
        return
    for number, trial in enumerate((t for t in root if _local(t.tag) == "Trial"), 1):
        record = {}
        for element in trial:
            value = "".join(element.itertext()).strip()
            if value:
                record[_local(element.tag)] = value
        trial_id = record.get("TrialID", "")
        where = f"{origin}#Trial[{number}]"
        if not trial_id:
            yield SourceItem(where, None, RecordError(
                "a registration without a TrialID", origin=where, field="TrialID"))
        else:
            yield SourceItem(where, record, None, "who")
