"""descriptionModule: the brief summary and the detailed description."""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, field_triples, module
from kg.rdf import Triple
from kg.vocab import KG, SDO

PATH = "protocolSection.descriptionModule"

DESCRIPTION_FIELDS = (
    ("briefSummary", SDO.description, TEXT),
    ("detailedDescription", KG.detailedDescription, TEXT),
)


def map_description(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    description = module(record, "protocolSection", "descriptionModule")
    yield from field_triples(ctx, ctx.trial, description, DESCRIPTION_FIELDS, PATH)
