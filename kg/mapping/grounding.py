"""A stated condition's and an intervention's links to MeSH, MONDO, ChEBI and ChEMBL
(:mod:`kg.grounding.links`: the registry's index, then the record's own words, then the mapping
sets), each with its evidence.

A link is one triple from the condition or intervention to the id: ``skos:exactMatch`` where
the name means the term, ``skos:broadMatch`` where the term is broader (the name's stage or
grade dropped, a cancer read as MeSH's neoplasms), ``kg:hasComponent`` from a combination or a
product to each substance it names. Beside it stands the link's evidence, a ``sssom:Mapping``
named under the linked node (``…/condition/lupus/mapping/MONDO-0007915``): the same subject,
predicate and object; the justification (``semapv:LexicalMatching`` for a name,
``semapv:MappingChaining`` for a link reached through a mapping set or ChEBI's ChEMBL
cross-reference, with ``kg:via`` the id it was reached from); ``kg:evidence`` (the registry's
index, a preferred name, a synonym or entry term, a supplementary concept, a mapping set, a
cross-reference); the name as it was looked up; whether it matched a preferred name
(``rdfs:label``) or a synonym (``skos:altLabel``); the mapping set, which the store's
description names with its source, version and licence; and ``kg:dataVersion``, that version
(for the registry's index, the record's own last update).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache, lru_cache

from kg.grounding.links import grounded
from kg.grounding.mesh import curie_iri, mapping_sets, matches
from kg.grounding.mesh_match import PLACEBO, Descriptor, Link
from kg.grounding.text import Found, components, grounding_set, is_disease, key, label
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, RDFS_LABEL, SDO, SEMAPV, SKOS, SKOS_ALT_LABEL, SSSOM

# The kinds of intervention that are substances; a device, a procedure or a behaviour is not.
SUBSTANCES = frozenset({"DRUG", "BIOLOGICAL", "DIETARY_SUPPLEMENT", "COMBINATION_PRODUCT",
                        "GENETIC"})
# The registry's index as a mapping set: NLM's MeSH terms for the record, matched by name.
REGISTRY_INDEX = "https://w3id.org/ctkg/mappings/registry-index"
REGISTRY_INDEX_TITLE = ("The registry's own MeSH index of each record (derivedSection), its "
                        "terms matched to the stated conditions and interventions by name")
# How each kind of finding is told in kg:evidence.
EVIDENCE = {
    "registry-index": KG.RegistryIndexEvidence,
    "mesh-name": KG.PreferredNameEvidence, "mondo-name": KG.PreferredNameEvidence,
    "chebi-name": KG.PreferredNameEvidence, "chembl-name": KG.PreferredNameEvidence,
    "mesh-entry": KG.SynonymEvidence, "mondo-synonym": KG.SynonymEvidence,
    "supplementary-name": KG.SupplementaryConceptEvidence,
    "supplementary-synonym": KG.SupplementaryConceptEvidence,
    "mapping-set": KG.MappingSetEvidence, "cross-reference": KG.CrossReferenceEvidence,
}
CHAINED = frozenset({"mapping-set", "cross-reference"})


@cache
def _sets() -> dict[str, tuple[str, str]]:
    """Set name -> (mapping set IRI, version)."""
    found = {s["name"]: (s["mapping_set_id"], f"{s['package']} {s['version']}")
             for s in mapping_sets()}
    entry = grounding_set()
    found["grounding"] = (entry["mapping_set_id"], f"{entry['package']} {entry['version']}")
    return found


def links(node: str, found: Iterable[Found], index_version: str, named: str,
          component: bool = False) -> Iterator[Triple]:
    """The links of ``node`` to what its name (``named``: a combination's, one component's)
    was found to stand for, with their evidence."""
    sets = _sets()
    for link in found:
        predicate = KG.hasComponent if component else \
            SKOS.broadMatch if link.broader else SKOS.exactMatch
        target = curie_iri(link.curie)
        mapping = f"{node}/mapping/{link.curie.replace(':', '-')}"
        if link.kind == "registry-index":
            mapping_set, version = REGISTRY_INDEX, index_version
        else:
            mapping_set, version = sets[link.mapping_set]
        yield node, predicate, target
        if link.curie.startswith("MESH:"):
            yield from mapped(target, link.curie)  # as every MeSH node of the graph does
            if is_disease(link.curie) and (name := label(link.curie)):
                # a disease among the MeSH ids a condition may reach, typed as the registry's
                yield target, RDF_TYPE, SDO.MedicalCondition
                yield target, SDO.name, text(name)
        yield mapping, RDF_TYPE, SSSOM.Mapping
        yield mapping, SSSOM.subject_id, node
        yield mapping, SSSOM.subject_label, text(named)
        yield mapping, SSSOM.predicate_id, predicate
        yield mapping, SSSOM.object_id, target
        yield mapping, SSSOM.mapping_justification, SEMAPV.MappingChaining \
            if link.kind in CHAINED else SEMAPV.LexicalMatching
        yield mapping, KG.evidence, EVIDENCE[link.kind]
        yield mapping, SSSOM.match_string, text(link.words)
        if link.via:
            yield mapping, KG.via, curie_iri(link.via)
        elif link.kind != "registry-index":
            yield mapping, SSSOM.object_match_field, RDFS_LABEL if link.kind.endswith(
                "-name") else SKOS_ALT_LABEL
        yield mapping, SSSOM.mapping_set_id, mapping_set
        if version:
            yield mapping, KG.dataVersion, text(version)


@lru_cache(maxsize=1 << 14)
def mapped(node: str, curie: str) -> tuple[Triple, ...]:
    """What the mapping sets match a MeSH node with, and a MONDO term reached so with its own
    identifiers elsewhere (the same for every record that names the node: made once)."""
    found: list[Triple] = []
    for match in matches(curie):
        target = curie_iri(match.target)
        found.append((node, match.predicate, target))
        if match.target.startswith("MONDO:"):
            found.extend((target, xref.predicate, curie_iri(xref.target))
                         for xref in matches(match.target))
    return tuple(found)


def index_version(record: dict) -> str:
    """The registry index's version: the record's own last update, as the registry states it."""
    status = record.get("protocolSection", {}).get("statusModule")
    date = status.get("lastUpdatePostDateStruct") if isinstance(status, dict) else None
    found = date.get("date") if isinstance(date, dict) else None
    return f"ClinicalTrials.gov record of {found}" if isinstance(found, str) else ""


def indexed(name: str, found: Iterable[Link], descriptors: list[Descriptor],
            condition: bool) -> tuple[list[Found], list[Found], list[Found]]:
    """The registry index's links of a name, as (believed before the words, believed after
    them, components): a stage, a grade or a cancer read as neoplasms makes a condition's
    link broader; an intervention's descriptor found standing in its name is a component;
    the record's sole drug tied to its sole descriptor is believed only where the words find
    no MeSH id."""
    terms = {d.mesh_id: d.term for d in descriptors}
    first, last, parts = [], [], []
    for link in found:
        broader = condition and link.rule in ("stripped", "qualified")
        words = key(terms[link.mesh_id] if link.rule == "contained" else name)
        entry = Found(f"MESH:{link.mesh_id}", "registry-index", words, broader)
        {"sole": last, "contained": parts}.get(link.rule, first).append(entry)
    return first, last, parts


def condition_links(node: str, name: str, index: list[Link], descriptors: list[Descriptor],
                    index_version: str) -> Iterator[Triple]:
    first, last, _ = indexed(name, index, descriptors, condition=True)
    yield from links(node, grounded(name, "condition", first, last), index_version, name)


def intervention_links(node: str, kind: object, names: list[str], description: object,
                       index: list[Link], descriptors: list[Descriptor],
                       index_version: str) -> Iterator[Triple]:
    """An intervention of a substance kind, by its name, else by its first other name that
    finds anything; a combination's name, or a product the index found substances standing
    in, a component at a time. A placebo, a sham or a vehicle gets nothing, and neither does
    saline its description calls a placebo."""
    if not isinstance(kind, str) or kind not in SUBSTANCES or PLACEBO.search(names[0]) or (
            isinstance(description, str) and PLACEBO.search(description)):
        return
    first, last, parts = indexed(names[0], index, descriptors, condition=False)
    terms = {f"MESH:{d.mesh_id}": d.term for d in descriptors}
    for name in names:
        split = components(name)
        named = [part for part in split if not PLACEBO.search(part)]
        if len(split) > 1 or parts:
            found = [(terms[f.curie], grounded(terms[f.curie], "substance", [f])) for f in parts]
            found += [(part, grounded(part, "substance")) for part in named]
            if parts or any(grounded_part for _, grounded_part in found):
                seen: set[str] = set()
                for part, grounded_part in found:
                    fresh = [f for f in grounded_part if f.curie not in seen]
                    seen.update(f.curie for f in fresh)
                    yield from links(node, fresh, index_version, part, component=True)
                return
            continue
        found_links = grounded(name, "substance", first, last)
        if found_links:
            yield from links(node, found_links, index_version, name)
            return
