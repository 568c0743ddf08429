"""Virtuoso's bulk path against a real Virtuoso: a first load takes the file whole in parts,
a reload replaces each trial beside its stored copy, and a failure leaves the store as it was.

The failures are real loads into a real server that stop part-way: the store's ``sql`` refuses
the loader's call after a given number of parts (the one place a test can make a server fail
between two parts on cue); everything before that is Virtuoso's own work.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from kg.pipeline.load_description import description_graph, stored_trials
from kg.pipeline.load_file import load_nquads_file
from kg.pipeline.load_stream import load_stream
from kg.pipeline.trial_graphs import graphs_from_rdf
from kg.stores import StoreError
from kg.stores.remote import RemoteStore
from kg.stores.virtuoso import Deadlock, VirtuosoBulkStore, _line_cuts
from tests.conftest import write_copies
from tests.virtuoso import virtuoso  # noqa: F401  (fixture)

BASE = "https://w3id.org/ctkg/test-bulk/"
OTHER = "https://example.org/not-kg/graph"
TRIALS = 24


class RefusingStore(VirtuosoBulkStore):
    """A Virtuoso bulk store whose server refuses every load after the first ``loads``."""

    def __init__(self, *args, loads: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.loads = loads
        self.lock = threading.Lock()

    def sql(self, statements: str) -> str:
        if "TTLP_V(" in statements:
            with self.lock:
                self.loads -= 1
                refused = self.loads < 0
            if refused:
                raise StoreError("Virtuoso: refused on cue by the test")
        return super().sql(statements)


def bulk_store(server, kind: type = VirtuosoBulkStore, **kwargs) -> VirtuosoBulkStore:
    store = kind(server.query_url, server.update_url, server.directory / "bulk",
                 f"127.0.0.1:{server.sql_port}", loaders=2, **kwargs)
    store.part_bytes = 64 * 1024  # many parts from a small file: the loaders share them out
    return store


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, Path]:
    """An export of ``TRIALS`` copies of the reference trial, and the same with every title
    changed (a reload that replaces every trial)."""
    directory = tmp_path_factory.mktemp("bulk")
    write_copies(directory / "records", TRIALS)
    path = directory / "all.nq"
    subprocess.run([sys.executable, "-m", "kg.cli", "export", str(directory / "records"),
                    "-f", "nquads", "-o", str(path), "--base", BASE, "--no-validate", "-q"],
                   check=True)
    changed = directory / "changed.nq"
    changed.write_text(path.read_text().replace('"Mesenchymal Stem Cells', '"Renamed Cells'))
    assert changed.read_text() != path.read_text()
    return path, changed


@pytest.fixture
def server(virtuoso, monkeypatch):  # noqa: F811
    for name, value in virtuoso.env().items():
        monkeypatch.setenv(name, value)
    virtuoso.clear(BASE)
    virtuoso.clear("urn:kg:staging:")
    store = RemoteStore(virtuoso.query_url, virtuoso.update_url)
    store.update(f'INSERT DATA {{ GRAPH <{OTHER}> {{ <urn:a> <urn:b> "kept" }} }}')
    yield virtuoso
    virtuoso.clear(OTHER)


def counts(server, prefix: str = BASE) -> dict[str, int]:
    rows = RemoteStore(server.query_url).query(
        f'SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
        f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }} GROUP BY ?g').rows
    return {row[0]["value"]: int(row[1]["value"]) for row in rows}


def file_counts(path: Path) -> dict[str, int]:
    return dict(Counter(line.rsplit(" ", 2)[-2][1:-1] for line in path.read_text().splitlines()))


def trial_counts(server) -> dict[str, int]:
    return {g: n for g, n in counts(server).items() if "/trial/" in g}


def titles(server) -> set[str]:
    rows = RemoteStore(server.query_url).query(
        f'SELECT DISTINCT ?name WHERE {{ GRAPH ?g {{ ?s <https://schema.org/name> ?name '
        f'FILTER(CONTAINS(?name, "Cells")) }} FILTER(STRSTARTS(STR(?g), "{BASE}trial/")) }}').rows
    return {row[0]["value"].split(" ")[0] for row in rows}


def test_a_file_is_cut_into_parts_at_line_ends(tmp_path):
    path = tmp_path / "lines.nq"
    path.write_bytes(b"".join(b"<urn:s> <urn:p> \"%d\" <urn:g> .\n" % n for n in range(1000)))
    cuts = _line_cuts(path, 1000)
    data = path.read_bytes()
    parts = [data[start:end] for start, end in zip(cuts[:-1], cuts[1:], strict=True)]
    assert len(parts) > 20 and b"".join(parts) == data
    assert all(part.endswith(b"\n") and 1000 <= len(part) < 1100 for part in parts[:-1])
    assert _line_cuts(tmp_path / "lines.nq", 10 ** 9) == [0, len(data)]


def test_a_first_load_takes_the_file_whole_in_parts_and_equals_the_export(server, exported):
    path, _ = exported
    store = bulk_store(server)
    summary = load_nquads_file(path, store, BASE, str(path))
    assert summary is not None and summary.ok and len(summary.loaded) == TRIALS
    assert trial_counts(server) == {g: n for g, n in file_counts(path).items()}
    assert all(t.digest for t in stored_trials(store, BASE).values())
    assert not list((server.directory / "bulk").glob("*.nq")), "every part is removed"
    assert counts(server, OTHER) == {OTHER: 1}


def test_a_failed_first_load_leaves_none_of_the_files_graphs(server, exported):
    """Some parts loaded, then the server refuses one: the file's graphs are removed again,
    every trial is named as not loaded, and a graph that is not kg's stays."""
    path, _ = exported
    store = bulk_store(server, RefusingStore, loads=3)
    summary = load_nquads_file(path, store, BASE, str(path))
    assert summary is not None and "refused on cue" in summary.error
    assert len(summary.not_loaded) == TRIALS and not summary.loaded
    assert counts(server) == {}, "nothing of the file is left"
    assert counts(server, OTHER) == {OTHER: 1}
    assert not list((server.directory / "bulk").glob("*.nq"))


def reload(store, path: Path):
    """What ``kg load`` does with an N-Quads file: whole when it can, else streamed."""
    summary = load_nquads_file(path, store, BASE, str(path))
    return summary if summary is not None else load_stream(graphs_from_rdf(path), store, BASE,
                                                    str(path), batch_size=10)


def test_a_bulk_reload_replaces_every_trial_and_a_failed_one_leaves_them_as_they_were(
        server, exported):
    path, changed = exported
    assert load_nquads_file(path, bulk_store(server), BASE, str(path)).ok
    before = trial_counts(server)

    summary = reload(bulk_store(server, RefusingStore, loads=1), changed)
    assert "refused on cue" in summary.error and summary.not_loaded
    assert len(summary.loaded) < TRIALS
    assert titles(server) in ({"Mesenchymal"}, {"Mesenchymal", "Renamed"})
    assert trial_counts(server) == before, "every trial whole: its old copy or its new one"
    assert counts(server, "urn:kg:staging:") == {}, "no staged copy is left"

    summary = reload(bulk_store(server), changed)
    assert summary.ok and summary.loaded
    assert titles(server) == {"Renamed"}
    assert trial_counts(server) == file_counts(changed)
    assert counts(server, "urn:kg:staging:") == {}
    assert not list((server.directory / "bulk").glob("*.nq"))


def test_graphs_a_stopped_first_load_left_undescribed_are_replaced_whole(server, exported):
    """kg stopped while Virtuoso loaded a file leaves graphs under the base with none
    described; a load then replaces every trial it is given as if stored, never adds to it."""
    path, changed = exported
    assert load_nquads_file(path, bulk_store(server), BASE, str(path)).ok
    RemoteStore(server.query_url, server.update_url).update(
        f"CLEAR GRAPH <{description_graph(BASE)}>")
    summary = reload(bulk_store(server), changed)
    assert summary.ok and len(summary.loaded) == TRIALS
    assert titles(server) == {"Renamed"}
    assert trial_counts(server) == file_counts(changed)


class DeadlockedOnce(VirtuosoBulkStore):
    """A Virtuoso bulk store whose first load is chosen as a deadlock's victim, as two loaders
    creating the same new IRIs at once (a reload's staging names) were at 1,500 trials."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.victims = 1

    def sql(self, statements: str) -> str:
        if "TTLP_V(" in statements and self.victims:
            self.victims -= 1
            super().sql(statements.split("TTLP_V(")[0])  # the session ran, then lost
            raise Deadlock("Virtuoso: Error 40001: Transaction deadlock (on cue)")
        return super().sql(statements)


def test_a_load_chosen_as_a_deadlocks_victim_is_run_again(server, exported):
    path, changed = exported
    assert load_nquads_file(path, bulk_store(server), BASE, str(path)).ok
    store = bulk_store(server, DeadlockedOnce)
    summary = reload(store, changed)
    assert summary.ok and len(summary.loaded) == TRIALS and store.victims == 0
    assert titles(server) == {"Renamed"}
    assert trial_counts(server) == file_counts(changed)
