"""outcomeMeasuresModule: each outcome's results table and its statistical analyses.

An outcome result is linked to the protocol's outcome of the same kind and title
(``kg:protocolOutcome``) where the outcomes module lists it. Its analyses compare some of its
groups; each is one node with its estimate, confidence interval, p-value and method, numbers
typed as decimals where the registry's text is a number (a p-value keeps its comparator).
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.ids import normalised_name
from kg.mapping.context import MappingContext
from kg.mapping.fields import BOOLEAN, DATE, TEXT, field_triples, module, objects, strings
from kg.mapping.numbers import compared, measured
from kg.mapping.results.groups import group_of, map_groups
from kg.mapping.results.measures import map_measure
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, OBO_NS, Enumeration, kg_members

PATH = "resultsSection.outcomeMeasuresModule"

OUTCOME_TYPE = Enumeration(
    "OutcomeMeasureType",
    kg_members(PRIMARY="OutcomePrimary", SECONDARY="OutcomeSecondary",
               OTHER_PRE_SPECIFIED="OutcomeOtherPreSpecified", POST_HOC="OutcomePostHoc"),
    kg_class="OutcomeMeasureType",
)
REPORTING_STATUS = Enumeration(
    "ReportingStatus",
    kg_members(NOT_POSTED="ResultsNotPosted", POSTED="ResultsPosted"),
    kg_class="ReportingStatus",
)
ANALYSIS_DISPERSION = Enumeration(
    "AnalysisDispersionType",
    kg_members(STANDARD_DEVIATION="DispersionStandardDeviation",
               STANDARD_ERROR_OF_MEAN="DispersionStandardErrorOfMean"),
    kg_class="DispersionType",
)
CI_SIDES = Enumeration(
    "ConfidenceIntervalNumSides",
    kg_members(ONE_SIDED="OneSided", TWO_SIDED="TwoSided"),
    kg_class="ConfidenceIntervalSides",
)
NON_INFERIORITY = Enumeration(
    "NonInferiorityType",
    kg_members(SUPERIORITY="TestSuperiority", NON_INFERIORITY="TestNonInferiority",
               EQUIVALENCE="TestEquivalence", OTHER="TestOther",
               NON_INFERIORITY_OR_EQUIVALENCE="TestNonInferiorityOrEquivalence",
               SUPERIORITY_OR_OTHER="TestSuperiorityOrOther",
               NON_INFERIORITY_OR_EQUIVALENCE_LEGACY="TestNonInferiorityOrEquivalenceLegacy",
               SUPERIORITY_OR_OTHER_LEGACY="TestSuperiorityOrOtherLegacy"),
    kg_class="NonInferiorityType",
)
# The estimate's param type is free text; where it names a statistic STATO defines, the
# analysis also links to that term (../shared/vocab/RESULTS_NOTES.md, section 2).
ESTIMATE_STATISTICS = (
    ("hazard ratio", "STATO_0000677"),
    ("odds ratio", "STATO_0000182"),
    ("risk ratio", "STATO_0000245"),
    ("relative risk", "STATO_0000245"),
    ("risk difference", "STATO_0000424"),
    ("median difference", "STATO_0000617"),
    ("mean difference", "STATO_0000457"),
    ("rate ratio", "STATO_0000680"),
)

OUTCOME_FIELDS = (
    ("timeFrame", KG.timeFrame, TEXT),
    ("anticipatedPostingDate", KG.anticipatedPostingDate, DATE),
)
ANALYSIS_FIELDS = (
    ("groupDescription", KG.groupDescription, TEXT),
    ("testedNonInferiority", KG.testedNonInferiority, BOOLEAN),
    ("nonInferiorityComment", KG.nonInferiorityComment, TEXT),
    ("pValueComment", KG.pValueComment, TEXT),
    ("statisticalMethod", KG.statisticalMethod, TEXT),
    ("statisticalComment", KG.statisticalComment, TEXT),
    ("paramType", KG.estimateType, TEXT),
    ("estimateComment", KG.estimateComment, TEXT),
    ("ciLowerLimitComment", KG.ciLowerLimitComment, TEXT),
    ("ciUpperLimitComment", KG.ciUpperLimitComment, TEXT),
    ("otherAnalysisDescription", KG.otherAnalysisDescription, TEXT),
)
ANALYSIS_NUMBERS = (
    ("paramValue", KG.estimateValue),
    ("ciPctValue", KG.ciPercent),
    ("ciLowerLimit", KG.ciLowerLimit),
    ("ciUpperLimit", KG.ciUpperLimit),
    ("dispersionValue", KG.dispersionValue),
)
ANALYSIS_ENUMS = (
    ("nonInferiorityType", KG.nonInferiorityType, NON_INFERIORITY),
    ("ciNumSides", KG.ciNumSides, CI_SIDES),
    ("dispersionType", KG.dispersionType, ANALYSIS_DISPERSION),
)
# outcome type -> the protocol's list and its IRI segment (as kg.mapping.outcomes names them)
PROTOCOL_LISTS = {"PRIMARY": ("primaryOutcomes", "primary"),
                  "SECONDARY": ("secondaryOutcomes", "secondary"),
                  "OTHER_PRE_SPECIFIED": ("otherOutcomes", "other")}


def map_outcome_measures(ctx: MappingContext, record: dict, outcomes: dict) -> Iterator[Triple]:
    for n, outcome in objects(ctx, outcomes, "outcomeMeasures", PATH):
        path = f"{PATH}.outcomeMeasures[{n - 1}]"
        node = ctx.child("outcome-result", n)
        yield ctx.trial, KG.outcomeResult, node
        yield node, RDF_TYPE, KG.OutcomeResult
        for key, predicate, enumeration in (("type", KG.outcomeType, OUTCOME_TYPE),
                                            ("reportingStatus", KG.reportingStatus,
                                             REPORTING_STATUS)):
            if outcome.get(key) is not None:
                yield node, predicate, ctx.term(enumeration, outcome[key], f"{path}.{key}")
        yield from field_triples(ctx, node, outcome, OUTCOME_FIELDS, path)
        protocol = _protocol_outcome(ctx, record, outcome)
        if protocol is not None:
            yield node, KG.protocolOutcome, protocol
        declared, triples = map_groups(ctx, node, outcome, "groups", path)
        yield from triples
        yield from map_measure(ctx, node, outcome, node, declared, path)
        for a, analysis in objects(ctx, outcome, "analyses", path):
            yield from _analysis(ctx, node, f"{node}/analysis/{a}", analysis, declared,
                                 f"{path}.analyses[{a - 1}]")


def _analysis(ctx: MappingContext, outcome: str, node: str, analysis: dict, declared: set[str],
              path: str) -> Iterator[Triple]:
    yield outcome, KG.analysis, node
    yield node, RDF_TYPE, KG.StatisticalAnalysis
    for gid in strings(ctx, analysis, "groupIds", path):
        group = group_of(ctx, outcome, declared, gid, f"{path}.groupIds")
        if group is not None:
            yield node, KG.comparedGroup, group
    yield from field_triples(ctx, node, analysis, ANALYSIS_FIELDS, path)
    for key, predicate, enumeration in ANALYSIS_ENUMS:
        if analysis.get(key) is not None:
            yield node, predicate, ctx.term(enumeration, analysis[key], f"{path}.{key}")
    for key, predicate in ANALYSIS_NUMBERS:
        value = measured(analysis.get(key))
        if value is not None:
            yield node, predicate, value
    p_value = analysis.get("pValue")
    if isinstance(p_value, str) and p_value.strip():
        value, comparator = compared(p_value)
        yield node, KG.pValue, value
        if comparator is not None:
            yield node, KG.pValueComparator, text(comparator)
    estimate = analysis.get("paramType")
    if isinstance(estimate, str):
        folded = estimate.casefold()
        statistic = next((OBO_NS + term for words, term in ESTIMATE_STATISTICS
                          if folded.startswith(words)), None)
        if statistic is not None:
            yield node, KG.estimateStatistic, statistic


def _protocol_outcome(ctx: MappingContext, record: dict, outcome: dict) -> str | None:
    """The protocol outcome of the same kind whose measure reads as this result's title."""
    kind, title = outcome.get("type"), outcome.get("title")
    if kind not in PROTOCOL_LISTS or not isinstance(title, str):
        return None
    key, segment = PROTOCOL_LISTS[kind]
    planned = module(record, "protocolSection", "outcomesModule").get(key)
    wanted = normalised_name(title)
    for number, item in enumerate(planned if isinstance(planned, list) else [], 1):
        if isinstance(item, dict) and isinstance(item.get("measure"), str) and \
                normalised_name(item["measure"]) == wanted:
            return ctx.child("outcome", segment, number)
    return None
