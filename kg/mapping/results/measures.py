"""The measure tables that baseline characteristics and outcome measures share.

A measure is a table: groups across, classes and categories down, one measurement per cell.
Each measure is a ``qb:DataSet``; each measurement a ``qb:Observation`` of it, linked to its group,
class and category, carrying its value (``sdmx-measure:obsValue``), spread and limits. What is
the same for every cell of a measure (param type, dispersion type, unit) is said once on the
measure, as RDF Data Cube allows for attributes attached at the data set level. Denominators
(the number analysed per group, for the measure or one class) are nodes of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.ids import part_key
from kg.mapping.context import MappingContext
from kg.mapping.fields import BOOLEAN, TEXT, field_triples, objects
from kg.mapping.numbers import counted, measured
from kg.mapping.results.groups import group_of, observation
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, QB, SDMX_ATTRIBUTE, SDMX_MEASURE, SDO, Enumeration, kg_members

MEASURE_PARAM = Enumeration(
    "MeasureParam",
    kg_members(GEOMETRIC_MEAN="ParamGeometricMean",
               GEOMETRIC_LEAST_SQUARES_MEAN="ParamGeometricLeastSquaresMean",
               LEAST_SQUARES_MEAN="ParamLeastSquaresMean", LOG_MEAN="ParamLogMean",
               MEAN="ParamMean", MEDIAN="ParamMedian", NUMBER="ParamNumber",
               COUNT_OF_PARTICIPANTS="ParamCountOfParticipants",
               COUNT_OF_UNITS="ParamCountOfUnits"),
    kg_class="MeasureParam",
)
MEASURE_DISPERSION = Enumeration(
    "MeasureDispersionType",
    kg_members(NA="DispersionNotApplicable", STANDARD_DEVIATION="DispersionStandardDeviation",
               STANDARD_ERROR="DispersionStandardError",
               INTER_QUARTILE_RANGE="DispersionInterQuartileRange",
               FULL_RANGE="DispersionFullRange", CONFIDENCE_80="DispersionConfidence80",
               CONFIDENCE_90="DispersionConfidence90", CONFIDENCE_95="DispersionConfidence95",
               CONFIDENCE_975="DispersionConfidence975", CONFIDENCE_99="DispersionConfidence99",
               CONFIDENCE_OTHER="DispersionConfidenceOther",
               GEOMETRIC_COEFFICIENT="DispersionGeometricCoefficient"),
    kg_class="DispersionType",
)
# Outcome measures give their dispersion as display text (the legacy XML's spellings).
DISPERSION_SPELLINGS = {
    "80% Confidence Interval": "CONFIDENCE_80", "90% Confidence Interval": "CONFIDENCE_90",
    "95% Confidence Interval": "CONFIDENCE_95", "97.5% Confidence Interval": "CONFIDENCE_975",
    "99% Confidence Interval": "CONFIDENCE_99", "Full Range": "FULL_RANGE",
    "Geometric Coefficient of Variation": "GEOMETRIC_COEFFICIENT",
    "Inter-Quartile Range": "INTER_QUARTILE_RANGE", "Standard Deviation": "STANDARD_DEVIATION",
    "Standard Error": "STANDARD_ERROR", "Not Applicable": "NA",
}

MEASURE_FIELDS = (
    ("title", SDO.name, TEXT),
    ("description", SDO.description, TEXT),
    ("populationDescription", KG.populationDescription, TEXT),
    ("unitOfMeasure", KG.unitOfMeasure, TEXT),
    ("calculatePct", KG.calculatePct, BOOLEAN),
    ("denomUnitsSelected", KG.denomUnitsSelected, TEXT),
    ("typeUnitsAnalyzed", KG.typeUnitsAnalyzed, TEXT),
)
COMMENT = (("comment", SDMX_ATTRIBUTE.comment, TEXT),)
# measurement key -> predicate of the observation
CELL_NUMBERS = (
    ("value", SDMX_MEASURE.obsValue),
    ("spread", KG.spread),
    ("lowerLimit", KG.lowerLimit),
    ("upperLimit", KG.upperLimit),
)


def map_measure(ctx: MappingContext, node: str, measure: dict, scope: str, declared: set[str],
                path: str) -> Iterator[Triple]:
    """One measure table: its own fields, denominators, classes, categories and cells.
    ``scope`` is the node that declares the groups the cells name."""
    yield node, RDF_TYPE, QB.DataSet
    yield from field_triples(ctx, node, measure, MEASURE_FIELDS, path)
    if measure.get("paramType") is not None:
        yield node, KG.paramType, ctx.term(MEASURE_PARAM, measure["paramType"], f"{path}.paramType")
    dispersion = measure.get("dispersionType")
    if dispersion is not None:
        code = DISPERSION_SPELLINGS.get(dispersion, dispersion) if isinstance(dispersion, str) \
            else dispersion
        yield node, KG.dispersionType, ctx.term(MEASURE_DISPERSION, code, f"{path}.dispersionType")
    yield from map_denominators(ctx, node, measure, scope, declared, path)
    for c, cls in objects(ctx, measure, "classes", path):
        class_path = f"{path}.classes[{c - 1}]"
        class_node = f"{node}/class/{c}"
        categories = objects(ctx, cls, "categories", class_path)
        named_class = bool(cls.get("title") or cls.get("denoms")
                           or any(cat.get("title") for _, cat in categories))
        if named_class:
            yield node, KG.hasClass, class_node
            yield class_node, RDF_TYPE, KG.MeasureClass
            yield from field_triples(ctx, class_node, cls, (("title", SDO.name, TEXT),), class_path)
            yield from map_denominators(ctx, class_node, cls, scope, declared, class_path)
        for k, category in categories:
            category_path = f"{class_path}.categories[{k - 1}]"
            category_node = f"{class_node}/category/{k}"
            named_category = isinstance(category.get("title"), str) and category["title"].strip()
            if named_category:
                yield class_node, KG.hasCategory, category_node
                yield category_node, RDF_TYPE, KG.MeasureCategory
                yield category_node, SDO.name, text(category["title"])
            for m, cell in objects(ctx, category, "measurements", category_path):
                cell_path = f"{category_path}.measurements[{m - 1}]"
                made = observation(ctx, category_node, node, scope, declared, cell.get("groupId"),
                                   f"{cell_path}.groupId")
                if made is None:
                    continue
                obs, triples = made
                yield from triples
                if named_class:
                    yield obs, KG.measureClass, class_node
                if named_category:
                    yield obs, KG.category, category_node
                for key, predicate in CELL_NUMBERS:
                    value = measured(cell.get(key))
                    if value is not None:
                        yield obs, predicate, value
                yield from field_triples(ctx, obs, cell, COMMENT, cell_path)


def map_denominators(ctx: MappingContext, owner: str, table: dict, scope: str,
                     declared: set[str], path: str) -> Iterator[Triple]:
    """The numbers analysed per group, in each unit the table counts (participants, eyes...)."""
    for d, denom in objects(ctx, table, "denoms", path):
        denom_path = f"{path}.denoms[{d - 1}]"
        units = denom.get("units") if isinstance(denom.get("units"), str) else ""
        for n, count in objects(ctx, denom, "counts", denom_path):
            count_path = f"{denom_path}.counts[{n - 1}]"
            group = group_of(ctx, scope, declared, count.get("groupId"), f"{count_path}.groupId")
            value = counted(count.get("value"))
            if group is None or value is None:
                continue
            node = f"{owner}/denom/{part_key(units or 'units')}/{group.rsplit('/', 1)[-1]}"
            yield owner, KG.denominator, node
            yield node, RDF_TYPE, KG.Denominator
            yield node, KG.group, group
            yield node, KG.count, value
            if units:
                yield node, KG.denomUnits, text(units)
