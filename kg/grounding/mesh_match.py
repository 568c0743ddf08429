"""Which of a record's own MeSH descriptors an intervention or a stated condition stands for.

NLM lists the MeSH descriptors of a record's interventions and conditions in its
``derivedSection`` for the trial as a whole; this ties each to the intervention or condition it
was derived from, by name, and never to a descriptor the record does not list. Names are
compared normalised: case and punctuation folded, a MeSH inverted term read both ways
(``Dermatitis, Atopic``), and words in any order. The rules, tried in turn, stop at the first
that finds something:

- ``exact``: the name (or one of the intervention's other names) is the descriptor's term;
- ``stripped``: the same once salts and forms (``hydrochloride``, ``acetate``) and doses
  (``10mg``, ``5 mg/kg``) are left out of both, and "cancer"/"tumour" read as "neoplasms";
- ``qualified``: the same once a stage, a severity or a course (``Stage IIIA``, ``AJCC v8``,
  ``Severe``, ``Recurrent``, ``Metastatic``) is left out of the name: the registry indexes
  ``Stage II Lung Cancer`` under ``Lung Neoplasms``;
- ``contained`` (interventions only): the descriptor's term stands whole in the name
  (``Dexamethasone intravitreal implant``); where one contained term holds another
  (``Albumin-Bound Paclitaxel``, ``Paclitaxel``) the longer wins; several apart (a combination)
  are all kept;
- ``sole`` (interventions only): the one drug or biological of the record that is not a
  placebo, and the one intervention descriptor no other intervention took.

Two descriptors equal under one rule are ambiguous and neither is linked. Placebos and shams
are never linked. Conditions get the equality rules only: a condition's name holding a
descriptor's term is often a different disease (``Cystic Fibrosis Related Diabetes``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from kg.ids import canonical_mesh_id

PLACEBO = re.compile(r"\b(placebos?|sham|vehicle|dummy)\b", re.IGNORECASE)
_SALTS = frozenset("""hydrochloride dihydrochloride hcl hydrobromide sodium disodium potassium
    calcium sulfate sulphate mesylate mesilate maleate tartrate bitartrate citrate acetate
    phosphate succinate fumarate besylate besilate bromide chloride monohydrate dihydrate
    trihydrate hemihydrate anhydrous free base salt""".split())
_NEOPLASM = {"cancer": "neoplasms", "cancers": "neoplasms", "tumor": "neoplasms",
             "tumors": "neoplasms", "tumour": "neoplasms", "tumours": "neoplasms",
             "neoplasm": "neoplasms"}
_DOSE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|g|mcg|µg|ug|ng|ml|l|iu|units?|%|mmol|meq)"
                   r"(?:\s*/\s*(?:kg|m2|m²|ml|day|d|dose))?\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")
_QUALIFIER = re.compile(r"\b(stage\s+[0ivx]+[abc]?\d?|ajcc\s+v\d+|recurrent|refractory|relapsed|"
                        r"metastatic|advanced|locally advanced|unresectable|newly diagnosed|"
                        r"severe|moderate|mild)\b", re.IGNORECASE)


class Descriptor(NamedTuple):
    mesh_id: str
    term: str


def listed_descriptors(browse: dict) -> list[Descriptor]:
    """The descriptors a browse module (``derivedSection.conditionBrowseModule`` or
    ``interventionBrowseModule``) lists in ``meshes``. Its ``browseLeaves`` are not used: they
    carry MeSH browse ids (``M0001``), not descriptor ids, and their relevant ones repeat
    ``meshes``."""
    found = []
    meshes = browse.get("meshes") if isinstance(browse, dict) else None
    for mesh in meshes if isinstance(meshes, list) else ():
        mesh_id = canonical_mesh_id(mesh.get("id")) if isinstance(mesh, dict) else None
        if mesh_id and isinstance(mesh.get("term"), str):
            found.append(Descriptor(mesh_id, mesh["term"]))
    return found


class Link(NamedTuple):
    mesh_id: str
    rule: str


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


@lru_cache(maxsize=1 << 16)
def _forms(text: str, stripped: bool) -> frozenset[tuple[str, ...]]:
    """The word sequences a name or term may be read as: as written and, for a MeSH inverted
    term ``A, B``, as ``B A``; with ``stripped`` also without salts and doses."""
    readings = [text]
    head, comma, tail = text.partition(", ")
    if comma and "," not in tail:
        readings.append(f"{tail} {head}")
    found = set()
    for reading in readings:
        if stripped:
            reading = _DOSE.sub(" ", reading)
        words = _words(reading)
        if stripped:
            kept = [_NEOPLASM.get(w, w) for w in words if w not in _SALTS]
            words = kept or words
        if words:
            found.add(tuple(words))
    return frozenset(found)


def _equal(names: Iterable[str], descriptors: list[Descriptor], stripped: bool) -> set[str]:
    """The descriptors whose term equals one of the names (words in any order)."""
    wanted = {words for name in names for words in _bags(name, stripped)}
    return {d.mesh_id for d in descriptors if not wanted.isdisjoint(_bags(d.term, stripped))}


@lru_cache(maxsize=1 << 16)
def _bags(text: str, stripped: bool) -> frozenset[frozenset[str]]:
    """The readings of a name or term as bags of words (the order left out)."""
    return frozenset(frozenset(form) for form in _forms(text, stripped))


def _contained(names: Iterable[str], descriptors: list[Descriptor]) -> set[str]:
    """The descriptors whose term stands whole in a name; the longest of overlapping ones."""
    spans: list[tuple[int, int, int, str]] = []  # (name index, start, end, mesh id)
    for index, name in enumerate(names):
        words = _words(_DOSE.sub(" ", name))
        for d in descriptors:
            for form in _forms(d.term, stripped=True):
                size = len(form)
                for start in range(len(words) - size + 1):
                    if tuple(words[start:start + size]) == form:
                        spans.append((index, start, start + size, d.mesh_id))
    kept = {s[3] for s in spans if not any(
        o is not s and o[0] == s[0] and o[1] <= s[1] and s[2] <= o[2] and o[2] - o[1] > s[2] - s[1]
        for o in spans)}
    return kept


def match_names(names: list[str], descriptors: list[Descriptor],
                contained: bool) -> tuple[list[Link], str]:
    """The descriptors ``names`` (the name first, then other names) stand for and the rule
    that found them, or none and why. The name is tried before the other names, so that an
    other name naming a related substance (cisplatin's "Platinum") does not make it
    ambiguous."""
    if not names or PLACEBO.search(names[0]):
        return [], "placebo" if names else "no name"
    if not descriptors:
        return [], "no MeSH listed"
    for group in ([names[0]], names[1:]):
        for rule in ("exact", "stripped", "qualified"):
            if rule == "qualified":
                group = [_QUALIFIER.sub(" ", name) for name in group]
            found = _equal(group, descriptors, stripped=rule != "exact")
            if len(found) == 1:
                return [Link(found.pop(), rule)], ""
            if found:
                return [], "ambiguous"
    if contained:
        for group in ([names[0]], names[1:]):
            found = _contained(group, descriptors)
            if found:
                return [Link(m, "contained") for m in sorted(found)], ""
    return [], "no listed MeSH term matches its name"


class Intervention(NamedTuple):
    iri: str
    kind: str  # the registry's type: DRUG, BIOLOGICAL, ...
    names: list[str]  # its name first, then its other names


def match_interventions(interventions: list[Intervention], descriptors: list[Descriptor]
                        ) -> tuple[dict[str, list[Link]], dict[str, str]]:
    """Each intervention's descriptors (by IRI), and why each unlinked one is not."""
    links: dict[str, list[Link]] = {}
    reasons: dict[str, str] = {}
    for item in interventions:
        found, reason = match_names(item.names, descriptors, contained=True)
        if found:
            links[item.iri] = found
        else:
            reasons[item.iri] = reason
    drugs = [i for i in interventions if i.kind in ("DRUG", "BIOLOGICAL")
             and not PLACEBO.search(i.names[0] if i.names else "")]
    claimed = {link.mesh_id for found in links.values() for link in found}
    free = [d for d in descriptors if d.mesh_id not in claimed]
    if len(drugs) == 1 and drugs[0].iri not in links and len(descriptors) == 1 and len(free) == 1:
        links[drugs[0].iri] = [Link(free[0].mesh_id, "sole")]
        reasons.pop(drugs[0].iri, None)
    return links, reasons
