"""SPARQL SERVICE through ``kg serve``: off unless ``--allow-service`` names the endpoint, so the
public endpoint cannot be made to fetch URLs for a caller (SSRF). Every listener is on
127.0.0.1; a refused query must not reach it at all."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest
import requests
from werkzeug import Request, Response
from werkzeug.serving import make_server

from kg.serve.federation import FederationRefused, check_services, service_targets
from tests.conftest import EXAMPLE
from tests.serve_fixture import start
from tests.virtuoso import free_port


@pytest.mark.parametrize("query, targets", [
    ("SELECT * WHERE { SERVICE <http://a.example/sparql> { ?s ?p ?o } }",
     ["http://a.example/sparql"]),
    ("select * where { service silent <http://a.example/q> { ?s ?p ?o } }",
     ["http://a.example/q"]),
    ("PREFIX e: <http://b.example/> SELECT * { SERVICE e:sparql { ?s ?p ?o } }",
     ["http://b.example/sparql"]),
    ("BASE <http://c.example/x/> SELECT * { SERVICE <../sparql> { ?s ?p ?o } }",
     ["http://c.example/sparql"]),
    ("SELECT * { SERVICE ?where { ?s ?p ?o } }", [None]),
    ("SELECT * { \\u0053ERVICE <http://d.example/> { ?s ?p ?o } }", ["http://d.example/"]),
    ("SELECT * { {SELECT ?s {SERVICE<http://e.example/>{?s ?p ?o}}} }", ["http://e.example/"]),
    ("SELECT * { ?s <http://x.example/service> \"SERVICE <http://f/>\" } # SERVICE <http://g/>",
     []),
    ("SELECT * { ?s schema:Service ?o . ?s ?p '''a\nSERVICE <http://h/>''' }", []),
])
def test_service_targets_are_found_where_the_parser_finds_them_and_nowhere_else(query, targets):
    assert service_targets(query) == targets


def test_only_allowed_hosts_pass():
    check_services("SELECT * { ?s ?p ?o }", frozenset())
    query = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    with pytest.raises(FederationRefused, match="off on this endpoint"):
        check_services(query, frozenset())
    with pytest.raises(FederationRefused, match="not an endpoint"):
        check_services(query, frozenset({"127.0.0.1:10"}))
    check_services(query, frozenset({"127.0.0.1:9"}))
    check_services(query, frozenset({"127.0.0.1"}))
    with pytest.raises(FederationRefused, match="not an endpoint"):
        check_services("SELECT * { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
                       frozenset({"127.0.0.1"}))


class Endpoint:
    """A SPARQL endpoint on 127.0.0.1 that records every request and answers one row."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.port = free_port()
        self.http = make_server("127.0.0.1", self.port, self, threaded=True)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests.append(request.full_path)
        body = {"head": {"vars": ["s"]},
                "results": {"bindings": [{"s": {"type": "uri", "value": "http://remote/row"}}]}}
        return Response(json.dumps(body), content_type="application/sparql-results+json")(
            environ, start_response)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("federation") / "store"
    subprocess.run([sys.executable, "-m", "kg.cli", "load", str(EXAMPLE), "--store", str(path),
                    "-q"], check=True)
    return path


def ask(url: str, query: str) -> requests.Response:
    return requests.post(url + "/sparql", data={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)


def test_a_served_endpoint_refuses_service_and_never_calls_out(store):
    endpoint = Endpoint()
    process, url = start(store)
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{endpoint.port}/sparql> "
                      "{ ?s ?p ?o } }",
                      f"SELECT * WHERE {{ \\u0053ervice SILENT <http://127.0.0.1:{free_port()}/> "
                      "{ ?s ?p ?o } }",
                      "SELECT * WHERE { SERVICE ?x { ?s ?p ?o } VALUES ?x "
                      f"{{ <http://127.0.0.1:{endpoint.port}/sparql> }} }}"):
            answer = ask(url, query)
            assert answer.status_code == 403, answer.text
            assert "SERVICE" in answer.text
        assert ask(url, "ASK { ?s ?p ?o }").json()["boolean"] is True
    finally:
        process.terminate()
        process.wait(20)
        endpoint.http.shutdown()
    assert endpoint.requests == [], "a refused query reaches no one"


def test_an_allowed_endpoint_is_called(store):
    endpoint = Endpoint()
    process, url = start(store, "--allow-service", f"127.0.0.1:{endpoint.port}")
    try:
        answer = ask(url, f"SELECT ?s WHERE {{ SERVICE <http://127.0.0.1:{endpoint.port}/sparql>"
                          " { ?s ?p ?o } }")
        other = ask(url, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/> "
                         "{ ?s ?p ?o } }")
    finally:
        process.terminate()
        process.wait(20)
        endpoint.http.shutdown()
    assert answer.status_code == 200, answer.text
    assert [b["s"]["value"] for b in answer.json()["results"]["bindings"]] == ["http://remote/row"]
    assert len(endpoint.requests) == 1
    assert other.status_code == 403 and "not an endpoint this server may call" in other.text
