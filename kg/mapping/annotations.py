"""annotationSection: the registry's own notes on a study: results whose posting was reset or
released (unposted events) and FDAAA 801 violations, each event a node with its dates."""

from __future__ import annotations

from collections.abc import Iterator

from kg.mapping.context import MappingContext
from kg.mapping.fields import BOOLEAN, DATE, TEXT, field_triples, module, nested, objects
from kg.rdf import RDF_TYPE, Triple
from kg.vocab import KG, SDO, Enumeration, kg_members

PATH = "annotationSection.annotationModule"

UNPOSTED_EVENT_TYPE = Enumeration(
    "UnpostedEventType",
    kg_members(RESET="UnpostedReset", RELEASE="UnpostedRelease", UNRELEASE="UnpostedUnrelease"),
    kg_class="UnpostedEventType",
)
VIOLATION_EVENT_TYPE = Enumeration(
    "ViolationEventType",
    kg_members(VIOLATION_IDENTIFIED="ViolationIdentified",
               CORRECTION_CONFIRMED="ViolationCorrectionConfirmed",
               PENALTY_IMPOSED="ViolationPenaltyImposed",
               ISSUES_IN_LETTER_ADDRESSED_CONFIRMED="ViolationIssuesAddressedConfirmed"),
    kg_class="ViolationEventType",
)

UNPOSTED_FIELDS = (("date", KG.eventDate, DATE), ("dateUnknown", KG.dateUnknown, BOOLEAN))
VIOLATION_FIELDS = (
    ("description", SDO.description, TEXT),
    ("creationDate", KG.creationDate, DATE),
    ("issuedDate", KG.issuedDate, DATE),
    ("releaseDate", KG.releaseDate, DATE),
    ("postedDate", KG.postedDate, DATE),
)
# annotation -> (events key, IRI segment, predicate, class, type predicate, type table, fields)
EVENT_KINDS = (
    ("unpostedAnnotation", "unpostedEvents", "unposted", KG.unpostedEvent, KG.UnpostedEvent,
     KG.unpostedEventType, UNPOSTED_EVENT_TYPE, UNPOSTED_FIELDS),
    ("violationAnnotation", "violationEvents", "violation", KG.violationEvent, KG.ViolationEvent,
     KG.violationEventType, VIOLATION_EVENT_TYPE, VIOLATION_FIELDS),
)


def map_annotations(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    annotations = module(record, "annotationSection", "annotationModule")
    for key, events_key, segment, predicate, cls, type_predicate, table, fields in EVENT_KINDS:
        annotation = nested(ctx, annotations, key, PATH)
        path = f"{PATH}.{key}"
        if key == "unpostedAnnotation":
            yield from field_triples(ctx, ctx.trial, annotation, (
                ("unpostedResponsibleParty", KG.unpostedResponsibleParty, TEXT),), path)
        for number, event in objects(ctx, annotation, events_key, path):
            event_path = f"{path}.{events_key}[{number - 1}]"
            node = ctx.child("annotation", segment, number)
            yield ctx.trial, predicate, node
            yield node, RDF_TYPE, cls
            if event.get("type") is not None:
                yield node, type_predicate, ctx.term(table, event["type"], f"{event_path}.type")
            yield from field_triples(ctx, node, event, fields, event_path)
