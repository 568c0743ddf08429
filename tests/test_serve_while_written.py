"""``kg serve`` of a store that ``kg sync`` and ``kg load`` keep writing (the README's daily
recipe): every request between and during the writes is answered (no 5xx), and pages and
SPARQL show the new data at once, from the same snapshot."""

from __future__ import annotations

import subprocess
import sys
import threading

import requests

from kg.stores import snapshots
from tests.registry_server import day_two, record, sync
from tests.serve_fixture import start


def trial_title(url: str, nct_id: str) -> tuple[int, str]:
    page = requests.get(f"{url}/id/trial/{nct_id}", headers={"Accept": "text/turtle"},
                        timeout=30)
    return page.status_code, page.text


def asks(url: str, nct_id: str) -> bool:
    answer = requests.get(url + "/sparql", params={
        "query": f"ASK {{ GRAPH ?g {{ ?t <https://schema.org/identifier> ?i . "
                 f"FILTER(CONTAINS(STR(?t), '{nct_id}')) }} }}"},
        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["boolean"]


def test_pages_and_sparql_follow_a_store_that_sync_writes_while_it_is_served(registry,
                                                                               tmp_path):
    store = tmp_path / "store"
    assert sync(registry, store).returncode == 0
    process, url = start(store)
    statuses: list[int] = []
    stop = threading.Event()

    def browse() -> None:  # a reader that keeps asking while the store is written
        while not stop.is_set():
            for path in ("/id/trial/NCT01000001", "/", "/search?q=lupus"):
                statuses.append(requests.get(url + path, timeout=30).status_code)

    reader = threading.Thread(target=browse)
    reader.start()
    try:
        assert trial_title(url, "NCT01000002")[0] == 200
        assert trial_title(url, "NCT01000006")[0] == 404 and not asks(url, "NCT01000006")
        day_two(registry)
        assert sync(registry, store, "--prune").returncode == 0
        status, text = trial_title(url, "NCT01000002")
        assert status == 200 and "A new title" in text, "the page shows the synced title"
        assert trial_title(url, "NCT01000006")[0] == 200 and asks(url, "NCT01000006")
        assert trial_title(url, "NCT01000003")[0] == 404 and not asks(url, "NCT01000003")
        for day in range(3, 8):  # more writes, so the store compacts under the server
            number = f"NCT0100001{day}"
            registry.records[number] = record(number, f"2026-12-0{day}", f"Title of day {day}")
            registry.records["NCT01000001"] = record("NCT01000001", f"2026-12-0{day}",
                                                     f"Day {day}")
            assert sync(registry, store).returncode == 0
            assert f"Day {day}" in trial_title(url, "NCT01000001")[1]
            assert trial_title(url, number)[0] == 200 and asks(url, number)
        loaded = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store", str(store),
                                 str(tmp_path / "missing.json"), "-q"], capture_output=True)
        assert loaded.returncode != 0
        assert trial_title(url, "NCT01000001")[0] == 200, "a failed write changes nothing"
    finally:
        stop.set()
        reader.join(60)
        process.terminate()
        process.wait(20)
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert snapshots.current(store) is not None


def test_a_store_without_a_snapshot_is_given_one_when_served(tmp_path):
    import pyoxigraph as ox

    store = tmp_path / "store"
    opened = ox.Store(str(store))  # written by another tool: no snapshot
    opened.add(ox.Quad(ox.NamedNode("http://x/s"), ox.NamedNode("http://x/p"), ox.Literal("o"),
                       ox.NamedNode("http://x/g")))
    opened.flush()
    del opened
    assert snapshots.current(store) is None
    process, url = start(store)
    try:
        answer = requests.get(url + "/sparql", params={"query": "ASK { ?s ?p 'o' }"},
                              headers={"Accept": "application/sparql-results+json"}, timeout=30)
    finally:
        process.terminate()
        process.wait(20)
    assert answer.json()["boolean"] is True
    assert snapshots.current(store) is not None
