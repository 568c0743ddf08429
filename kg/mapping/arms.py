"""armsInterventionsModule: arm groups, interventions and the links between them.

An intervention is a ``kg:Intervention`` and, for schema.org consumers, a ``schema:studySubject``
of the trial typed by its kind (a drug is a ``schema:Drug``). Arms name their interventions as
``"Type: Name"`` and interventions name their arms by label; both directions are resolved to
links between the nodes of the same trial, and the arm's own wording is kept as text. Each
intervention is tied to the MeSH descriptors of the record it stands for (``kg:meshDescriptor``,
by name: :mod:`kg.grounding.mesh_match`).
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.grounding.mesh_match import Intervention, listed_descriptors, match_interventions
from kg.ids import normalised_name
from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, field_triples, module, objects, strings
from kg.mapping.grounding import index_version, intervention_links
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, MESH_NS, SDO, Enumeration, kg_members

PATH = "protocolSection.armsInterventionsModule"

ARM_GROUP_TYPE = Enumeration(
    "ArmGroupType",
    kg_members(EXPERIMENTAL="ArmExperimental", ACTIVE_COMPARATOR="ArmActiveComparator",
               PLACEBO_COMPARATOR="ArmPlaceboComparator", SHAM_COMPARATOR="ArmShamComparator",
               NO_INTERVENTION="ArmNoIntervention", OTHER="ArmOther"),
    kg_class="ArmGroupType",
)
INTERVENTION_TYPE = Enumeration(
    "InterventionType",
    kg_members(BEHAVIORAL="InterventionBehavioral", BIOLOGICAL="InterventionBiological",
               COMBINATION_PRODUCT="InterventionCombinationProduct",
               DEVICE="InterventionDevice", DIAGNOSTIC_TEST="InterventionDiagnosticTest",
               DIETARY_SUPPLEMENT="InterventionDietarySupplement", DRUG="InterventionDrug",
               GENETIC="InterventionGenetic", PROCEDURE="InterventionProcedure",
               RADIATION="InterventionRadiation", OTHER="InterventionOther"),
    kg_class="InterventionType",
)
# The schema.org classes of each intervention type (schema:Drug covers biologics).
INTERVENTION_CLASSES: dict[str, tuple[str, ...]] = {
    "BEHAVIORAL": (SDO.MedicalTherapy,),
    "BIOLOGICAL": (SDO.Drug,),
    "COMBINATION_PRODUCT": (SDO.Drug, SDO.MedicalDevice),
    "DEVICE": (SDO.MedicalDevice,),
    "DIAGNOSTIC_TEST": (SDO.MedicalTest,),
    "DIETARY_SUPPLEMENT": (SDO.DietarySupplement,),
    "DRUG": (SDO.Drug,),
    "GENETIC": (SDO.MedicalTherapy,),
    "PROCEDURE": (SDO.MedicalProcedure,),
    "RADIATION": (SDO.RadiationTherapy,),
    "OTHER": (SDO.MedicalEntity,),
}

ARM_FIELDS = (("label", SDO.name, TEXT), ("description", SDO.description, TEXT))
INTERVENTION_FIELDS = (("name", SDO.name, TEXT), ("description", SDO.description, TEXT))


def map_arms(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    arms_module = module(record, "protocolSection", "armsInterventionsModule")
    trial = ctx.trial
    arms = objects(ctx, arms_module, "armGroups", PATH)
    interventions = objects(ctx, arms_module, "interventions", PATH)
    arm_iris = {n: ctx.keyed("arm", a.get("label")) for n, a in arms}
    intervention_iris = {n: ctx.keyed("intervention", i.get("type"), i.get("name"))
                         for n, i in interventions}
    arm_by_label = {normalised_name(a["label"]): arm_iris[n]
                    for n, a in arms if isinstance(a.get("label"), str)}
    ctx.arms = {a["label"]: arm_iris[n] for n, a in arms if isinstance(a.get("label"), str)}
    intervention_by_name: dict[str, str] = {}
    for number, item in interventions:
        iri = intervention_iris[number]
        name = item.get("name") if isinstance(item.get("name"), str) else ""
        kind = str(item.get("type", "")).replace("_", " ")
        intervention_by_name.setdefault(normalised_name(f"{kind}: {name}"), iri)
        intervention_by_name.setdefault(normalised_name(name), iri)

    named = [Intervention(intervention_iris[n], str(i.get("type", "")), [
        x for x in [i.get("name"), *(i.get("otherNames") or [])] if isinstance(x, str)])
        for n, i in interventions]
    descriptors = listed_descriptors(module(record, "derivedSection", "interventionBrowseModule"))
    ctx.intervention_names = {item.iri: item.names for item in named}
    index = match_interventions(named, descriptors)[0]
    version = index_version(record)

    links: set[tuple[str, str]] = set()
    for number, arm in arms:
        node = arm_iris[number]
        path = f"{PATH}.armGroups[{number - 1}]"
        yield trial, KG.armGroup, node
        yield node, RDF_TYPE, KG.ArmGroup
        yield from field_triples(ctx, node, arm, ARM_FIELDS, path)
        if arm.get("type") is not None:
            yield node, KG.armGroupType, ctx.term(ARM_GROUP_TYPE, arm["type"], f"{path}.type")
        for name in strings(ctx, arm, "interventionNames", path):
            yield node, KG.interventionName, text(name)
            target = _resolve_intervention(name, intervention_by_name)
            if target is None:
                ctx.warn(f"{path}.interventionNames", f"names no intervention of the trial: {name!r}")
            else:
                links.add((node, target))

    for number, item in interventions:
        node = intervention_iris[number]
        path = f"{PATH}.interventions[{number - 1}]"
        kind = item.get("type")
        yield trial, SDO.studySubject, node
        yield node, RDF_TYPE, KG.Intervention
        for cls in INTERVENTION_CLASSES.get(kind if isinstance(kind, str) else "", (SDO.MedicalEntity,)):
            yield node, RDF_TYPE, cls
        if kind is not None:
            yield node, KG.interventionType, ctx.term(INTERVENTION_TYPE, kind, f"{path}.type")
        yield from field_triples(ctx, node, item, INTERVENTION_FIELDS, path)
        others = list(strings(ctx, item, "otherNames", path))
        for other in others:
            yield node, SDO.alternateName, text(other)
        if isinstance(item.get("name"), str):
            yield from intervention_links(node, kind, [item["name"], *others],
                                          item.get("description"), index.get(node, []),
                                          descriptors, version)
        for label in strings(ctx, item, "armGroupLabels", path):
            arm = arm_by_label.get(normalised_name(label))
            if arm is None:
                ctx.warn(f"{path}.armGroupLabels", f"names no arm group of the trial: {label!r}")
            else:
                links.add((arm, node))
    for arm, intervention in sorted(links):
        yield arm, KG.intervention, intervention
    ctx.arm_interventions = {arm: {i for a, i in links if a == arm} for arm in arm_iris.values()}

    for iri, found in sorted(index.items()):
        for link in found:
            yield iri, KG.meshDescriptor, MESH_NS + link.mesh_id


def _resolve_intervention(name: str, by_name: dict[str, str]) -> str | None:
    """``"Biological: Allogeneic MSC"`` -> the intervention of that type and name."""
    key = normalised_name(name)
    if key in by_name:
        return by_name[key]
    _, _, bare = name.partition(":")
    return by_name.get(normalised_name(bare)) if bare else None
