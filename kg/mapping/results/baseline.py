"""baselineCharacteristicsModule: who was enrolled, by group (age, sex, race, region...)."""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, field_triples, objects
from kg.mapping.results.groups import map_groups
from kg.mapping.results.measures import map_denominators, map_measure
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG

PATH = "resultsSection.baselineCharacteristicsModule"

BASELINE_FIELDS = (
    ("populationDescription", KG.populationDescription, TEXT),
    ("typeUnitsAnalyzed", KG.typeUnitsAnalyzed, TEXT),
)


def map_baseline(ctx: MappingContext, baseline: dict) -> Iterator[Triple]:
    node = ctx.child("baseline")
    yield ctx.trial, KG.baselineCharacteristics, node
    yield node, RDF_TYPE, KG.BaselineCharacteristics
    yield from field_triples(ctx, node, baseline, BASELINE_FIELDS, PATH)
    declared, triples = map_groups(ctx, node, baseline, "groups", PATH)
    yield from triples
    yield from map_denominators(ctx, node, baseline, node, declared, PATH)
    for m, measure in objects(ctx, baseline, "measures", PATH):
        measure_node = f"{node}/measure/{m}"
        yield node, KG.baselineMeasure, measure_node
        yield measure_node, RDF_TYPE, KG.BaselineMeasure
        yield from map_measure(ctx, measure_node, measure, node, declared,
                               f"{PATH}.measures[{m - 1}]")
