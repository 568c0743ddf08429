"""MeSH descriptors matched to MONDO and ChEBI, and the MONDO terms to DOID, EFO, ICD-10-CM,
NCIT, OMIM, Orphanet and HP: the table ``kg/data/mesh_mappings.tsv``, built from published
mapping sets (``kg/data/mapping_sets.json`` names each with its version and licence; the script
beside it rebuilds it). Read once per process; every lookup is a dictionary hit, so the mapping
can ask for every MeSH node it writes.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import NamedTuple

from kg.iri import MESH_NS, OBO_NS, SKOS_NS

# CURIE prefix -> IRI namespace, as MONDO's mapping set expands them (OBO PURLs where the
# vocabulary has one).
NAMESPACES = {
    "MONDO": OBO_NS + "MONDO_", "CHEBI": OBO_NS + "CHEBI_", "DOID": OBO_NS + "DOID_",
    "HP": OBO_NS + "HP_", "NCIT": OBO_NS + "NCIT_", "EFO": "http://www.ebi.ac.uk/efo/EFO_",
    "ICD10CM": "http://purl.bioontology.org/ontology/ICD10CM/",
    "OMIM": "https://omim.org/entry/", "Orphanet": "http://www.orpha.net/ORDO/Orphanet_",
    "MESH": MESH_NS, "CHEMBL": "http://identifiers.org/chembl.compound/",
}


class Match(NamedTuple):
    predicate: str  # a SKOS mapping relation's IRI
    target: str  # CURIE, e.g. MONDO:0007915
    label: str
    mapping_set: str  # name in mapping_sets.json


def curie_iri(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return NAMESPACES[prefix] + local


def iri_curie(iri: str) -> str | None:
    """The CURIE of an IRI in one of the mapped vocabularies, or None."""
    for prefix, namespace in NAMESPACES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return None


# Where two sets match one MeSH descriptor to different terms of one vocabulary, the first set
# here is believed: MONDO's own set for MONDO ids, the curated Biomappings over gilda for ChEBI.
PRECEDENCE = {"MONDO": ("mondo", "biomappings"), "CHEBI": ("biomappings", "gilda")}


@cache
def table() -> dict[str, tuple[Match, ...]]:
    """Subject CURIE (``MESH:D008180``, ``MONDO:0007915``) -> its matches, each target once,
    from the set :data:`PRECEDENCE` believes for each vocabulary."""
    found: dict[str, dict[tuple[str, str], Match]] = {}
    text = resources.files("kg.data").joinpath("mesh_mappings.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith(("#", "subject_id\t")):
            continue
        subject, predicate, target, label, mapping_set = line.split("\t")
        if target.partition(":")[0] not in NAMESPACES:
            continue
        relation = SKOS_NS + predicate.removeprefix("skos:")
        found.setdefault(subject, {}).setdefault(
            (relation, target), Match(relation, target, label, mapping_set))
    return {subject: _believed(tuple(matches.values())) for subject, matches in found.items()}


def _believed(matches: tuple[Match, ...]) -> tuple[Match, ...]:
    """The matches of one subject, each vocabulary's from its most believed set only."""
    kept = []
    for match in matches:
        order = PRECEDENCE.get(match.target.partition(":")[0])
        if order and match.mapping_set in order:
            stated = {m.mapping_set for m in matches
                      if m.target.partition(":")[0] == match.target.partition(":")[0]}
            if order.index(match.mapping_set) > min(order.index(s) for s in stated if s in order):
                continue
        kept.append(match)
    return tuple(kept)


def matches(curie: str) -> tuple[Match, ...]:
    return table().get(curie, ())


@cache
def mapping_sets() -> list[dict]:
    """The mapping sets the table was built from: name, title, package, version, licence..."""
    return json.loads(resources.files("kg.data").joinpath("mapping_sets.json").read_text())
