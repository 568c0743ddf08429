"""``kg serve`` under load: 50 concurrent clients for 20 s against trial pages, then against the
SPARQL endpoint, on loopback, with wrk (Debian's ``wrk``).

Usage: python -m benchmarks.serve [RECORDS]    (default 2,000 records of the benchmark corpus)

The corpus is loaded into a store, ``kg serve`` runs over it with its defaults (two query
workers, one server process per core), and wrk (2 threads, 50 connections) asks for trial
pages in turn (HTML, each a different trial), then for one trial's facts by SPARQL (a
different trial each time), then for the example queries in turn (whole-store aggregations).
Printed: requests/s, median and p99 latency, and every error (non-2xx answers, socket errors).
Client and server share the machine's cores.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
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
                found = wrk(url, paths, accept, tmp)
                print(f"{label:<26} {found['requests']:>7,} requests {found['rps']:>8,.1f}/s  "
                      f"median {found['median']}  p99 {found['p99']}  non-2xx {found['non_2xx']}"
                      f"  socket errors: {found['socket_errors']}", flush=True)
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
