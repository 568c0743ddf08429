"""The exit status table of the README, pinned: 2 when the command cannot run, 1 when a record
or an input fails, 3 for a bug; and what each of those cases prints."""

from __future__ import annotations

import shutil
import time

from kg.serialize.ntriples import NTRIPLES_OPENING
from tests.conftest import EXAMPLE, kg
from tests.virtuoso import free_port


def test_a_missing_input_exits_2_and_writes_no_output(tmp_path):
    out = tmp_path / "out.ttl"
    result = kg("export", str(tmp_path / "nowhere.json"), "-o", str(out), in_process=True)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"kg export: no such input: {tmp_path / 'nowhere.json'}"
    assert not out.exists()


def test_an_empty_directory_exits_2_saying_it_holds_no_records(tmp_path):
    (tmp_path / "empty").mkdir()
    result = kg("export", str(tmp_path / "empty"), "-o", str(tmp_path / "out.nt"), in_process=True)
    assert result.exit_code == 2 and "no study records" in result.stderr


def test_an_output_named_for_another_format_exits_2(tmp_path):
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path / "out.ttl"), "-f", "jsonld", in_process=True)
    assert result.exit_code == 2 and "writes .jsonld files" in result.stderr
    assert not (tmp_path / "out.ttl").exists()


def test_the_output_file_name_chooses_the_format(tmp_path):
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path / "out.nt"), "--no-validate", in_process=True)
    assert result.exit_code == 0, result.stderr
    first, second = (tmp_path / "out.nt").read_text().splitlines()[:2]
    assert first == NTRIPLES_OPENING.rstrip("\n")  # N-Triples, with kg's marker line
    assert second.startswith("<http://id.nlm.nih.gov/mesh/D008180> ")


def test_a_base_that_is_not_an_absolute_iri_exits_2(tmp_path):
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path / "o.nt"), "--base", "urn-not-absolute",
                in_process=True)
    assert result.exit_code == 2 and "--base" in result.stderr


def test_query_of_a_file_that_is_not_rdf_exits_2_in_one_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is { not turtle")
    result = kg("query", "--data", str(bad), "SELECT * WHERE { ?s ?p ?o }", in_process=True)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(f"kg query: {bad}")


def test_load_names_an_unreadable_file_and_loads_the_others(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is { not turtle")
    kg("export", str(EXAMPLE), "-o", str(tmp_path / "good.nq"), "--no-validate", "-q", in_process=True)
    result = kg("load", str(bad), str(tmp_path / "good.nq"), "--store", str(tmp_path / "store"),
                in_process=True)
    assert result.exit_code == 1
    assert f"error: {bad}: cannot read as RDF" in result.stderr
    assert "loaded 1 trials" in result.stderr and "store failed" not in result.stderr


def test_an_unreachable_endpoint_exits_2(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = kg("load", str(EXAMPLE), "--endpoint", url, "-w", "1", in_process=True)
    assert result.exit_code == 2, result.stderr


def test_quiet_load_prints_no_duplicate_warning(tmp_path):
    (tmp_path / "in").mkdir()
    shutil.copy(EXAMPLE, tmp_path / "in" / "a.json")
    shutil.copy(EXAMPLE, tmp_path / "in" / "b.json")
    loud = kg("load", str(tmp_path / "in"), "--store", str(tmp_path / "s1"), "-w", "1", in_process=True)
    quiet = kg("load", str(tmp_path / "in"), "--store", str(tmp_path / "s2"), "-w", "1", "-q",
               in_process=True)
    assert "appears again" in loud.stderr and "appears again" not in quiet.stderr


def test_an_internal_error_exits_3_in_one_line(monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("kg.cli.export.export", broken)
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path / "o.nt"), "--no-validate", in_process=True)
    assert result.exit_code == 3
    assert result.stderr.startswith("kg: internal error (ZeroDivisionError: division by zero)")
    assert result.stderr.count("\n") == 1




def test_an_output_file_named_like_a_directory_is_refused_before_any_mapping(tmp_path):
    (tmp_path / "out.nt").mkdir()
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path / "out.nt"), "--no-validate", in_process=True)
    assert result.exit_code == 2 and "is a directory" in result.stderr


def test_shards_into_an_existing_file_exit_2(tmp_path):
    (tmp_path / "plain").write_text("not a directory")
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path / "plain"), "--shard-size", "5",
                "-f", "ntriples", "--no-validate", in_process=True)
    assert result.exit_code == 2 and "--shard-size writes into a directory" in result.stderr


def test_a_killed_writers_temporary_file_is_removed_by_the_next_run(tmp_path):
    orphan = tmp_path / ".out.nt.999999999.abcd.part"  # no process has that id
    orphan.write_text("half a file")
    result = kg("export", str(EXAMPLE), "-o", str(tmp_path / "out.nt"), "--no-validate", in_process=True)
    assert result.exit_code == 0, result.stderr
    assert not orphan.exists() and (tmp_path / "out.nt").exists()


def test_a_sigterm_during_an_export_leaves_no_half_written_file(tmp_path):
    """The export reads its records from a pipe that stays open, so it is stopped while its
    hidden .part file exists, whatever the machine's speed."""
    import signal
    import subprocess
    import sys

    out = tmp_path / "out.nt"
    run = subprocess.Popen([sys.executable, "-m", "kg.cli", "export", "-", "-f", "ntriples",
                            "-o", str(out), "--no-validate", "-w", "1", "-q"],
                           stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    run.stdin.write(EXAMPLE.read_bytes()[:100])  # half a record: the run waits for the rest
    run.stdin.flush()
    while not list(tmp_path.glob(".out.nt.*.part")):
        assert run.poll() is None, run.stderr.read()
        time.sleep(0.05)
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=60) == 128 + signal.SIGTERM
    run.stdin.close()
    assert list(tmp_path.iterdir()) == [], "no .part file and no output left"


def test_a_redirect_loop_and_a_page_without_studies_are_one_line_each(httpserver, tmp_path):
    httpserver.expect_request("/loop/api/v2/studies/NCT00698191").respond_with_data(
        "", status=302, headers={"Location": "/loop/api/v2/studies/NCT00698191"})
    looped = kg("export", "--nct", "NCT00698191", "--api-url",
                httpserver.url_for("/loop/api/v2"), "--rate", "0", "--retries", "0",
                "-o", str(tmp_path / "a.nt"), "--no-validate", "-w", "1", in_process=True)
    assert looped.exit_code == 1, looped.stderr
    assert "redirects" in looped.stderr.lower() and "internal error" not in looped.stderr
    httpserver.expect_request("/null/api/v2/studies").respond_with_json({"studies": None})
    empty = kg("export", "--query", "lupus", "--api-url", httpserver.url_for("/null/api/v2"),
               "--rate", "0", "--retries", "0", "-o", str(tmp_path / "b.nt"), "--no-validate",
               in_process=True)
    assert empty.exit_code == 1, empty.stderr
    assert "page 1 of the search has no list of studies" in empty.stderr
    assert "internal error" not in empty.stderr
