"""The results fixture's graph (tests/fixtures/NCT09900001.json) broken the way real data breaks,
each breakage with the result the results shapes must give for it."""

from __future__ import annotations

import rdflib
from rdflib import XSD, Literal, URIRef

SDO = rdflib.Namespace("https://schema.org/")
KG = rdflib.Namespace("https://w3id.org/ctkg/vocab#")
QB = rdflib.Namespace("http://purl.org/linked-data/cube#")
OBS_VALUE = URIRef("http://purl.org/linked-data/sdmx/2009/measure#obsValue")
TRIAL = URIRef("https://w3id.org/ctkg/id/trial/NCT09900001")
FLOW_GROUP = URIRef(f"{TRIAL}/participant-flow/group/FG000")
FLOW_CELL = URIRef(f"{TRIAL}/participant-flow/period/1/milestone/1/FG000")
EVENT_GROUP = URIRef(f"{TRIAL}/adverse-events/group/EG000")
EVENT = URIRef(f"{TRIAL}/adverse-events/serious/1")
EVENT_CELL = URIRef(f"{EVENT}/EG000")
OUTCOME = URIRef(f"{TRIAL}/outcome-result/1")
OUTCOME_CELL = URIRef(f"{OUTCOME}/class/1/category/1/OG000")
DENOMINATOR = URIRef(f"{OUTCOME}/denom/participants/OG000")
ANALYSIS = URIRef(f"{OUTCOME}/analysis/1")
VIOLATION = URIRef(f"{TRIAL}/annotation/violation/1")


def integer(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def group_without_code(g):
    g.remove((FLOW_GROUP, KG.groupCode, None))


def group_stands_for_another_trials_arm(g):
    other = URIRef("https://w3id.org/ctkg/id/trial/NCT00698191/arm/1")
    g.add((other, rdflib.RDF.type, KG.ArmGroup))
    g.set((FLOW_GROUP, KG.representsArm, other))


def total_group_stands_for_an_arm(g):
    total = URIRef(f"{TRIAL}/baseline/group/BG002")
    assert (total, rdflib.RDF.type, KG.TotalGroup) in g
    g.add((total, KG.representsArm, URIRef(f"{TRIAL}/arm/drug-x")))


def more_deaths_than_at_risk(g):
    g.set((EVENT_GROUP, KG.deathsNumAffected, integer(25)))


def affected_above_at_risk(g):
    g.set((EVENT_CELL, KG.numAffected, integer(30)))


def negative_event_count(g):
    g.set((EVENT_CELL, KG.numEvents, integer(-1)))


def cell_in_another_outcomes_group(g):
    g.set((OUTCOME_CELL, KG.group, URIRef(f"{TRIAL}/outcome-result/2/group/OG000")))


def lower_limit_above_upper(g):
    g.set((OUTCOME_CELL, KG.lowerLimit, Literal("20", datatype=XSD.decimal)))


def cell_without_table(g):
    g.remove((OUTCOME_CELL, QB.dataSet, None))


def flow_count_in_words(g):
    g.set((FLOW_CELL, OBS_VALUE, Literal("twenty")))


def negative_denominator(g):
    g.set((DENOMINATOR, KG["count"], integer(-3)))


def outcome_of_unknown_type(g):
    g.set((OUTCOME, KG.outcomeType, Literal("PRIMARYISH")))


def p_value_above_one(g):
    g.set((ANALYSIS, KG.pValue, Literal("1.5", datatype=XSD.decimal)))


def analysis_compares_a_group_of_another_outcome(g):
    g.add((ANALYSIS, KG.comparedGroup, URIRef(f"{TRIAL}/outcome-result/2/group/OG001")))


def confidence_limits_reversed(g):
    g.set((ANALYSIS, KG.ciLowerLimit, Literal("0", datatype=XSD.decimal)))


def adverse_event_without_term(g):
    g.remove((EVENT, SDO.name, None))


def document_served_elsewhere(g):
    document = g.value(TRIAL, KG.largeDocument)
    g.set((document, SDO.url, URIRef("https://example.org/protocol.pdf")))


def violation_of_unknown_type(g):
    g.set((VIOLATION, KG.violationEventType, KG.ViolationForgiven))


def primary_outcome_without_cells(g):
    for cell in list(g.subjects(QB.dataSet, OUTCOME)):
        g.remove((cell, None, None))


# breakage -> (node shape, path, focus node, severity)
RESULTS_CASES = {
    group_without_code: ("ResultGroupShape", "kg:groupCode", FLOW_GROUP, "Violation"),
    group_stands_for_another_trials_arm: ("ResultGroupShape", "kg:representsArm", FLOW_GROUP,
                                          "Violation"),
    total_group_stands_for_an_arm: ("TotalGroupShape", "kg:representsArm",
                                    URIRef(f"{TRIAL}/baseline/group/BG002"), "Violation"),
    more_deaths_than_at_risk: ("ResultGroupShape", "kg:deathsNumAffected", EVENT_GROUP,
                               "Violation"),
    affected_above_at_risk: ("ObservationShape", "kg:numAffected", EVENT_CELL, "Violation"),
    negative_event_count: ("ObservationShape", "kg:numEvents", EVENT_CELL, "Violation"),
    cell_in_another_outcomes_group: ("ObservationShape", "kg:group", OUTCOME_CELL, "Violation"),
    lower_limit_above_upper: ("ObservationShape", "kg:lowerLimit", OUTCOME_CELL, "Violation"),
    cell_without_table: ("ObservationShape", "qb:dataSet", OUTCOME_CELL, "Violation"),
    flow_count_in_words: ("FlowCountShape", "sdmx-measure:obsValue", FLOW_CELL, "Violation"),
    negative_denominator: ("DenominatorShape", "kg:count", DENOMINATOR, "Violation"),
    outcome_of_unknown_type: ("MeasureTableShape", "kg:outcomeType", OUTCOME, "Violation"),
    p_value_above_one: ("AnalysisShape", "kg:pValue", ANALYSIS, "Violation"),
    analysis_compares_a_group_of_another_outcome: ("AnalysisShape", "kg:comparedGroup", ANALYSIS,
                                                   "Violation"),
    confidence_limits_reversed: ("AnalysisShape", "kg:ciLowerLimit", ANALYSIS, "Violation"),
    adverse_event_without_term: ("AdverseEventShape", "schema:name", EVENT, "Violation"),
    document_served_elsewhere: ("PostedDocumentShape", "schema:url", None, "Violation"),
    violation_of_unknown_type: ("AnnotationEventShape", "kg:violationEventType", VIOLATION,
                                "Violation"),
    primary_outcome_without_cells: ("StudyResultsShape", "", TRIAL, "Warning"),
}
