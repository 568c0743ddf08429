"""eligibilityModule: who may take part.

The criteria are one node, ``<trial>/eligibility``, typed ``kg:EligibilityCriteria`` and
``schema:PeopleAudience`` so that schema.org's own age terms apply. Ages become quantities with
a UN/CEFACT unit code ("15 Years" -> 15 ANN); whole years also fill ``schema:requiredMinAge``.
The free text is kept whole, and split into inclusion and exclusion criteria when it carries
the registry's usual headings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.dates import parse_age
from kg.mapping.context import MappingContext
from kg.mapping.fields import BOOLEAN, TEXT, field_triples, module, strings
from kg.rdf import RDF_TYPE, Literal, Triple, decimal, integer, text
from kg.vocab import KG, SDO, Enumeration, kg_members

PATH = "protocolSection.eligibilityModule"

SEX = Enumeration("Sex", kg_members(FEMALE="SexFemale", MALE="SexMale", ALL="SexAll"),
                  kg_class="Sex")
STANDARD_AGE = Enumeration(
    "StandardAge", kg_members(CHILD="AgeChild", ADULT="AgeAdult", OLDER_ADULT="AgeOlderAdult"),
    kg_class="StandardAge",
)
SAMPLING_METHOD = Enumeration(
    "SamplingMethod",
    kg_members(PROBABILITY_SAMPLE="ProbabilitySample",
               NON_PROBABILITY_SAMPLE="NonProbabilitySample"),
    kg_class="SamplingMethod",
)
# Registry age units -> UN/CEFACT common codes, the codes schema:unitCode expects.
AGE_UNITS = {
    "year": "ANN", "month": "MON", "week": "WEE", "day": "DAY", "hour": "HUR", "minute": "MIN",
}
ELIGIBILITY_FIELDS = (
    ("eligibilityCriteria", KG.eligibilityCriteria, TEXT),
    ("healthyVolunteers", KG.healthyVolunteers, BOOLEAN),
    ("genderBased", KG.genderBased, BOOLEAN),
    ("genderDescription", KG.genderDescription, TEXT),
    ("studyPopulation", KG.studyPopulation, TEXT),
)
# record key -> (kg: quantity predicate, schema.org whole-years predicate)
AGE_FIELDS = (
    ("minimumAge", KG.minimumAge, SDO.requiredMinAge),
    ("maximumAge", KG.maximumAge, SDO.requiredMaxAge),
)

# Headings on a line of their own; spaces are matched within the line only, so a long run of
# spaces or newlines costs linear time.
_INCLUSION = re.compile(r"^[ \t]*(?:key )?inclusion criteria[ \t]*(?::[ \t]*)?$",
                        re.IGNORECASE | re.MULTILINE)
_EXCLUSION = re.compile(r"^[ \t]*(?:key )?exclusion criteria[ \t]*(?::[ \t]*)?$",
                        re.IGNORECASE | re.MULTILINE)


def map_eligibility(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    eligibility = module(record, "protocolSection", "eligibilityModule")
    if not eligibility:
        return
    node = ctx.child("eligibility")
    yield ctx.trial, KG.eligibility, node
    yield node, RDF_TYPE, KG.EligibilityCriteria
    yield node, RDF_TYPE, SDO.PeopleAudience
    yield from field_triples(ctx, node, eligibility, ELIGIBILITY_FIELDS, PATH)
    criteria = eligibility.get("eligibilityCriteria")
    if isinstance(criteria, str):
        inclusion, exclusion = split_criteria(criteria)
        if inclusion:
            yield node, KG.inclusionCriteria, text(inclusion)
        if exclusion:
            yield node, KG.exclusionCriteria, text(exclusion)
    if eligibility.get("sex") is not None:
        yield node, KG.sex, ctx.term(SEX, eligibility["sex"], f"{PATH}.sex")
    for age in strings(ctx, eligibility, "stdAges", PATH):
        yield node, KG.stdAge, ctx.term(STANDARD_AGE, age, f"{PATH}.stdAges")
    if eligibility.get("samplingMethod") is not None:
        yield node, KG.samplingMethod, ctx.term(
            SAMPLING_METHOD, eligibility["samplingMethod"], f"{PATH}.samplingMethod")
    for key, predicate, years_predicate in AGE_FIELDS:
        if eligibility.get(key) is not None:
            yield from _age(ctx, node, key, predicate, years_predicate, eligibility[key])


def age_triples(ctx: MappingContext, node: str, key: str, value: object) -> Iterator[Triple]:
    """An age limit (``minimumAge`` or ``maximumAge``, "18 Years") of an eligibility node."""
    predicate, years_predicate = {k: (p, y) for k, p, y in AGE_FIELDS}[key]
    yield from _age(ctx, node, key, predicate, years_predicate, value)


def _age(
    ctx: MappingContext, node: str, key: str, predicate: str, years_predicate: str, value: object
) -> Iterator[Triple]:
    parsed = parse_age(value)
    if parsed is None:
        if isinstance(value, str) and value.strip().upper() in {"N/A", "NA", "NONE"}:
            return
        ctx.error(f"{PATH}.{key}", f"malformed age {value!r} (expected e.g. '18 Years')")
        yield node, predicate, Literal(str(value))
        return
    number, unit = parsed
    quantity = f"{node}/{key}"
    yield node, predicate, quantity
    yield quantity, RDF_TYPE, SDO.QuantitativeValue
    whole = "." not in number
    yield quantity, SDO.value, integer(int(number)) if whole else decimal(number)
    yield quantity, SDO.unitCode, text(AGE_UNITS[unit])
    yield quantity, SDO.unitText, text(str(value).split()[-1])
    if unit == "year" and whole:
        yield node, years_predicate, integer(int(number))


def split_criteria(criteria: str) -> tuple[str, str]:
    """Inclusion and exclusion parts of the criteria text, empty where the heading is missing."""
    inc = _INCLUSION.search(criteria)
    exc = _EXCLUSION.search(criteria)
    inclusion = exclusion = ""
    if inc:
        end = exc.start() if exc and exc.start() > inc.end() else len(criteria)
        inclusion = criteria[inc.end():end].strip()
    if exc:
        end = inc.start() if inc and inc.start() > exc.end() else len(criteria)
        exclusion = criteria[exc.end():end].strip()
    return inclusion, exclusion
