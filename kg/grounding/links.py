"""What a stated condition or a substance is tied to, from three kinds of evidence tried in
turn, each vocabulary taken from the first that reaches it:

1. the registry's own MeSH index (``derivedSection``), matched to the name by
   :mod:`kg.grounding.mesh_match`;
2. the name's own words (:mod:`kg.grounding.text`);
3. the published mapping sets, chained from what 1 and 2 found: MONDO from a MeSH descriptor by
   MONDO's own set, a MeSH descriptor from a MONDO term by the same set read backward (only
   where one descriptor alone is matched to it), ChEBI from a MeSH descriptor (Biomappings,
   then gilda), ChEMBL from ChEBI by ChEBI's own cross-reference.

A chained link is as broad as the link it was reached from and the set's match together: an
exact match of an exact link is exact, anything with a broader step is broader, and a set's
narrower match is never followed (a name is not linked to a term narrower than itself). An
exact chained link replaces a broader one the words found ("Adenocarcinoma of the Prostate":
MONDO's prostate adenocarcinoma and its MeSH match, not MeSH's Adenocarcinoma).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from kg.grounding.mesh import matches, table
from kg.grounding.text import Found, chembl_of, ground
from kg.vocab import SKOS

# The vocabularies a condition's and a substance's links are sought in, in the order written.
WANTED = {"condition": ("MESH", "MONDO"), "substance": ("MESH", "CHEBI", "CHEMBL")}


def grounded(name: str, what: str, indexed: Iterable[Found] = (),
             fallback: Iterable[Found] = ()) -> list[Found]:
    """The links of a condition's (``what`` "condition") or a substance's ("substance") name,
    at most one a vocabulary: the registry's index (``indexed``) before the words before
    weaker evidence (``fallback``) before the sets."""
    found: dict[str, Found] = {}
    for link in [*indexed, *ground(name, what), *fallback]:
        vocabulary = link.curie.partition(":")[0]
        if vocabulary in WANTED[what]:
            found.setdefault(vocabulary, link)
    for link in list(found.values()):
        for target, broader, mapping_set in _reached(link.curie):
            vocabulary = target.partition(":")[0]
            chained = _chain(link, target, broader, "mapping-set", mapping_set)
            if vocabulary in WANTED[what] and (vocabulary not in found or (
                    found[vocabulary].broader and not chained.broader)):
                found[vocabulary] = chained  # an exact chain beats a broader name
    chebi = found.get("CHEBI")
    if chebi and (chembl := chembl_of(chebi.curie)) and (
            "CHEMBL" not in found or chebi.kind != "mapping-set"):
        # ChEBI's own cross-reference is believed over a ChEMBL name (a salt's, a parent's),
        # unless the ChEBI entity was itself only reached through a set
        found["CHEMBL"] = _chain(chebi, chembl, False, "cross-reference", "grounding")
    return [found[v] for v in WANTED[what] if v in found]


def _chain(link: Found, target: str, broader: bool, kind: str, mapping_set: str) -> Found:
    return Found(target, kind, link.words, link.broader or broader, link.curie, mapping_set)


def _reached(curie: str) -> list[tuple[str, bool, str]]:
    """(target, broader, set) of each id the sets match ``curie`` with, exactly or broader."""
    if curie.startswith("MONDO:"):
        mesh = mondo_to_mesh().get(curie)
        return [(mesh, False, "mondo")] if mesh else []
    return [(m.target, m.predicate == SKOS.broadMatch, m.mapping_set) for m in matches(curie)
            if m.predicate in (SKOS.exactMatch, SKOS.broadMatch)
            and m.target.partition(":")[0] in ("MONDO", "CHEBI")]


@cache
def mondo_to_mesh() -> dict[str, str]:
    """MONDO term -> the one MeSH descriptor MONDO's set matches it with exactly (a term matched
    with two descriptors is left out: neither is the term)."""
    found: dict[str, set[str]] = {}
    for subject, targets in table().items():
        if subject.startswith("MESH:"):
            for match in targets:
                if match.mapping_set == "mondo" and match.predicate == SKOS.exactMatch and \
                        match.target.startswith("MONDO:"):
                    found.setdefault(match.target, set()).add(subject)
    return {mondo: next(iter(mesh)) for mondo, mesh in found.items() if len(mesh) == 1}
