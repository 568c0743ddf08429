"""The mapping: one registry record in, its triples out. Pure: no I/O, no global state.

:func:`map_record` is the table of contents: one call per part of the record. Each section's
fields and the terms they become are in the module named for the section.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import chain
from typing import NamedTuple

from kg.errors import RecordError
from kg.ids import DEFAULT_BASE, is_nct_id
from kg.mapping.annotations import map_annotations
from kg.mapping.arms import map_arms
from kg.mapping.conditions import map_conditions
from kg.mapping.context import MappingContext, Problem
from kg.mapping.ctis import read_ctis
from kg.mapping.description import map_description
from kg.mapping.design import map_design
from kg.mapping.documents import map_documents
from kg.mapping.drks import read_drks
from kg.mapping.eligibility import map_eligibility
from kg.mapping.euctr import read_euctr
from kg.mapping.identification import map_identification
from kg.mapping.isrctn import read_isrctn
from kg.mapping.locations import map_locations
from kg.mapping.outcomes import map_outcomes
from kg.mapping.oversight import map_oversight
from kg.mapping.references import map_references
from kg.mapping.registration import Registration, registration_triples
from kg.mapping.results import map_results
from kg.mapping.sponsors import map_sponsors
from kg.mapping.status import map_status
from kg.mapping.who import read_who
from kg.rdf import Triple

SECTIONS = (
    map_identification,
    map_status,
    map_sponsors,
    map_oversight,
    map_description,
    map_conditions,
    map_design,
    map_arms,
    map_outcomes,
    map_eligibility,
    map_locations,
    map_references,
    map_results,
    map_documents,
    map_annotations,
)


# The other registries: each reads its record into a Registration (its registration key, the
# facts), which one writer maps (kg.mapping.registration). ClinicalTrials.gov's record, the
# richest, is mapped section by section (SECTIONS).
MAPPERS: dict[str, Callable[[dict, str], tuple[str, Registration]]] = {
    "ctis": read_ctis,
    "euctr": read_euctr,
    "isrctn": read_isrctn,
    "drks": read_drks,
    "who": read_who,
}


class MappedRecord(NamedTuple):
    nct_id: str
    trial: str
    triples: list[Triple]
    problems: list[Problem]


def nct_id_of(record: object, origin: str = "") -> str:
    """The record's NCT id, or a :class:`RecordError` saying why there is none."""
    if not isinstance(record, dict):
        raise RecordError(f"not a study record (a JSON {type(record).__name__})", origin=origin)
    protocol = record.get("protocolSection")
    if not isinstance(protocol, dict):
        raise RecordError("not a study record (no protocolSection)", origin=origin,
                          field="protocolSection")
    ident = protocol.get("identificationModule")
    nct_id = ident.get("nctId") if isinstance(ident, dict) else None
    if not isinstance(nct_id, str) or not nct_id.strip():
        raise RecordError("study without an NCT id", origin=origin,
                          field="protocolSection.identificationModule.nctId")
    nct_id = nct_id.strip().upper()
    if not is_nct_id(nct_id):
        raise RecordError(f"malformed NCT id {nct_id!r}", origin=origin, nct_id=nct_id,
                          field="protocolSection.identificationModule.nctId")
    return nct_id


def map_record(record: dict, base: str = DEFAULT_BASE, origin: str = "",
               registry: str = "ctgov") -> MappedRecord:
    """All triples of one registry record, without duplicates, in a stable order."""
    if registry != "ctgov":
        if not isinstance(record, dict):
            raise RecordError(f"not a record (a JSON {type(record).__name__})", origin=origin)
        key, registration = MAPPERS[registry](record, origin)
        ctx = MappingContext(base=base, nct_id=key)
        triples = dict.fromkeys(registration_triples(registration, ctx))
        return MappedRecord(key, ctx.trial, list(triples), ctx.problems)
    nct_id = nct_id_of(record, origin)
    ctx = MappingContext(base=base, nct_id=nct_id)
    for section in ("protocolSection", "derivedSection", "resultsSection", "documentSection",
                    "annotationSection"):
        modules = record.get(section)
        for name, value in (modules.items() if isinstance(modules, dict) else ()):
            if not isinstance(value, dict):
                ctx.error(f"{section}.{name}", f"expected an object, got {type(value).__name__}; "
                                               "the module is left out")
    triples = dict.fromkeys(chain.from_iterable(section(record, ctx) for section in SECTIONS))
    return MappedRecord(nct_id, ctx.trial, list(triples), ctx.problems)
