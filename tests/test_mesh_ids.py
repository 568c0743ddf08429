"""MeSH ids are written as NLM publishes them: the registry's nine-digit padding of old
six-digit ids (D000009369 for Neoplasms, D009369) never reaches the graph."""

from __future__ import annotations

import re

import pytest

from kg.ids import canonical_mesh_id
from kg.mapping import map_record
from kg.vocab import MESH_NS
from tests.conftest import load_json, shared_records


@pytest.mark.parametrize("given, published", [
    ("D000009369", "D009369"), ("D009369", "D009369"), ("D000064419", "D064419"),
    ("D000068196", "D000068196"), ("C000500026", "C500026"), ("C000072379", "C072379"),
    ("C582435", "C582435"), ("C000712049", "C000712049"),
    ("D0093690", None), ("D009369\n", None), ("D٠٠٩٣٦٩", None), ("Q000009", None), (None, None)])
def test_padded_mesh_ids_become_the_ids_nlm_publishes(given, published):
    assert canonical_mesh_id(given) == published


def mesh_ids_named(record: dict) -> set[str]:
    found = set()
    for browse in record.get("derivedSection", {}).values():
        for key in ("meshes", "ancestors"):
            found |= {m["id"] for m in browse.get(key, []) if isinstance(browse, dict)}
    return found


def test_no_shared_graph_holds_a_zero_padded_mesh_id():
    padded = re.compile(re.escape(MESH_NS) + r"[DC]000\d{6}$")
    seen_padded_input = False
    for path in shared_records("v2", "v2-partial"):
        record = load_json(path)
        seen_padded_input |= any(i.startswith("D000") for i in mesh_ids_named(record))
        for _, _, o in map_record(record).triples:
            if isinstance(o, str) and padded.match(o):
                assert canonical_mesh_id(o[len(MESH_NS):]) == o[len(MESH_NS):], (path.name, o)
    assert seen_padded_input, "the shared records no longer hold padded ids to test with"


# What a stated condition's own words link it to, beside what the registry's index names.
OWN_WORDS = {"http://www.w3.org/2004/02/skos/core#exactMatch",
             "http://www.w3.org/2004/02/skos/core#broadMatch", "https://w3id.org/sssom/object_id"}


def test_a_query_by_neoplasms_finds_every_trial_naming_it_in_either_form():
    expected, found = set(), set()
    for path in shared_records("v2", "v2-partial"):
        record = load_json(path)
        mapped = map_record(record)
        if mesh_ids_named(record) & {"D009369", "D000009369"}:
            expected.add(mapped.nct_id)
        if any(o == MESH_NS + "D009369" and p not in OWN_WORDS for _, p, o in mapped.triples):
            found.add(mapped.nct_id)  # (a stated condition's own words may reach it too)
    assert len(expected) >= 5 and found == expected
