"""outcomesModule: primary, secondary and other pre-specified outcome measures."""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, field_triples, module, objects
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG, SDO

PATH = "protocolSection.outcomesModule"

# record list -> (IRI segment, predicate from the trial)
OUTCOME_LISTS = (
    ("primaryOutcomes", "primary", KG.primaryOutcome),
    ("secondaryOutcomes", "secondary", KG.secondaryOutcome),
    ("otherOutcomes", "other", KG.otherOutcome),
)
OUTCOME_FIELDS = (
    ("measure", SDO.name, TEXT),
    ("description", SDO.description, TEXT),
    ("timeFrame", KG.timeFrame, TEXT),
)


def map_outcomes(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    outcomes = module(record, "protocolSection", "outcomesModule")
    for key, segment, predicate in OUTCOME_LISTS:
        for number, outcome in objects(ctx, outcomes, key, PATH):
            node = ctx.child("outcome", segment, number)
            yield ctx.trial, predicate, node
            yield node, RDF_TYPE, KG.Outcome
            yield from field_triples(ctx, node, outcome, OUTCOME_FIELDS,
                                     f"{PATH}.{key}[{number - 1}]")
