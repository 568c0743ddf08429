"""JSON-LD given to kg validate, load and enrich fetches no @context and reads no other file:
schema.org's comes from the copy kg ships, any other is a one-line error naming it. A listener
on 127.0.0.1 stands for a remote context and must receive nothing."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kg.mapping import map_record
from kg.serialize.schemaorg import document
from tests.conftest import EXAMPLE, kg, load_json


class Listener(HTTPServer):
    def __init__(self) -> None:
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802  (the standard library's name)
                outer.requests.append(self.path)
                body = json.dumps({"@context": {"name": "https://schema.org/name"}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/ld+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture()
def listener():
    server = Listener()
    yield server
    server.shutdown()


def hostile(tmp_path, context: str) -> str:
    path = tmp_path / "input.jsonld"
    path.write_text(json.dumps({"@context": context, "@id": "https://w3id.org/ctkg/id/trial/"
                                "NCT09900099", "name": "A trial", "@type": "MedicalTrial"}))
    return str(path)


@pytest.mark.parametrize("command", [["validate"], ["load", "--store", "STORE"],
                                     ["enrich", "-o", "OUT", "--offline"],
                                     ["link", "-o", "OUT", "--link", "wikidata", "--offline"]])
@pytest.mark.parametrize("kind", ["remote", "file"])
def test_a_context_kg_does_not_ship_is_refused_and_never_fetched(listener, tmp_path, command,
                                                                  kind):
    context = (f"http://127.0.0.1:{listener.server_address[1]}/context.jsonld"
               if kind == "remote" else "file:///dev/zero")
    args = [a.replace("STORE", str(tmp_path / "store")).replace("OUT", str(tmp_path / "o.ttl"))
            for a in command]
    done = kg(args[0], hostile(tmp_path, context), *args[1:], timeout=120)
    # kg load's status for an input it could not read is 1, as for any other bad input
    assert done.returncode == (1 if args[0] == "load" else 2), done.stderr
    assert context in done.stderr and "kg fetches and reads no other context" in done.stderr
    assert "Traceback" not in done.stderr
    assert listener.requests == []


def test_schema_org_json_ld_is_read_with_the_shipped_context(listener, tmp_path):
    path = tmp_path / "trial.jsonld"
    path.write_text(json.dumps(document(map_record(load_json(EXAMPLE)))))
    done = kg("validate", str(path), "--engine", "native", timeout=120)
    assert "JSON-LD @context" not in done.stderr, done.stderr
    loaded = kg("load", str(path), "--store", str(tmp_path / "store"), timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    assert listener.requests == []


def test_a_type_in_a_keywords_form_is_dropped_as_json_ld_processors_drop_it(tmp_path):
    """"@ENPostalAddress" looks like a keyword: kg's fast reader took it for the type
    https://schema.org/@ENPostalAddress, which JSON-LD processors never give."""
    import pyoxigraph as ox

    exported = tmp_path / "trial.jsonld"
    kg("export", str(EXAMPLE), "-f", "jsonld", "-o", str(exported), "-q", "--no-validate",
       check=True)
    odd = tmp_path / "odd.jsonld"
    odd.write_text(exported.read_text().replace('"@type":"PostalAddress"',
                                                '"@type":"@ENPostalAddress"', 1))
    assert odd.read_text() != exported.read_text()
    store = tmp_path / "store"
    done = kg("load", str(odd), "--store", str(store), "-q")
    assert done.returncode in (0, 1), done.stderr
    assert "internal error" not in done.stderr
    types = {q.object.value for q in ox.Store(str(store)).quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, None)}
    assert not any("@" in t for t in types), sorted(t for t in types if "@" in t)
