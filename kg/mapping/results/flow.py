"""participantFlowModule: how many started, completed and left each group, period by period.

The flow is a node of the trial with its groups; each period is a ``qb:DataSet`` whose
observations are the counts of one milestone (STARTED, COMPLETED, ...) or one reason for
leaving (``Lost to Follow-up``...) in one group.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, field_triples, objects
from kg.mapping.numbers import counted
from kg.mapping.results.groups import map_groups, observation
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG, QB, SDMX_ATTRIBUTE, SDMX_MEASURE, SDO

PATH = "resultsSection.participantFlowModule"

FLOW_FIELDS = (
    ("preAssignmentDetails", KG.preAssignmentDetails, TEXT),
    ("recruitmentDetails", KG.recruitmentDetails, TEXT),
    ("typeUnitsAnalyzed", KG.typeUnitsAnalyzed, TEXT),
)
COMMENT = (("comment", SDMX_ATTRIBUTE.comment, TEXT),)
# period list -> (IRI segment, period predicate, row class, row kind predicate, cells key,
#                 observation predicate)
ROWS = (
    ("milestones", "milestone", KG.periodMilestone, KG.FlowMilestone, KG.milestoneType,
     "achievements", KG.milestone),
    ("dropWithdraws", "withdrawal", KG.periodWithdrawal, KG.FlowWithdrawal, KG.withdrawalReason,
     "reasons", KG.withdrawal),
)


def map_flow(ctx: MappingContext, flow: dict) -> Iterator[Triple]:
    node = ctx.child("participant-flow")
    yield ctx.trial, KG.participantFlow, node
    yield node, RDF_TYPE, KG.ParticipantFlow
    yield from field_triples(ctx, node, flow, FLOW_FIELDS, PATH)
    declared, triples = map_groups(ctx, node, flow, "groups", PATH)
    yield from triples
    for p, period in objects(ctx, flow, "periods", PATH):
        period_path = f"{PATH}.periods[{p - 1}]"
        period_node = f"{node}/period/{p}"
        yield node, KG.flowPeriod, period_node
        yield period_node, RDF_TYPE, KG.FlowPeriod
        yield period_node, RDF_TYPE, QB.DataSet
        yield from field_triples(ctx, period_node, period, (("title", SDO.name, TEXT),), period_path)
        for key, segment, link, cls, kind, cells, dimension in ROWS:
            for r, row in objects(ctx, period, key, period_path):
                row_path = f"{period_path}.{key}[{r - 1}]"
                row_node = f"{period_node}/{segment}/{r}"
                yield period_node, link, row_node
                yield row_node, RDF_TYPE, cls
                yield from field_triples(ctx, row_node, row, (("type", kind, TEXT),
                                                              ("comment", SDMX_ATTRIBUTE.comment, TEXT)),
                                         row_path)
                for c, cell in objects(ctx, row, cells, row_path):
                    cell_path = f"{row_path}.{cells}[{c - 1}]"
                    made = observation(ctx, row_node, period_node, node, declared,
                                       cell.get("groupId"), f"{cell_path}.groupId")
                    if made is None:
                        continue
                    obs, triples = made
                    yield from triples
                    yield obs, dimension, row_node
                    for field, predicate in (("numSubjects", SDMX_MEASURE.obsValue),
                                             ("numUnits", KG.numUnits)):
                        value = counted(cell.get(field))
                        if value is not None:
                            yield obs, predicate, value
                    yield from field_triples(ctx, obs, cell, COMMENT, cell_path)
