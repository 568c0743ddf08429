"""A stand-in for the registry's search API on 127.0.0.1, as ``kg sync`` uses it, and what the
sync tests read back from the store (used by the sync and serve-while-written tests)."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from werkzeug import Request, Response
from werkzeug.serving import make_server

from kg.stores.oxigraph import OxigraphStore
from tests.conftest import EXAMPLE, load_json, shared_path
from tests.virtuoso import free_port

BASE = "https://w3id.org/ctkg/id/"
RANGE = re.compile(r"AREA\[LastUpdatePostDate\]RANGE\[([0-9-]+),MAX\]")


def record(nct_id: str, updated: str, title: str | None = None, source=EXAMPLE) -> dict:
    study = copy.deepcopy(load_json(source))
    ident = study["protocolSection"]["identificationModule"]
    ident["nctId"] = nct_id
    if title:
        ident["briefTitle"] = title
    study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"] = {
        "date": updated, "type": "ACTUAL"}
    return study


class Registry:
    """The registry's search as sync uses it: records updated since a day, oldest update
    first, pages of two, the list of NCT ids; failures, delays and changes between pages on
    request."""

    def __init__(self) -> None:
        sources = [EXAMPLE, *sorted(shared_path("records", "v2").glob("NCT*.json"))[:3]]
        self.records = {f"NCT0100000{n}": record(f"NCT0100000{n}", f"2026-11-2{n}",
                                                 source=sources[n % len(sources)])
                        for n in range(1, 6)}
        self.requests: list[dict] = []
        self.fail_next = 0
        self.truncate_next = 0  # answers cut short (half a page of JSON)
        self.listing: dict | None = None  # the body of every id-list page, when set
        self.loop_tokens = False  # every page points to page two
        self.delay = 0.0
        self.after_page: Callable[[int], None] | None = None  # called with a page's start
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        params = dict(request.args)
        with self.lock:
            self.requests.append(params)
            if self.fail_next:
                self.fail_next -= 1
                return Response("upstream hiccup", status=500)(environ, start_response)
        time.sleep(self.delay)
        if request.path != "/api/v2/studies":
            return Response("no such path", status=404)(environ, start_response)
        if self.listing is not None and params.get("fields") == "NCTId":
            return Response(json.dumps(self.listing), content_type="application/json")(
                environ, start_response)
        since = RANGE.search(params.get("filter.advanced", ""))
        found = sorted(((n, r) for n, r in self.records.items() if not since or _updated(r)
                        >= since.group(1)), key=lambda item: (_updated(item[1]), item[0]))
        start = int(params.get("pageToken", "0"))
        page = found[start:start + 2]
        studies = [{"protocolSection": {"identificationModule": {"nctId": n}}}
                   if params.get("fields") == "NCTId" else r for n, r in page]
        body = {"studies": studies}
        if start + 2 < len(found):
            body["nextPageToken"] = "2" if self.loop_tokens else str(start + 2)
        if "pageToken" not in params:
            body["totalCount"] = len(found)
        text = json.dumps(body)
        if self.after_page is not None:
            self.after_page(start)
        with self.lock:
            if self.truncate_next:
                self.truncate_next -= 1
                text = text[:len(text) // 2]
        return Response(text, content_type="application/json")(environ, start_response)


def _updated(record: dict) -> str:
    return record["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]


@pytest.fixture()
def registry():
    server = Registry()
    port = free_port()
    http = make_server("127.0.0.1", port, server, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{port}/api/v2"
    yield server
    http.shutdown()


def sync(registry, store, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "sync", "--store", str(store),
                           "--api-url", registry.url, "--rate", "0", "-w", "1", *args],
                          capture_output=True, text=True, env={**os.environ})


def trial_graphs(store) -> dict[str, set[str]]:
    opened = OxigraphStore(store)
    graphs: dict[str, set[str]] = {}
    for quad in opened.store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode) and "/trial/" in quad.graph_name.value:
            graphs.setdefault(quad.graph_name.value.rsplit("/", 1)[-1], set()).add(str(quad.triple))
    opened.close()
    return graphs


def runs(store) -> list[dict]:
    opened = OxigraphStore(store)
    result = opened.query(f"""PREFIX kg: <https://w3id.org/ctkg/vocab#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?since ?through ?added ?updated ?unchanged ?removed WHERE {{
          GRAPH <{BASE}dataset> {{ ?run a kg:SyncRun ; kg:syncedThrough ?through ;
            kg:trialsAdded ?added ; kg:trialsUpdated ?updated ; kg:trialsUnchanged ?unchanged ;
            kg:trialsRemoved ?removed ; prov:endedAtTime ?ended .
            OPTIONAL {{ ?run kg:syncedSince ?since }} }} }} ORDER BY ?ended""")
    opened.close()
    return [{v: (c["value"] if c else None) for v, c in zip(result.variables, row, strict=True)}
            for row in result.rows]


def title(store, nct_id: str) -> set[str]:
    opened = OxigraphStore(store)
    found = {q.object.value for q in opened.store.quads_for_pattern(
        ox.NamedNode(f"{BASE}trial/{nct_id}"), ox.NamedNode("https://schema.org/name"), None,
        None)}
    opened.close()
    return found


def day_two(registry: Registry) -> None:
    registry.records["NCT01000002"] = record("NCT01000002", "2026-11-30", "A new title")
    registry.records["NCT01000006"] = record("NCT01000006", "2026-11-30")
    del registry.records["NCT01000003"]


