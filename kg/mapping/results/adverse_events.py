"""adverseEventsModule: deaths, serious and other adverse events, by group.

The module is a ``qb:DataSet`` node of the trial. Each event (a term in a source vocabulary
such as ``MedDRA 23.0``, under an organ system) is a node; each of its per-group stats is an
observation with the number of events, of participants affected and at risk. The groups' own
totals (deaths, serious, other: affected and at risk) are integers on the group node.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import INTEGER, TEXT, field_triples, objects
from kg.mapping.numbers import counted, measured
from kg.mapping.results.groups import map_groups, observation
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG, QB, SDO, Enumeration, kg_members

PATH = "resultsSection.adverseEventsModule"

EVENT_ASSESSMENT = Enumeration(
    "EventAssessment",
    kg_members(NON_SYSTEMATIC_ASSESSMENT="AssessmentNonSystematic",
               SYSTEMATIC_ASSESSMENT="AssessmentSystematic"),
    kg_class="EventAssessment",
)

REPORT_FIELDS = (
    ("timeFrame", KG.timeFrame, TEXT),
    ("description", SDO.description, TEXT),
    ("allCauseMortalityComment", KG.allCauseMortalityComment, TEXT),
)
GROUP_TOTALS = (
    ("deathsNumAffected", KG.deathsNumAffected, INTEGER),
    ("deathsNumAtRisk", KG.deathsNumAtRisk, INTEGER),
    ("seriousNumAffected", KG.seriousNumAffected, INTEGER),
    ("seriousNumAtRisk", KG.seriousNumAtRisk, INTEGER),
    ("otherNumAffected", KG.otherNumAffected, INTEGER),
    ("otherNumAtRisk", KG.otherNumAtRisk, INTEGER),
)
EVENT_FIELDS = (
    ("term", SDO.name, TEXT),
    ("organSystem", KG.organSystem, TEXT),
    ("sourceVocabulary", KG.sourceVocabulary, TEXT),
    ("notes", KG.eventNotes, TEXT),
)
# record list -> (IRI segment, predicate from the report)
EVENT_LISTS = (("seriousEvents", "serious", KG.seriousEvent),
               ("otherEvents", "other", KG.otherEvent))
STATS = (("numEvents", KG.numEvents), ("numAffected", KG.numAffected),
         ("numAtRisk", KG.numAtRisk))


def map_adverse_events(ctx: MappingContext, events: dict) -> Iterator[Triple]:
    node = ctx.child("adverse-events")
    yield ctx.trial, KG.adverseEvents, node
    yield node, RDF_TYPE, KG.AdverseEventsReport
    yield node, RDF_TYPE, QB.DataSet
    yield from field_triples(ctx, node, events, REPORT_FIELDS, PATH)
    threshold = measured(events.get("frequencyThreshold"))
    if threshold is not None:
        yield node, KG.frequencyThreshold, threshold
    declared, triples = map_groups(ctx, node, events, "eventGroups", PATH, GROUP_TOTALS)
    yield from triples
    for key, segment, predicate in EVENT_LISTS:
        for number, event in objects(ctx, events, key, PATH):
            path = f"{PATH}.{key}[{number - 1}]"
            event_node = f"{node}/{segment}/{number}"
            yield node, predicate, event_node
            yield event_node, RDF_TYPE, KG.AdverseEvent
            yield from field_triples(ctx, event_node, event, EVENT_FIELDS, path)
            if event.get("assessmentType") is not None:
                yield event_node, KG.assessmentType, ctx.term(
                    EVENT_ASSESSMENT, event["assessmentType"], f"{path}.assessmentType")
            for s, stat in objects(ctx, event, "stats", path):
                stat_path = f"{path}.stats[{s - 1}]"
                cell = observation(ctx, event_node, node, node, declared, stat.get("groupId"),
                                   f"{stat_path}.groupId")
                if cell is None:
                    continue
                obs, triples = cell
                yield from triples
                yield obs, KG.adverseEvent, event_node
                for field, stat_predicate in STATS:
                    value = counted(stat.get(field))
                    if value is not None:
                        yield obs, stat_predicate, value
