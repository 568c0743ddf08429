"""resultsSection: a finished trial's posted results, module by module.

Every number becomes one node that says what it measures (an RDF Data Cube observation with
its group, measure, class and category); see the README's data-model table for the shape.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import module
from kg.mapping.results.adverse_events import map_adverse_events
from kg.mapping.results.baseline import map_baseline
from kg.mapping.results.flow import map_flow
from kg.mapping.results.groups import arms_of_groups
from kg.mapping.results.more_info import map_more_info
from kg.mapping.results.outcome_measures import map_outcome_measures
from kg.rdf import Triple, boolean
from kg.vocab import KG

SECTION = "resultsSection"


def map_results(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    if isinstance(record.get("hasResults"), bool):
        yield ctx.trial, KG.hasResults, boolean(record["hasResults"])
    ctx.group_arms = arms_of_groups(ctx, record)
    flow = module(record, SECTION, "participantFlowModule")
    if flow:
        yield from map_flow(ctx, flow)
    baseline = module(record, SECTION, "baselineCharacteristicsModule")
    if baseline:
        yield from map_baseline(ctx, baseline)
    outcomes = module(record, SECTION, "outcomeMeasuresModule")
    if outcomes:
        yield from map_outcome_measures(ctx, record, outcomes)
    events = module(record, SECTION, "adverseEventsModule")
    if events:
        yield from map_adverse_events(ctx, events)
    yield from map_more_info(ctx, module(record, SECTION, "moreInfoModule"))
