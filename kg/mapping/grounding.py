"""A stated condition's and an intervention's links to MeSH, MONDO, ChEBI and ChEMBL found in
their own words (:mod:`kg.grounding.text`), each with its evidence.

A link is one triple from the condition or intervention to the id: ``skos:exactMatch`` where
the name means the term, ``skos:broadMatch`` where the term is broader (the name's stage or
grade dropped, a cancer read as MeSH's neoplasms), ``kg:hasComponent`` from a combination to
each substance it names. Beside it stands the link's evidence, a ``sssom:Mapping`` named under
the linked node (``…/condition/lupus/mapping/MONDO-0007915``): the same subject, predicate and
object, the justification (``semapv:LexicalMatching``; ``semapv:MappingChaining`` for ChEMBL,
reached through ChEBI's cross-reference), the name as it was looked up, whether it matched a
preferred name (``rdfs:label``) or a synonym or entry term (``skos:altLabel``), and the mapping
set, which the store's description names with its source, version and licence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kg.grounding.mesh import curie_iri
from kg.grounding.mesh_match import PLACEBO
from kg.grounding.text import Found, chembl_of, components, ground, grounding_set
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, RDFS_LABEL, SEMAPV, SKOS, SKOS_ALT_LABEL, SSSOM

# The kinds of intervention that are substances; a device, a procedure or a behaviour is not.
SUBSTANCES = frozenset({"DRUG", "BIOLOGICAL", "DIETARY_SUPPLEMENT", "COMBINATION_PRODUCT",
                        "GENETIC"})


def links(node: str, found: Iterable[Found], component: bool = False) -> Iterator[Triple]:
    """The links of ``node`` to what its name was found to stand for, with their evidence."""
    for link in found:
        predicate = KG.hasComponent if component else \
            SKOS.broadMatch if link.broader else SKOS.exactMatch
        yield from _linked(node, predicate, link.curie, link, SEMAPV.LexicalMatching)
        chembl = chembl_of(link.curie) if link.curie.startswith("CHEBI:") else None
        if chembl is not None:
            yield from _linked(node, predicate, chembl, link, SEMAPV.MappingChaining)


def _linked(node: str, predicate: str, curie: str, link: Found,
            justification: str) -> Iterator[Triple]:
    target = curie_iri(curie)
    mapping = f"{node}/mapping/{curie.replace(':', '-')}"
    yield node, predicate, target
    yield mapping, RDF_TYPE, SSSOM.Mapping
    yield mapping, SSSOM.subject_id, node
    yield mapping, SSSOM.predicate_id, predicate
    yield mapping, SSSOM.object_id, target
    yield mapping, SSSOM.mapping_justification, justification
    yield mapping, SSSOM.match_string, text(link.words)
    yield mapping, SSSOM.object_match_field, RDFS_LABEL if link.kind.endswith("-name") \
        else SKOS_ALT_LABEL
    yield mapping, SSSOM.mapping_set_id, grounding_set()["mapping_set_id"]


def condition_links(node: str, name: str) -> Iterator[Triple]:
    yield from links(node, ground(name, "condition"))


def intervention_links(node: str, kind: object, names: list[str],
                       description: object) -> Iterator[Triple]:
    """An intervention of a substance kind, by its name, else by its first other name that
    finds anything; a combination's name a component at a time. A placebo, a sham or a vehicle
    gets nothing, and neither does saline its description calls a placebo."""
    if not isinstance(kind, str) or kind not in SUBSTANCES or PLACEBO.search(names[0]) or (
            isinstance(description, str) and PLACEBO.search(description)):
        return
    for name in names:
        parts = components(name)
        if len(parts) > 1:
            found = [(part, ground(part, "substance")) for part in parts
                     if not PLACEBO.search(part)]
            if any(f for _, f in found):
                for _, grounded in found:
                    yield from links(node, grounded, component=True)
                return
            continue
        grounded = ground(name, "substance")
        if grounded:
            yield from links(node, grounded)
            return
