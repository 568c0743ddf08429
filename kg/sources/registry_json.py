"""Other registries' JSON records, as the registries give them and as ctrdata stores them:
EU CTIS (both portal generations, and a ``/search`` overview), EU CTR (ctrdata's JSON of the
text download, with results), ISRCTN (ctrdata's JSON of the API's XML) and DRKS (its own
export). Each record stays in its registry's own shape; only which registry it is is decided
here, by ctrdata's ``ctrname`` where it is given and else by the keys only that registry has.

A document may be one record, an array of records, a page of CTIS's ``/search`` (its records
under ``data``) or JSON Lines (one record a line, as ctrdata's exports and database dumps hold
them).
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from kg.errors import RecordError
from kg.sources.ctrdata_classic import classic_record
from kg.sources.units import SourceItem

# ctrdata's register names -> kg's registry names (CTGOV2 is the API v2 record kg reads as is).
CTRNAMES = {"CTIS": "ctis", "EUCTR": "euctr", "ISRCTN": "isrctn", "CTGOV2": "ctgov",
            "DRKS": "drks", "CTGOV": "ctgov-classic"}
# The keys only one registry's records have, in the order they are tried.
KEYS: tuple[tuple[str, str], ...] = (
    ("protocolSection", "ctgov"),
    ("ctNumber", "ctis"),
    ("a2_eudract_number", "euctr"),
    ("eudractNumber", "euctr"),
    ("drksId", "drks"),
    ("isrctn", "isrctn"),
)


def registry_of(record: object) -> str | None:
    """Whose record this is, or None where it is no registry's that kg reads."""
    if not isinstance(record, dict):
        return None
    named = CTRNAMES.get(record.get("ctrname")) if isinstance(record.get("ctrname"), str) else None
    if named is not None:
        return named
    return next((registry for key, registry in KEYS if key in record), None)


def json_documents(data: bytes) -> list:
    """The JSON values of a document: one value, or one a line (JSON Lines)."""
    try:
        return [orjson.loads(data)]
    except orjson.JSONDecodeError:
        lines = [line for line in data.splitlines() if line.strip()]
        if len(lines) < 2:
            raise
        return [orjson.loads(line) for line in lines]


def registry_items(data: bytes, origin: str) -> Iterator[SourceItem]:
    """Every record of a JSON document of any registry kg reads, each told by its registry."""
    try:
        documents = json_documents(data)
    except orjson.JSONDecodeError as exc:
        yield SourceItem(origin, None, RecordError(f"not valid JSON ({exc})", origin=origin))
        return
    records = [(origin, d) for d in documents] if len(documents) == 1 else [
        (f"{origin}:{line}", d) for line, d in enumerate(documents, 1)]
    if len(records) == 1 and isinstance(documents[0], list):
        records = [(f"{origin}[{i}]", d) for i, d in enumerate(documents[0])]
    elif len(records) == 1 and isinstance(documents[0], dict) and isinstance(
            documents[0].get("data"), list) and "pagination" in documents[0]:
        # a page of CTIS's /search: its overview records under "data"
        records = [(f"{origin}#data[{i}]", d) for i, d in enumerate(documents[0]["data"])]
    for where, record in records:
        yield record_item(where, record)


def record_item(origin: str, record: object, registry: str | None = None) -> SourceItem:
    """One record told by its registry (``registry`` where the source says it), or the error
    that says why it is no record kg reads."""
    if isinstance(record, dict) and "$schema" in record:
        return SourceItem(origin, None, RecordError(
            "a JSON Schema, not a trial record: skipped", origin=origin), "skipped")
    registry = registry or registry_of(record)
    if registry == "ctgov-classic":
        try:
            return SourceItem(origin, classic_record(record), None, "ctgov")
        except Exception as exc:  # one odd record must not end the run for the others
            return SourceItem(origin, None, RecordError(
                f"cannot read ctrdata's classic ClinicalTrials.gov record "
                f"({type(exc).__name__}: {exc})", origin=origin, field="ctrname"))
    if registry is None:
        kind = type(record).__name__ if not isinstance(record, dict) else "object"
        return SourceItem(origin, None, RecordError(
            f"not a trial record of a registry kg reads (a JSON {kind} without ctNumber, "
            "a2_eudract_number, isrctn, drksId or protocolSection)", origin=origin))
    return SourceItem(origin, record, None, registry)
