"""All real records in ../shared/records export without error and reach the graph."""

from __future__ import annotations

import pytest

from kg.ids import DEFAULT_BASE
from kg.mapping import map_record
from kg.pipeline.coverage import leaf_coverage
from kg.sources.files import read_inputs
from tests.conftest import load_json, shared_path, shared_records


@pytest.mark.parametrize("folder", ["v2", "v2-partial"])
def test_every_shared_record_and_page_maps_without_error(folder):
    items = list(read_inputs([str(shared_path("records", folder))]))
    assert len(items) > 20
    for item in items:
        assert item.error is None, item.error.line()
        mapped = map_record(item.record, origin=item.origin)
        errors = [p.line(item.origin) for p in mapped.problems if p.severity == "error"]
        assert not errors
        assert mapped.triples


def test_complete_records_reach_the_graph_at_least_98_percent():
    reached = total = 0
    for path in shared_records("v2"):
        record = load_json(path)
        coverage = leaf_coverage(record, map_record(record).triples, DEFAULT_BASE)
        reached += coverage.reached
        total += coverage.total
    assert total > 10_000
    assert reached / total >= 0.98


def test_coverage_notices_a_section_the_mapping_forgets(reference_record):
    """The yardstick can fail: drop the references and their citations go missing."""
    triples = [t for t in map_record(reference_record).triples if "citation" not in t[1]]
    coverage = leaf_coverage(reference_record, triples, DEFAULT_BASE)
    assert any(p.endswith(".citation") for p in coverage.missing)
