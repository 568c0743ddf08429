"""ClinicalTrials.gov API v2 JSON: a study record, or a ``/studies`` page of them."""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from kg.errors import RecordError
from kg.sources.units import SourceItem


def records_from_bytes(data: bytes, origin: str) -> Iterator[SourceItem]:
    """The study records in one JSON document: a study, or a page ``{"studies": [...]}``."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield SourceItem(origin, None, RecordError(f"not valid JSON ({exc})", origin=origin))
        return
    if isinstance(document, dict) and isinstance(document.get("studies"), list):
        for index, study in enumerate(document["studies"]):
            yield SourceItem(f"{origin}#studies[{index}]", study)
    elif isinstance(document, dict) and "protocolSection" in document:
        yield SourceItem(origin, document)
    else:
        kind = type(document).__name__
        yield SourceItem(origin, None, RecordError(
            f"JSON is neither a study nor a page of studies (a {kind})", origin=origin))
