"""``kg export`` end to end: outputs, standard output, and bad input that never loses the rest."""

from __future__ import annotations

import json
import re
import shutil

import rdflib

from kg.mapping import map_record
from tests.conftest import EXAMPLE, kg, load_json

REFERENCE_TRIPLES = len(map_record(load_json(EXAMPLE)).triples)


def good_copy(tmp_path, nct: str = "NCT00698191") -> dict:
    record = json.loads(EXAMPLE.read_text())
    record["protocolSection"]["identificationModule"]["nctId"] = nct
    return record


def test_export_writes_turtle_and_jsonld_into_the_output_directory(tmp_path):
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path), in_process=True)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["NCT00698191.jsonld", "NCT00698191.ttl"]
    assert f"1 records, {REFERENCE_TRIPLES} triples, 0 failed" in result.stderr


def test_export_is_byte_identical_across_runs(tmp_path):
    for run_dir in ("a", "b"):
        assert kg("export", str(EXAMPLE), "-o", str(tmp_path / run_dir), "-f", "turtle",
                   "-f", "jsonld", "-f", "nquads", in_process=True).exit_code == 0
    for name in ("NCT00698191.ttl", "NCT00698191.jsonld", "NCT00698191.nq"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_jsonld_to_stdout_from_stdin():
    result = kg("export", "-", "-f", "jsonld", "-o", "-", "-q", input=EXAMPLE.read_text(), in_process=True)
    assert result.exit_code == 0
    graph = rdflib.Graph().parse(data=result.stdout, format="json-ld")
    assert len(graph) == REFERENCE_TRIPLES


def test_a_search_page_exports_every_study(tmp_path):
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": [good_copy(tmp_path, "NCT00000001"),
                                            good_copy(tmp_path, "NCT00000002")]}))
    result = kg("export", str(page), "-f", "ntriples", "-o", "-", "-q", in_process=True)
    assert result.exit_code == 0
    assert "NCT00000001" in result.stdout and "NCT00000002" in result.stdout


def test_bad_records_are_reported_one_line_each_and_the_good_ones_still_export(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(EXAMPLE, inputs / "a_good.json")
    (inputs / "b_not_json.json").write_text("{ this is not json")
    (inputs / "c_not_a_study.json").write_text('{"hello": "world"}')
    no_id = good_copy(tmp_path)
    del no_id["protocolSection"]["identificationModule"]["nctId"]
    (inputs / "d_no_id.json").write_text(json.dumps(no_id))
    bad_date = good_copy(tmp_path, "NCT00000003")
    bad_date["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "2007-13"
    (inputs / "e_bad_date.json").write_text(json.dumps(bad_date))
    new_enum = good_copy(tmp_path, "NCT00000004")
    new_enum["protocolSection"]["designModule"]["phases"] = ["PHASE9"]
    (inputs / "f_new_enum.json").write_text(json.dumps(new_enum))

    result = kg("export", str(inputs), "-o", str(tmp_path / "out.nt"), "-f", "ntriples",
                 "--no-validate", in_process=True)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any("b_not_json.json" in line and "not valid JSON" in line for line in lines)
    assert any("c_not_a_study.json" in line and "neither a study" in line for line in lines)
    assert any("d_no_id.json" in line and "identificationModule.nctId" in line for line in lines)
    assert any("e_bad_date.json: NCT00000003: protocolSection.statusModule.startDateStruct.date"
               in line and "malformed date" in line for line in lines)
    assert any(line.startswith("warning:") and "NCT00000004" in line and "PHASE9" in line
               for line in lines)
    output = (tmp_path / "out.nt").read_text()
    assert "trial/NCT00698191>" in output
    assert '"PHASE9"' in output, "an unknown enum value is kept as a literal"
    assert '"2007-13"' in output, "a malformed date is kept, as text, for the record's audit"
    assert not list(tmp_path.glob(".*.part")), "no temporary file left behind"


def test_unknown_enum_value_is_a_mapping_warning_but_a_shape_violation(tmp_path):
    record = good_copy(tmp_path)
    record["protocolSection"]["designModule"]["phases"] = ["PHASE9"]
    result = kg("export", "-", "-f", "ntriples", "-o", "-", "--no-validate",
                 input=json.dumps(record), in_process=True)
    assert result.exit_code == 0
    assert "unknown Phase value 'PHASE9'" in result.stderr
    result = kg("export", "-", "-f", "ntriples", "-o", "-", input=json.dumps(record), in_process=True)
    assert result.exit_code == 1
    assert "violation: NCT00698191: StudyShape" in result.stderr


def test_missing_input_file_is_one_clear_error(tmp_path):
    result = kg("export", str(tmp_path / "nope.json"), "-o", str(tmp_path / "x.ttl"), "-f", "turtle",
                in_process=True)
    assert result.exit_code == 2
    assert "no such input" in result.stderr and "nope.json" in result.stderr


def test_unwritable_output_leaves_no_partial_file_and_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = kg("export", str(EXAMPLE), "-o", str(blocker / "sub" / "out.ttl"), "-f", "turtle",
                in_process=True)
    assert result.exit_code == 2
    assert "cannot write output" in result.stderr


def test_jsonld_output_is_isomorphic_to_turtle_output(tmp_path):
    from rdflib.compare import isomorphic

    assert kg("export", str(EXAMPLE), "-o", str(tmp_path), "-q", in_process=True).exit_code == 0
    turtle = rdflib.Graph().parse(tmp_path / "NCT00698191.ttl")
    jsonld = rdflib.Graph().parse(tmp_path / "NCT00698191.jsonld", format="json-ld")
    assert len(turtle) == REFERENCE_TRIPLES and isomorphic(turtle, jsonld)


def test_verbose_names_each_record(tmp_path):
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path), "-v", "--no-validate", in_process=True)
    assert f"NCT00698191: {REFERENCE_TRIPLES} triples" in result.stderr


def test_progress_off_a_terminal_is_a_plain_periodic_line_with_rate_and_eta(capsys):
    from collections import Counter

    from kg.cli.options import Progress
    from kg.pipeline.export import RecordOutcome

    progress = Progress(True, lambda: 1000, interval=0.0)
    progress.terminal = False
    progress.tick(RecordOutcome("NCT00000001", {}, 1, [], False, False, 0, Counter()))
    line = capsys.readouterr().err.strip()
    assert re.fullmatch(r"progress: 1/1,000 records, [0-9,]+ records/s, 0 errors, about [0-9,]+ "
                        r"min left", line), line


def test_progress_on_a_terminal_is_a_bar_with_rate_and_eta():
    from collections import Counter

    from kg.cli.options import Progress
    from kg.pipeline.export import RecordOutcome

    progress = Progress(True, lambda: 10)
    progress.terminal = True
    progress.tick(RecordOutcome("NCT00000001", {}, 1, [], False, False, 0, Counter()))
    shown = str(progress.bar)  # what the bar draws: count, total, rate and time left
    assert "1/10" in shown and "records/s" in shown and "<" in shown
    progress.done()


def test_query_tables_show_labels_and_csv_keeps_iris(tmp_path):
    out = tmp_path / "ref.nt"
    kg("export", str(EXAMPLE), "-o", str(out), "--no-validate", in_process=True)
    query = ("PREFIX schema: <https://schema.org/> PREFIX kg: <https://w3id.org/ctkg/vocab#> "
             "SELECT ?status ?phase WHERE { ?t schema:status ?status ; kg:phase ?phase } "
             "ORDER BY ?phase")
    table = kg("query", "--data", str(out), query, in_process=True).stdout
    assert "Unknown status" in table and "Phase 1" in table and "vocab#" not in table
    csv_text = kg("query", "--data", str(out), "--format", "csv", query, in_process=True).stdout
    assert "https://w3id.org/ctkg/vocab#StatusUnknown" in csv_text
