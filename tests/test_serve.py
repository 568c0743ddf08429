"""``kg serve`` answered by a real HTTP client: every content type at a trial IRI is the trial's
exported triples, the SPARQL endpoint answers the example queries as ``kg query`` does, unknown
IRIs are 404, malformed queries 400 with the parser's message, and the server stays read-only
and bounded."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections import defaultdict

import extruct
import pyoxigraph as ox
import pytest
import rdflib
import requests

from kg.serialize.schemaorg import expand_to_nquads
from tests.conftest import ROOT
from tests.serve_fixture import server  # noqa: F401  (fixture)

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
REFERENCE = "NCT00698191"


def exported_graphs(nquads) -> dict[str, set[str]]:
    graphs = defaultdict(set)
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        graphs[quad.graph_name.value].add(str(quad.triple))
    return graphs


def parsed(body: bytes, media: str) -> set[str]:
    if media == "application/ld+json":  # kg's own JSON-LD: an inline context, no network
        graph = rdflib.Graph().parse(data=body, format="json-ld")
        body, media = graph.serialize(format="nt", encoding="utf-8"), "application/n-triples"
    fmt = {"text/turtle": ox.RdfFormat.TURTLE,
           "application/n-triples": ox.RdfFormat.N_TRIPLES}[media]
    return {str(t) for t in ox.parse(body, fmt)}


@pytest.mark.parametrize("media", ["text/turtle", "application/ld+json", "application/n-triples"])
def test_each_content_type_at_a_trial_iri_is_the_trials_exported_triples(server, media):  # noqa: F811
    graphs = exported_graphs(server.nquads)
    assert len(graphs) >= 40
    for graph, triples in sorted(graphs.items()):
        path = graph.split("/ctkg/id", 1)[1]
        response = requests.get(server.url + "/id" + path, headers={"Accept": media}, timeout=30)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(media)
        assert response.headers["vary"] == "Accept"
        assert parsed(response.content, media) == triples, path


def test_html_is_the_default_and_the_page_embeds_the_trials_schema_org_json_ld(server):  # noqa: F811
    page = requests.get(f"{server.url}/id/trial/{REFERENCE}", timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    (item,) = extruct.extract(page.text, base_url=server.url, syntaxes=["json-ld"])["json-ld"]
    assert "MedicalTrial" in item["@type"] and item["@id"].endswith(REFERENCE)
    expanded = {str(q.triple) for q in ox.parse(expand_to_nquads(item).encode(),
                                                ox.RdfFormat.N_QUADS)}
    assert expanded == exported_graphs(server.nquads)[item["@id"]]


def kg_query(store, query) -> list[list[str]]:
    out = subprocess.run([sys.executable, "-m", "kg.cli", "query", "--store", str(store),
                          "--format", "csv", "--file", str(query)], capture_output=True,
                         text=True, check=True).stdout
    return list(csv.reader(io.StringIO(out)))


def test_the_sparql_endpoint_answers_the_example_queries_as_kg_query_does(server):  # noqa: F811
    assert len(QUERIES) >= 10
    for query in QUERIES:
        local = kg_query(server.store, query)
        for method in ("GET", "POST"):
            if method == "GET":
                response = requests.get(server.url + "/sparql", timeout=60, params={
                    "query": query.read_text()}, headers={"Accept": "text/csv"})
            else:
                response = requests.post(server.url + "/sparql", timeout=60,
                                         data=query.read_text().encode(),
                                         headers={"Content-Type": "application/sparql-query",
                                                  "Accept": "text/csv"})
            assert response.status_code == 200, (query.name, response.text)
            served = list(csv.reader(io.StringIO(response.text)))
            assert served[0] == local[0] and sorted(served[1:]) == sorted(local[1:]), query.name
        assert len(local) > 1 or "Needs: kg export --link" in query.read_text(), \
            f"{query.name} finds nothing"


@pytest.mark.parametrize("fmt, media", [("json", "application/sparql-results+json"),
                                        ("xml", "application/sparql-results+xml"),
                                        ("tsv", "text/tab-separated-values"),
                                        ("csv", "text/csv")])
def test_select_results_come_in_every_sparql_results_format(server, fmt, media):  # noqa: F811
    query = "SELECT ?t WHERE { GRAPH ?g { ?g <https://schema.org/name> ?t } } ORDER BY ?t LIMIT 3"
    response = requests.get(server.url + "/sparql", params={"query": query, "format": fmt},
                            timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    if fmt == "json":
        assert len(response.json()["results"]["bindings"]) == 3
    if fmt == "xml":
        assert response.text.count("<result>") == 3


def test_unknown_iris_are_404(server):  # noqa: F811
    for path in ("/id/trial/NCT99999999", "/id/organization/nobody-at-all",
                 "/describe?iri=https%3A%2F%2Fexample.org%2Fnothing"):
        assert requests.get(server.url + path, timeout=30).status_code == 404, path


def test_a_malformed_query_is_400_with_the_parsers_message(server):  # noqa: F811
    response = requests.get(server.url + "/sparql", params={"query": "SELECT ?x WHERE {"},
                            timeout=30)
    assert response.status_code == 400
    assert "malformed query" in response.text and "error at 1:" in response.text


def test_the_endpoint_refuses_updates(server):  # noqa: F811
    update = "INSERT DATA { <https://e/s> <https://e/p> <https://e/o> }"
    for request in (dict(method="POST", data={"update": update}),
                    dict(method="POST", data=update.encode(),
                         headers={"Content-Type": "application/sparql-update"}),
                    dict(method="GET", params={"update": update})):
        assert requests.request(url=server.url + "/sparql", timeout=30,
                                **request).status_code == 403
    as_query = requests.get(server.url + "/sparql", params={"query": update}, timeout=30)
    assert as_query.status_code == 400


def test_a_query_past_its_deadline_is_stopped_and_the_endpoint_still_answers(server):  # noqa: F811
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    response = requests.get(server.url + "/sparql", params={"query": endless}, timeout=60)
    assert response.status_code == 503 and "longer than 5 s" in response.text
    ask = requests.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30)
    assert ask.status_code == 200 and ask.json()["boolean"] is True


def test_a_large_answer_is_cut_at_the_row_limit_and_says_so(server):  # noqa: F811
    response = requests.get(server.url + "/sparql", timeout=60, params={
        "query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "format": "json"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 10_000
    assert "10000" in response.headers["x-kg-truncated"]


def test_search_finds_trials_by_nct_id_title_words_and_condition(server):  # noqa: F811
    exact = requests.get(server.url + "/search", params={"q": REFERENCE.lower()}, timeout=30,
                         allow_redirects=False)
    assert exact.status_code == 303 and exact.headers["location"] == f"/id/trial/{REFERENCE}"
    words = requests.get(server.url + "/search", params={"q": "stem cells lupus"}, timeout=30)
    assert f"/id/trial/{REFERENCE}" in words.text
    condition = requests.get(server.url + "/search", params={"q": "erythematosus"}, timeout=30)
    assert f"/id/trial/{REFERENCE}" in condition.text


def test_another_registrys_trial_is_found_by_its_registry_id_and_has_its_page(server):  # noqa: F811
    found = requests.get(server.url + "/search", params={"q": "2014-002606-20-gb"}, timeout=30,
                         allow_redirects=False)
    assert found.status_code == 303
    assert found.headers["location"] == "/id/trial/EUCTR2014-002606-20-GB"
    page = requests.get(server.url + found.headers["location"], timeout=30)
    assert page.status_code == 200 and "RANDOMIZED, OPEN-LABEL" in page.text
    (item,) = extruct.extract(page.text, base_url=server.url, syntaxes=["json-ld"])["json-ld"]
    assert "MedicalTrial" in item["@type"]


def test_organisations_articles_and_vocabulary_terms_negotiate_too(server):  # noqa: F811
    org = "/id/organization/national-natural-science-foundation-of-china"
    html = requests.get(server.url + org, timeout=30)
    assert "National Natural Science Foundation of China" in html.text
    assert f"/id/trial/{REFERENCE}" in html.text, "the page names the trials that cite it"
    turtle = requests.get(server.url + org, headers={"Accept": "text/turtle"}, timeout=30)
    assert "schema:Organization" in turtle.text
    article = requests.get(server.url + "/describe", timeout=30, headers={
        "Accept": "application/n-triples"}, params={"iri": "https://doi.org/10.1177/0961203306075793"})
    assert article.status_code == 200 and "ScholarlyArticle" in article.text
    vocab = requests.get(server.url + "/vocab", headers={"Accept": "text/turtle"}, timeout=30)
    graph = rdflib.Graph().parse(data=vocab.text, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/ctkg/vocab#phase"), None, None) in graph
    assert 'id="phase"' in requests.get(server.url + "/vocab", timeout=30).text


def test_a_media_type_the_server_does_not_have_is_406(server):  # noqa: F811
    response = requests.get(f"{server.url}/id/trial/{REFERENCE}", timeout=30,
                            headers={"Accept": "application/pdf"})
    assert response.status_code == 406


def test_the_server_listens_on_loopback_only_by_default(server):  # noqa: F811
    assert server.url.startswith("http://127.0.0.1:")
    from kg.cli import serve_command

    host = next(p for p in serve_command.params if p.name == "host")
    assert host.default == "127.0.0.1"
    assert json.loads(json.dumps({"ok": True}))  # the server answered over loopback above


def test_a_trial_page_shows_mondo_and_chebi_beside_mesh(server):  # noqa: F811
    lupus = requests.get(f"{server.url}/id/trial/{REFERENCE}", timeout=30).text
    assert 'href="http://purl.obolibrary.org/obo/MONDO_0007915"' in lupus
    assert "MONDO:0007915 systemic lupus erythematosus" in lupus
    drugs = requests.get(f"{server.url}/id/trial/NCT04267848", timeout=30)
    assert drugs.status_code == 200
    assert 'href="http://purl.obolibrary.org/obo/CHEBI_31355"' in drugs.text
