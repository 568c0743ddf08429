"""``kg serve`` under load: 50 concurrent clients for 20 s against trial pages, then against the
SPARQL endpoint, on loopback, with wrk (Debian's ``wrk``).

Usage: python -m benchmarks.serve [RECORDS]    (default 2,000 records of the benchmark corpus)

The corpus is loaded into a store, ``kg serve`` runs over it with its defaults (two query
workers, one server process per core), and wrk (2 threads, 50 connections) asks for trial
pages in turn (HTML, each a different trial), then for one trial's facts by SPARQL (a
different trial each time), then for the example queries in turn (whole-store aggregations).
Printed: requests/s, median and p99 latency, and every error (non-2xx answers, socket errors).
Last, trial pages again while ``kg sync`` writes the served store every few seconds (from a
registry on loopback whose records change between runs): the errors, and whether the pages
show what the last sync wrote. Client, server and sync share the machine's cores.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import requests

from benchmarks.bulk import write_corpus
from benchmarks.corpus import describe, machine
from tests.virtuoso import free_port

ROOT = Path(__file__).resolve().parents[1]
# What a client of the endpoint asks most: one trial's title, status, sponsor and conditions.
LOOKUP = """PREFIX schema: <https://schema.org/> PREFIX kg: <https://w3id.org/ctkg/vocab#>
SELECT ?title ?status ?sponsor ?condition WHERE { GRAPH ?g {
  ?trial schema:code/schema:codeValue "NCT%08d" ; schema:name ?title .
  OPTIONAL { ?trial schema:status ?status } OPTIONAL { ?trial kg:leadSponsor/schema:name ?sponsor }
  OPTIONAL { ?trial schema:healthCondition/schema:name ?condition } } }"""
SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Accept"] = "%s"})
end
"""


def wrk(url: str, paths: list[str], accept: str, directory: Path, seconds: int = 20,
        connections: int = 50) -> dict:
    script = directory / "paths.lua"
    script.write_text(SCRIPT % (", ".join(f'"{p}"' for p in paths), accept))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
                          "--timeout", "30s", "-s", str(script), url], capture_output=True,
                         text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "median": latency.get("50"), "p99": latency.get("99"),
            "non_2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": sockets.group(1) if sockets else "none"}


def main(size: int) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    print(f"machine: {machine()}\ncorpus: {describe(size)}\n")
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        records = write_corpus(size, tmp / "records")
        store = tmp / "store"
        subprocess.run([sys.executable, "-m", "kg.cli", "load", str(records), "--store",
                        str(store), "-q"], check=True)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(store),
                                   "--port", str(port)], stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if requests.get(url + "/", timeout=2).ok:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            pages = [f"/id/trial/NCT{90000000 + n:08d}" for n in range(min(size, 500))]
            queries = [f"/sparql?query={quote(q.read_text())}&format=json"
                       for q in sorted((ROOT / "queries").glob("*.rq"))]
            lookups = [f"/sparql?format=json&query={quote(LOOKUP % (n + 90000000))}"
                       for n in range(min(size, 500))]
            for label, paths, accept in (("trial pages (HTML)", pages, "text/html"),
                                         ("SPARQL (a trial's facts)", lookups,
                                          "application/sparql-results+json"),
                                         ("SPARQL (example queries)", queries,
                                          "application/sparql-results+json")):
                report(label, wrk(url, paths, accept, tmp))
            pages_while_synced(url, store, pages, tmp)
        finally:
            server.terminate()
            server.wait(30)


def report(label: str, found: dict) -> None:
    print(f"{label:<26} {found['requests']:>7,} requests {found['rps']:>8,.1f}/s  "
          f"median {found['median']}  p99 {found['p99']}  non-2xx {found['non_2xx']}"
          f"  socket errors: {found['socket_errors']}", flush=True)


def pages_while_synced(url: str, store: Path, pages: list[str], tmp: Path,
                       every: float = 3.0) -> None:
    """wrk on trial pages while kg sync brings the served store up to date every ``every`` s
    from a local registry whose records change (a title edited, a trial added) each time."""
    from werkzeug.serving import make_server

    from tests.test_sync import Registry, record

    registry = Registry()
    port = free_port()
    http = make_server("127.0.0.1", port, registry, threaded=True)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    api = f"http://127.0.0.1:{port}/api/v2"
    stop = threading.Event()
    runs: list[int] = []

    def syncing() -> None:
        while not stop.is_set():
            run = len(runs) + 1
            registry.records["NCT01000001"] = record("NCT01000001", "2026-12-01", f"Run {run}")
            registry.records[f"NCT0200{run:04d}"] = record(f"NCT0200{run:04d}", "2026-12-01")
            runs.append(subprocess.run(
                [sys.executable, "-m", "kg.cli", "sync", "--store", str(store), "--api-url", api,
                 "--rate", "0", "-w", "1", "-q"], capture_output=True).returncode)
            stop.wait(every)

    writer = threading.Thread(target=syncing)
    writer.start()
    try:
        found = wrk(url, pages + ["/id/trial/NCT01000001"], "text/html", tmp)
    finally:
        stop.set()
        writer.join()
        http.shutdown()
    page = requests.get(f"{url}/id/trial/NCT01000001", timeout=30).text
    report(f"pages, {len(runs)} syncs", found)
    print(f"  syncs exited {sorted(set(runs))}; the page shows the last sync's title: "
          f"{f'Run {len(runs)}' in page}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
