"""Each results shape catches the defect it exists for, on a conforming results graph (the
project's own fixture trial, tests/fixtures/NCT09900001.json) broken the way real data breaks."""

from __future__ import annotations

import pytest
import rdflib

from kg.mapping import map_record
from kg.rdf import to_rdflib
from kg.validation.validate import validate_graph
from tests.conftest import RESULTS_FIXTURE, load_json
from tests.results_breakages import (
    KG,
    RESULTS_CASES,
    TRIAL,
)


@pytest.fixture()
def results_graph() -> rdflib.Graph:
    graph = to_rdflib(map_record(load_json(RESULTS_FIXTURE)).triples)
    assert validate_graph(graph, "NCT09900001") == []
    return graph


@pytest.mark.parametrize("breakage", list(RESULTS_CASES), ids=lambda f: f.__name__)
def test_results_shape_reports_the_exact_violation(results_graph, breakage):
    breakage(results_graph)
    shape, path, focus, severity = RESULTS_CASES[breakage]
    if focus is None:  # a node named by what it is: the one the breakage touched
        focus = results_graph.value(TRIAL, KG.largeDocument)
    found = {(r.shape, r.path, r.focus, r.severity)
             for r in validate_graph(results_graph, "NCT09900001")}
    assert (shape, path, str(focus), severity) in found, found


def test_a_cell_of_a_group_its_table_declares_is_not_reported(results_graph):
    """The group check is a join, not a blanket failure: the real cell passes."""
    results = validate_graph(results_graph, "NCT09900001")
    assert not [r for r in results if r.path == "kg:group"]
