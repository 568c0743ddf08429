"""Loading into the embedded Oxigraph store and into a real Virtuoso, and querying both."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from kg.mapping import map_record
from kg.pipeline.load_description import stored_trials
from kg.pipeline.load_stream import load_stream
from kg.pipeline.query import render_result
from kg.pipeline.trial_graphs import LoadSummary, graphs_from_records
from kg.stores.oxigraph import OxigraphStore
from kg.stores.remote import RemoteStore
from tests.conftest import EXAMPLE, ROOT, kg, load_json, shared_path, write_copies
from tests.virtuoso import free_port, virtuoso  # noqa: F401  (fixture)

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
TRIAL_GRAPHS = """SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
    FILTER(STRSTARTS(STR(?g), "{base}trial/")) }} GROUP BY ?g"""


def remote_args(server) -> list[str]:
    return ["--endpoint", server.query_url, "--update-endpoint", server.update_url,
            "--gsp-endpoint", server.gsp_url]


def graph_counts(store, base: str) -> dict[str, int]:
    result = store.query(TRIAL_GRAPHS.format(base=base))
    return {row[0]["value"]: int(row[1]["value"]) for row in result.rows}


def nquads_counts(path: Path) -> dict[str, int]:
    return dict(Counter(line.rsplit(" ", 2)[-2][1:-1] for line in path.read_text().splitlines()))


@pytest.fixture(scope="module")
def shared_inputs() -> list[str]:
    return [str(shared_path("records", "v2")), str(shared_path("records", "v2-partial"))]


@pytest.fixture(scope="module")
def exported_nquads(tmp_path_factory, shared_inputs) -> Path:
    path = tmp_path_factory.mktemp("nq") / "all.nq"
    kg("export", *shared_inputs, "-f", "nquads", "-o", str(path), "--no-validate", "-q",
       check=True)
    return path


BASE = "https://w3id.org/ctkg/id/"


def test_oxigraph_holds_the_exported_triple_count_per_trial(tmp_path, shared_inputs,
                                                            exported_nquads):
    store_dir = tmp_path / "store"
    assert kg("load", *shared_inputs, "--store", str(store_dir)).returncode == 0
    expected = nquads_counts(exported_nquads)
    store = OxigraphStore(store_dir)
    assert graph_counts(store, BASE) == expected
    store.close()

    assert kg("load", *shared_inputs, "--store", str(store_dir)).returncode == 0
    store = OxigraphStore(store_dir)
    assert graph_counts(store, BASE) == expected, "loading twice changes no count"
    triples = store.query("PREFIX void: <http://rdfs.org/ns/void#> SELECT ?n WHERE { GRAPH "
                          f"<{BASE}dataset> {{ <{BASE}dataset> void:triples ?n }} }}")
    assert int(triples.rows[0][0]["value"]) == sum(expected.values())


def test_loading_the_nquads_file_gives_the_same_graphs(tmp_path, exported_nquads):
    assert kg("load", str(exported_nquads), "--store", str(tmp_path / "s")).returncode == 0
    assert graph_counts(OxigraphStore(tmp_path / "s"), BASE) == nquads_counts(exported_nquads)


def test_a_modified_record_replaces_its_graph(tmp_path):
    record = load_json(EXAMPLE)
    (tmp_path / "a.json").write_text(json.dumps(record))
    store_dir = str(tmp_path / "store")
    kg("load", str(tmp_path / "a.json"), "--store", store_dir, check=True)
    record = copy.deepcopy(record)
    record["protocolSection"]["identificationModule"]["briefTitle"] = "A new title"
    (tmp_path / "a.json").write_text(json.dumps(record))
    kg("load", str(tmp_path / "a.json"), "--store", store_dir, check=True)
    titles = kg("query", "--store", store_dir, "--format", "csv",
                "SELECT ?t WHERE { GRAPH ?g { ?s <https://schema.org/name> ?t "
                'FILTER(CONTAINS(?t, "title") || CONTAINS(?t, "Mesenchymal")) } }').stdout
    assert titles.splitlines() == ["t", "A new title"]


def test_since_skips_trials_whose_stored_version_is_current(tmp_path):
    store_dir = str(tmp_path / "store")
    kg("load", str(EXAMPLE), "--store", store_dir, check=True)
    result = kg("load", str(EXAMPLE), "--store", store_dir, "--since")
    assert result.returncode == 0
    assert "loaded 0 trials" in result.stderr and "skipped 1 current" in result.stderr


def test_query_formats_on_the_embedded_store(tmp_path):
    store_dir = str(tmp_path / "store")
    kg("load", str(EXAMPLE), "--store", store_dir, check=True)
    summary = kg("query", "--store", store_dir, "--file", str(ROOT / "queries" / "trial-summary.rq"))
    assert "NCT00698191" in summary.stdout and "(1 rows)" in summary.stdout
    as_json = json.loads(kg("query", "--store", store_dir, "--format", "json",
                            "--file", str(ROOT / "queries" / "trial-summary.rq")).stdout)
    assert as_json["results"]["bindings"][0]["enrollment"]["value"] == "20"
    ask = kg("query", "--store", store_dir, "ASK { GRAPH ?g { ?s ?p ?o } }")
    assert ask.stdout == "true\n"
    construct = kg("query", "--store", store_dir, "--format", "turtle",
                   "CONSTRUCT { ?s <https://schema.org/name> ?n } WHERE { GRAPH ?g { ?s "
                   "<https://w3id.org/ctkg/vocab#leadSponsor>/<https://schema.org/name> ?n } }")
    assert "National Natural Science Foundation of China" in construct.stdout
    bad = kg("query", "--store", store_dir, "SELECT WHERE {")
    assert bad.returncode == 2 and "does not parse" in bad.stderr


def test_query_over_files_without_a_store(tmp_path):
    kg("export", str(EXAMPLE), "-o", str(tmp_path), "-f", "turtle", "-q", check=True)
    result = kg("query", "--data", str(tmp_path / "NCT00698191.ttl"), "--format", "csv",
                "SELECT ?n WHERE { ?t <https://w3id.org/ctkg/vocab#enrollment> ?n }")
    assert result.stdout == "n\n20\n"


def test_a_store_that_is_down_is_one_clear_error_naming_the_trials(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = kg("load", str(EXAMPLE), "--endpoint", url)
    assert result.returncode == 2  # it took no trial at all: the store could not be used
    assert "cannot reach" in result.stderr and "connection refused" in result.stderr
    assert "not loaded: NCT00698191" in result.stderr
    assert "loaded 0 trials" in result.stderr and "NOT loaded 1" in result.stderr


def test_a_connection_count_that_is_not_a_number_is_one_clear_error(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = kg("load", str(EXAMPLE), "--endpoint", url, env={"KG_STORE_CONNECTIONS": "zero"})
    assert result.returncode == 2
    assert result.stderr.strip() == ("kg: KG_STORE_CONNECTIONS must be a whole number of at "
                                     "least 1, not 'zero'")


def test_virtuoso_holds_the_exported_triple_count_per_trial(virtuoso, shared_inputs,  # noqa: F811
                                                            exported_nquads):
    virtuoso.clear("https://w3id.org/ctkg/")
    for _ in range(2):  # loading twice changes no count
        result = kg("load", *shared_inputs, *remote_args(virtuoso), env=virtuoso.env())
        assert result.returncode == 0, result.stderr
        assert graph_counts(RemoteStore(virtuoso.query_url), BASE) == nquads_counts(exported_nquads)


def test_virtuoso_replaces_a_modified_record_also_through_sparql_update(virtuoso,  # noqa: F811
                                                                        tmp_path):
    base = "https://w3id.org/ctkg/test-update/"
    virtuoso.clear(base)
    record = load_json(EXAMPLE)
    (tmp_path / "a.json").write_text(json.dumps(record))
    no_gsp = ["--endpoint", virtuoso.query_url, "--update-endpoint", virtuoso.update_url,
              "--base", base]
    kg("load", str(tmp_path / "a.json"), *no_gsp, env=virtuoso.env(), check=True)
    record["protocolSection"]["identificationModule"]["briefTitle"] = "A new title"
    (tmp_path / "a.json").write_text(json.dumps(record))
    kg("load", str(tmp_path / "a.json"), *no_gsp, env=virtuoso.env(), check=True)
    store = RemoteStore(virtuoso.query_url)
    titles = store.query(f"SELECT ?t WHERE {{ GRAPH <{base}trial/NCT00698191> {{ "
                         f"<{base}trial/NCT00698191> <https://schema.org/name> ?t }} }}")
    assert [row[0]["value"] for row in titles.rows] == ["A new title"]
    assert graph_counts(store, base) == {f"{base}trial/NCT00698191": len(set(map_record(
        record, base=base).triples))}


def _unordered(row: str) -> list[str]:
    return [" ".join(sorted(cell.split(" "))) for cell in row.split(",")]


def test_example_queries_answer_the_same_from_oxigraph_and_virtuoso(virtuoso, tmp_path,  # noqa: F811
                                                                    shared_inputs):
    # The shared records have no primary outcome with p < 0.05; the project's results fixture has.
    # One EudraCT trial's member-state records are registrations of one trial.
    inputs = [*shared_inputs, str(ROOT / "tests" / "fixtures" / "NCT09900001.json"),
              *map(str, sorted(shared_path("registries", "euctr").glob("2014-002606-20-*")))]
    virtuoso.clear("https://w3id.org/ctkg/")
    kg("load", *inputs, *remote_args(virtuoso), env=virtuoso.env(), check=True)
    kg("load", *inputs, "--store", str(tmp_path / "store"), check=True)
    oxigraph = OxigraphStore(tmp_path / "store")
    remote = RemoteStore(virtuoso.query_url)
    assert len(QUERIES) >= 10
    for query in QUERIES:
        text = query.read_text()
        local = render_result(oxigraph.query(text), "csv").splitlines()
        served = render_result(remote.query(text), "csv").splitlines()
        assert len(local) > 1 or "Needs: kg export --link" in text, \
            f"{query.name} finds nothing on the shared records and fixture"
        # a GROUP_CONCAT's order is the engine's own (SPARQL leaves it open): compared sorted
        assert local[0] == served[0] and sorted(map(_unordered, local[1:])) == sorted(
            map(_unordered, served[1:])), query.name


def test_virtuoso_stopped_mid_load_names_the_trials_not_loaded(virtuoso, tmp_path):  # noqa: F811
    base = "https://w3id.org/ctkg/test-kill/"
    records = tmp_path / "records"
    records.mkdir()
    template = load_json(EXAMPLE)
    for number in range(300):
        record = copy.deepcopy(template)
        record["protocolSection"]["identificationModule"]["nctId"] = f"NCT{20000000 + number:08d}"
        (records / f"{number:04d}.json").write_text(json.dumps(record))
    virtuoso.clear(base)
    args = ["load", str(records), *remote_args(virtuoso), "--base", base, "--batch-size", "1",
            "-w", "1"]
    import os

    process = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], stderr=subprocess.PIPE,
                               text=True, env={**os.environ, **virtuoso.env()})
    store = RemoteStore(virtuoso.query_url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(graph_counts(store, base)) < 20:
        time.sleep(0.05)
    virtuoso.kill()
    _, stderr = process.communicate(timeout=120)
    try:
        assert process.returncode == 1
        not_loaded = [line for line in stderr.splitlines() if line.startswith("not loaded: NCT")]
        loaded = int(stderr.split("loaded ", 1)[1].split(" trials")[0])
        assert not_loaded and loaded + len(not_loaded) == 300, stderr[-2000:]
        assert "store failed" in stderr
    finally:
        virtuoso.start()
    again = kg(*args, env=virtuoso.env())
    assert again.returncode == 0, again.stderr
    counts = graph_counts(RemoteStore(virtuoso.query_url), base)
    expected = len(set(map_record(template).triples))
    assert len(counts) == 300 and set(counts.values()) == {expected}, "complete, no duplicates"



def test_a_trial_whose_content_is_stored_already_is_left_alone(tmp_path):
    store_dir = str(tmp_path / "store")
    kg("load", str(EXAMPLE), "--store", store_dir, check=True)
    again = kg("load", str(EXAMPLE), "--store", store_dir, check=True)
    assert "loaded 0 trials" in again.stderr and "1 unchanged" in again.stderr


def dataset(store_dir: Path) -> set[str]:
    """Every quad of the trial graphs, as text."""
    store = OxigraphStore(store_dir)
    found = {str(q) for q in store.store.quads_for_pattern(None, None, None, None)
             if "/trial/" in q.graph_name.value}
    store.close()
    return found


def test_a_file_read_by_the_store_and_one_streamed_load_the_same_quads(tmp_path, exported_nquads):
    """An export in kg's form goes to Oxigraph's own reader; a file with a line in another form
    is streamed through kg's reader. Both give the same graphs, and a changed trial in a
    reload replaces its graph in both."""
    other = tmp_path / "other.nq"
    other.write_bytes(b"# written by hand\n" + exported_nquads.read_bytes())
    kg("load", str(exported_nquads), "--store", str(tmp_path / "direct"), check=True)
    kg("load", str(other), "--store", str(tmp_path / "streamed"), check=True)
    assert dataset(tmp_path / "direct") == dataset(tmp_path / "streamed")

    old = '"Proton Craniospinal Irradiation'
    changed = tmp_path / "changed.nq"
    changed.write_text(exported_nquads.read_text().replace(old, '"Renamed Proton Irradiation'))
    for store_dir in ("direct", "streamed"):
        result = kg("load", str(changed), "--store", str(tmp_path / store_dir), check=True)
        assert "loaded 1 trials" in result.stderr, result.stderr
    quads = dataset(tmp_path / "direct")
    assert quads == dataset(tmp_path / "streamed")
    assert any("Renamed Proton Irradiation" in q for q in quads)
    assert not any(old in q for q in quads)
    assert len(quads) == sum(nquads_counts(exported_nquads).values())


@pytest.mark.parametrize("first_load", [True, False])
def test_an_unreadable_file_leaves_the_store_as_it_was(tmp_path, exported_nquads, first_load):
    """Into an empty store the file is surveyed while Oxigraph loads it; a file found unreadable
    (a trial's quads split in two) then leaves the store empty again, as it leaves a store with
    trials untouched (the trial graphs: the description graph records every run)."""
    store_dir = tmp_path / "store"
    if not first_load:
        kg("load", str(EXAMPLE), "--store", str(store_dir), check=True)
    before = dataset(store_dir) if not first_load else set()
    lines = exported_nquads.read_text().splitlines(keepends=True)
    split = tmp_path / "split.nq"
    split.write_text("".join(lines[1:] + lines[:1]))  # the first trial's first quad at the end
    result = kg("load", str(split), "--store", str(store_dir))
    assert result.returncode == 1, result.stderr  # bad input, as for any unreadable file
    error = result.stderr.splitlines()[0]
    assert error.startswith(f"error: {split}: ") and "are not together" in error
    store = OxigraphStore(store_dir)
    graphs = {q.graph_name.value for q in store.store.quads_for_pattern(None, None, None, None)}
    store.close()
    assert dataset(store_dir) == before
    if first_load:  # nothing of the file is left; the run is still described, as every run is
        assert graphs == {BASE + "dataset"}


def test_virtuoso_bulk_loader_loads_and_a_bulk_reload_replaces_each_trial(virtuoso,  # noqa: F811
                                                                         tmp_path,
                                                                         exported_nquads):
    """Through ld_add and rdf_loader_run over isql, two loaders in parallel: the per-graph
    counts of the export, and a reload of a modified export replaces the modified trial."""
    virtuoso.clear("https://w3id.org/ctkg/")
    bulk = ["--endpoint", virtuoso.query_url, "--update-endpoint", virtuoso.update_url,
            "--virtuoso-bulk", str(virtuoso.directory / "bulk"), "--isql",
            f"127.0.0.1:{virtuoso.sql_port}", "--loaders", "2"]
    result = kg("load", str(exported_nquads), *bulk, env=virtuoso.env())
    assert result.returncode == 0, result.stderr
    expected = nquads_counts(exported_nquads)
    assert graph_counts(RemoteStore(virtuoso.query_url), BASE) == expected

    old = '"Proton Craniospinal Irradiation'
    changed = tmp_path / "changed.nq"
    changed.write_text(exported_nquads.read_text().replace(old, '"Renamed Proton Irradiation'))
    result = kg("load", str(changed), *bulk, env=virtuoso.env())
    assert result.returncode == 0 and "loaded 1 trials" in result.stderr, result.stderr
    store = RemoteStore(virtuoso.query_url)
    assert graph_counts(store, BASE) == expected, "a reload replaces, never adds"
    names = store.query(f"""SELECT ?name WHERE {{ GRAPH ?g {{ ?s <https://schema.org/name> ?name
        FILTER(CONTAINS(?name, "Irradiation With Bone Sparing")) }}
        FILTER(STRSTARTS(STR(?g), "{BASE}trial/")) }}""")
    assert {row[0]["value"].split(" ")[0] for row in names.rows} == {"Renamed"}
    assert not list((virtuoso.directory / "bulk").glob("*.nq")), "batch files are removed"


def test_virtuoso_bulk_loader_with_a_wrong_password_exits_2_in_one_line(virtuoso,  # noqa: F811
                                                                       exported_nquads):
    result = kg("load", str(exported_nquads), "--endpoint", virtuoso.query_url,
                "--virtuoso-bulk", str(virtuoso.directory / "bulk"),
                "--isql", f"127.0.0.1:{virtuoso.sql_port}",
                env={**virtuoso.env(), "KG_ISQL_PASSWORD": "wrong"})
    assert result.returncode == 2 and "Bad login" in result.stderr, result.stderr


def test_a_full_disk_during_kg_load_is_one_line_and_exit_2(tmp_path):
    """A file-size limit stands for a full disk: the store's write fails with an OS error."""
    import resource
    import signal
    import subprocess
    import sys


    write_copies(tmp_path / "records", 40)

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (300_000, 300_000))

    done = subprocess.run([sys.executable, "-m", "kg.cli", "load", str(tmp_path / "records"),
                           "--store", str(tmp_path / "store"), "-q"], capture_output=True,
                          text=True, preexec_fn=limit)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("kg load: ") and "internal error" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


class CappedStore(OxigraphStore):
    """A store answering at most ``cap`` rows a query, as a server with a result cap does
    (Virtuoso's ResultSetMaxRows, 10,000 in Debian's configuration), without saying so."""

    cap = 7

    def query(self, sparql: str):
        result = super().query(sparql)
        return result._replace(rows=result.rows[:self.cap])


def test_stored_trials_are_read_whole_past_a_servers_row_cap(tmp_path):
    """A list cut short made a reload add to stored graphs instead of replacing them."""
    records = tmp_path / "records"
    write_copies(records, 20)
    store = OxigraphStore(tmp_path / "store")
    graphs = graphs_from_records([str(records)], BASE, 1, print, LoadSummary())
    summary = load_stream(graphs, store, BASE, "test")
    assert summary.ok and len(summary.loaded) == 20
    store.close()
    capped = CappedStore(tmp_path / "store")
    assert len(capped.query("SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }").rows) == 7
    trials = stored_trials(capped, BASE)
    capped.close()
    assert len(trials) == 20 and all(t.digest and t.modified for t in trials.values())
