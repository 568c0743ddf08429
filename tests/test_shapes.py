"""Each shape catches the defect it exists for: a conforming graph, broken the way real data
breaks, gives exactly the expected violation; and ``kg validate`` exits 1 naming the trial."""

from __future__ import annotations

import re

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import Literal, URIRef

from kg.cli import main
from kg.mapping import map_record
from kg.rdf import to_rdflib
from kg.serialize.ntriples import NTRIPLES_CLOSING, NTRIPLES_OPENING
from kg.validation.results import shapes_graph
from kg.validation.validate import validate_graph
from tests.conftest import load_json, shared_path, shared_records
from tests.shape_breakages import (
    CASES,
    KG,
    SDO,
    TRIAL,
    enrollment_negative,
    phase_nine,
    phase_one_with_phase_four,
)


@pytest.fixture()
def conforming(reference_record) -> rdflib.Graph:
    graph = to_rdflib(map_record(reference_record).triples)
    assert validate_graph(graph, "NCT00698191") == []
    return graph


@pytest.mark.parametrize("breakage", list(CASES), ids=lambda f: f.__name__)
def test_shape_reports_the_exact_violation(conforming, breakage):
    breakage(conforming)
    shape, path, focus, severity = CASES[breakage]
    found = {(r.shape, r.path, r.focus, r.severity) for r in validate_graph(conforming, "NCT00698191")}
    assert (shape, path, str(focus), severity) in found, found


def test_every_node_shape_has_a_case_that_breaks_it():
    names = {str(s).rsplit("#", 1)[-1] for s in shapes_graph().subjects(rdflib.RDF.type,
                                                                          rdflib.SH.NodeShape)}
    from tests.results_breakages import RESULTS_CASES

    broken = {case[0] for case in (*CASES.values(), *RESULTS_CASES.values())}
    broken |= {"CompletedStudyShape"}
    assert names <= broken, names - broken


def test_completed_study_without_completion_date_is_only_a_warning(conforming):
    conforming.set((TRIAL, SDO.status, SDO.Completed))
    conforming.remove((TRIAL, KG.completionDate, None))
    results = validate_graph(conforming, "NCT00698191")
    assert [(r.shape, r.severity) for r in results] == [("CompletedStudyShape", "Warning")]


def test_every_property_shape_reads_as_english():
    shapes = shapes_graph()
    for prop in shapes.objects(None, rdflib.SH.property):
        assert shapes.value(prop, rdflib.SH.name), prop
        assert shapes.value(prop, rdflib.SH.description), prop
        message = str(shapes.value(prop, rdflib.SH.message))
        assert re.match(r"^(protocol|results|document|annotation|derived)Section\.|^hasResults"
                        r"|^CTIS ", message), (prop, message)  # names the registry field


def test_every_shape_path_is_a_known_term():
    from kg.vocab import KG as KG_TERMS
    from kg.vocab import QB, SDMX_ATTRIBUTE, SDMX_MEASURE, SSSOM
    from kg.vocab import SDO as SDO_TERMS

    known = (KG_TERMS.iris() | SDO_TERMS.iris() | QB.iris() | SDMX_MEASURE.iris()
             | SDMX_ATTRIBUTE.iris() | SSSOM.iris())
    shapes = shapes_graph()
    for path in shapes.objects(None, rdflib.SH.path):
        items = list(rdflib.collection.Collection(shapes, path)) if isinstance(
            path, rdflib.BNode) else [path]
        for item in items:
            assert str(item) in known, item


def test_shape_value_lists_match_the_mapping_tables():
    """sh:in lists repeat the enum tables; they must not drift apart."""
    import kg.mapping  # noqa: F401
    from kg.vocab import ENUMERATIONS

    tables = {frozenset(e.terms.values()) for e in ENUMERATIONS.values()}
    shapes = shapes_graph()
    for values in shapes.objects(None, rdflib.SH["in"]):
        members = frozenset(str(v) for v in rdflib.collection.Collection(shapes, values))
        if all(isinstance(v, URIRef) for v in rdflib.collection.Collection(shapes, values)):
            assert members in tables, sorted(members)


def test_kg_validate_exits_1_and_names_the_trial(tmp_path, conforming):
    phase_nine(conforming)
    path = tmp_path / "broken.ttl"
    conforming.serialize(path, format="turtle")
    result = CliRunner().invoke(main, ["validate", str(path), "-w", "1"])
    assert result.exit_code == 1
    assert any(line.startswith("violation: NCT00698191: StudyShape") and "kg:phase" in line
               for line in result.stdout.splitlines())
    assert "StudyShape violation: 1" in result.stderr


def test_kg_validate_on_a_file_that_is_not_rdf_exits_2(tmp_path):
    path = tmp_path / "notes.ttl"
    path.write_text("this is { not turtle")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "not valid turtle" in result.stderr


def test_kg_validate_json_and_turtle_reports(tmp_path, conforming):
    import json

    enrollment_negative(conforming)
    path = tmp_path / "broken.nt"
    conforming.serialize(path, format="nt")
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", "-w", "1"])
    assert json.loads(result.stdout)[0]["path"] == "kg:enrollment"
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "turtle", "-w", "1"])
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert (None, rdflib.SH.conforms, Literal(False)) in report
    assert (None, rdflib.SH.resultPath, KG.enrollment) in report


def test_export_strict_does_not_write_invalid_trials(tmp_path, reference_record):
    import json

    reference_record = json.loads(json.dumps(reference_record))
    reference_record["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = -1
    out = tmp_path / "out.nt"
    result = CliRunner().invoke(main, ["export", "-", "-f", "ntriples", "-o", str(out), "--strict"],
                                input=json.dumps(reference_record))
    assert result.exit_code == 1
    assert "violation: NCT00698191: StudyShape" in result.stderr
    assert out.read_text() == NTRIPLES_OPENING + NTRIPLES_CLOSING  # kg's marker lines, no triple


@pytest.mark.parametrize("folder", ["v2", "v2-partial"])
def test_every_shared_record_conforms(folder):
    for path in shared_records(folder):
        mapped = map_record(load_json(path))
        violations = [r.line() for r in validate_graph(to_rdflib(mapped.triples), mapped.nct_id)
                      if r.severity == "Violation"]
        assert not violations, violations
    assert shared_path("records", folder)


def test_a_site_without_address_data_has_no_empty_address_node_and_is_a_warning(reference_record):
    import copy

    record = copy.deepcopy(reference_record)
    site = record["protocolSection"]["contactsLocationsModule"]["locations"][0]
    for key in ("city", "state", "zip", "country", "countryCode"):
        site.pop(key, None)
    mapped = map_record(record)
    assert not [t for t in mapped.triples if t[0].endswith("/address")]
    results = validate_graph(to_rdflib(mapped.triples), "NCT00698191")
    assert [(r.shape, r.path, r.severity) for r in results] == [
        ("SiteShape", "schema:address", "Warning")]


def test_three_runs_of_validate_json_give_identical_bytes(tmp_path, conforming):
    phase_nine(conforming)
    phase_one_with_phase_four(conforming)
    enrollment_negative(conforming)
    path = tmp_path / "broken.ttl"
    conforming.serialize(path, format="turtle")
    import subprocess
    import sys

    # Separate processes: each has its own hash seed, which is what reordered sh:in lists.
    outputs = {subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(path), "--format",
                               "json", "-w", "1"], capture_output=True, text=True).stdout
               for _ in range(3)}
    assert len(outputs) == 1 and '"kg:phase"' in outputs.pop()
