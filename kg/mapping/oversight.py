"""oversightModule: the regulatory flags, each a boolean of its own."""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import BOOLEAN, field_triples, module
from kg.rdf import Triple
from kg.vocab import KG

PATH = "protocolSection.oversightModule"

OVERSIGHT_FIELDS = (
    ("oversightHasDmc", KG.oversightHasDmc, BOOLEAN),
    ("isFdaRegulatedDrug", KG.isFdaRegulatedDrug, BOOLEAN),
    ("isFdaRegulatedDevice", KG.isFdaRegulatedDevice, BOOLEAN),
    ("isUnapprovedDevice", KG.isUnapprovedDevice, BOOLEAN),
    ("isPpsd", KG.isPpsd, BOOLEAN),
    ("isUsExport", KG.isUsExport, BOOLEAN),
    ("fdaaa801Violation", KG.fdaaa801Violation, BOOLEAN),
)


def map_oversight(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    oversight = module(record, "protocolSection", "oversightModule")
    yield from field_triples(ctx, ctx.trial, oversight, OVERSIGHT_FIELDS, PATH)
