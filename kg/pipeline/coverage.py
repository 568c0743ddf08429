"""How much of a record reaches its graph: every leaf value of the protocol, results, document and
annotation sections and the MeSH terms of the derived section, checked against the mapped triples.

A leaf counts as reached when its value is in the graph in the form the mapping gives it: the
same text, the enum member it maps to, the IRI it becomes (URLs, MeSH ids, linked NCT ids), or,
for numbers and booleans, a triple whose predicate is named after the field. Numbers the registry
writes as text count when their typed form is there (``1.2E-5`` as ``0.000012``, ``<0.001`` as
``0.001`` with its comparator). It is a yardstick
for finding fields the mapping forgets, not a proof of meaning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from kg.dates import date_time_minutes
from kg.ids import canonical_mesh_id, is_nct_id, trial_iri
from kg.iri import web_iri
from kg.mapping.numbers import compared
from kg.mapping.results.measures import DISPERSION_SPELLINGS
from kg.rdf import Literal, Triple
from kg.vocab import ENUMERATIONS, MESH_NS

MESH_PATHS = ("meshes", "ancestors")
SECTIONS = ("protocolSection", "resultsSection", "documentSection", "annotationSection")
# Record keys whose predicate has another name.
PREDICATE_NAMES = {"count": "enrollment", "lat": "latitude", "lon": "longitude",
                   "nPtrsToThisExpAccNctId": "expandedAccessRecordCount", "size": "fileSize"}
_AGE = re.compile(r"^([0-9]+) \w+$")


class Coverage(NamedTuple):
    reached: int
    total: int
    missing: list[str]


def leaves(value: object, path: str = "") -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from leaves(child, f"{path}[{index}]")
    elif value is not None:
        yield path, value


def record_leaves(record: dict) -> Iterator[tuple[str, object]]:
    """Protocol, results, document and annotation leaves, and the MeSH terms (meshes,
    ancestors) of the browse modules."""
    for section in SECTIONS:
        yield from leaves(record.get(section, {}), section)
    derived = record.get("derivedSection", {})
    for name in ("conditionBrowseModule", "interventionBrowseModule"):
        browse = derived.get(name, {})
        for key in MESH_PATHS:
            yield from leaves(browse.get(key, []), f"derivedSection.{name}.{key}")


def leaf_coverage(record: dict, triples: list[Triple], base: str) -> Coverage:
    lexicals = {o.lexical for _, _, o in triples if isinstance(o, Literal)}
    iris = {o for _, _, o in triples if isinstance(o, str)}
    predicate_names = {p.rsplit("/", 1)[-1].rsplit("#", 1)[-1] for _, p, _ in triples}
    enum_iris: dict[str, set[str]] = {}
    for enumeration in ENUMERATIONS.values():
        for value, iri in enumeration.terms.items():
            enum_iris.setdefault(value, set()).add(iri)

    def reached(path: str, value: object) -> bool:
        key = re.sub(r"\[[0-9]+\]$", "", path).rsplit(".", 1)[-1]
        if isinstance(value, bool) or isinstance(value, (int, float)):
            return PREDICATE_NAMES.get(key, key) in predicate_names
        text = str(value)
        if text in lexicals or text.strip() in lexicals or enum_iris.get(text, set()) & iris:
            return True
        if enum_iris.get(DISPERSION_SPELLINGS.get(text, ""), set()) & iris:
            return True
        stamp = date_time_minutes(text)
        if stamp is not None and stamp.lexical in lexicals:
            return True
        if compared(text)[0].lexical in lexicals:
            return True
        if (web_iri(text) or "") in iris or MESH_NS + (canonical_mesh_id(text) or text) in iris:
            return True
        if is_nct_id(text) and trial_iri(base, text) in iris:
            return True
        age = _AGE.match(text)
        return bool(age and age.group(1) in lexicals)

    total = 0
    missing = []
    for path, value in record_leaves(record):
        total += 1
        if not reached(path, value):
            missing.append(path)
    return Coverage(total - len(missing), total, missing)
