"""Enrichment against a real HTTP server on 127.0.0.1 replaying Crossref, DOI content
negotiation (CSL-JSON, as DataCite answers) and NCBI ID-converter answers in their real shapes:
retries, back-off, time-outs, malformed bodies, the on-disk cache and offline runs."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from werkzeug import Response

from kg.cli import main
from kg.http import HttpClient, HttpError, NotCached
from kg.links.publications import Enricher
from kg.mapping import map_record
from tests.conftest import EXAMPLE, load_json, shared_path

S = rdflib.Namespace("https://schema.org/")
PLOS = "10.1371/journal.pone.0033693"
FIGSHARE = "10.5438/4k3m-nyvg"
MISSING = "10.1371/notarealdoi"


def recorded(name: str) -> dict:
    """The response of a recorded real interaction in ../shared/http-samples."""
    return load_json(shared_path("http-samples", name))["interactions"][-1]["response"]


def replay(server, path: str, response: dict, **kwargs) -> None:
    body = response.get("body_json")
    body = json.dumps(body) if body is not None else response.get("body_text", "")
    headers = {k: v[0] for k, v in response["headers"].items()
               if k.lower() in ("content-type", "x-rate-limit-limit", "x-rate-limit-interval",
                                "x-api-pool", "retry-after")}
    server.expect_request(path, **kwargs).respond_with_data(
        body, status=response["status"]["code"], headers=headers)


def citing(*dois: str, pmids: tuple[str, ...] = ()) -> dict:
    """The reference trial, citing the given DOIs (and PMID-only references)."""
    record = copy.deepcopy(load_json(EXAMPLE))
    references = [{"type": "BACKGROUND", "citation": f"A title. doi: {doi}."} for doi in dois]
    references += [{"type": "RESULT", "pmid": pmid, "citation": "Untitled report."} for pmid in pmids]
    record["protocolSection"]["referencesModule"]["references"] = references
    return record


def enricher(server, tmp_path: Path, **client) -> Enricher:
    http = HttpClient(cache_dir=tmp_path / "cache", per_second=0, **client)
    return Enricher(http, "https://w3id.org/ctkg/id/", mailto="kg-tests@example.org",
                    crossref_url=server.url_for("/crossref"), doi_url=server.url_for("/doi"),
                    eutils_url=server.url_for("/esummary"))


def enrich_graph(tool: Enricher, record: dict) -> tuple[rdflib.Graph, list[str]]:
    triples = map_record(record).triples
    added, warnings = tool.enrich(triples)
    from kg.rdf import to_rdflib

    return to_rdflib(triples + added), warnings


def test_crossref_metadata_is_added_and_the_second_run_asks_nothing(httpserver, tmp_path):
    replay(httpserver, f"/crossref/works/{PLOS}",
           recorded("crossref_works_10.1371_journal.pone.0033693.json"))
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path), citing(PLOS))
    article = rdflib.URIRef(f"https://doi.org/{PLOS}")
    assert warnings == []
    assert str(graph.value(article, S.name)).startswith("Methylphenidate Exposure")
    assert str(graph.value(article, S.publisher / S.name)) == "Public Library of Science (PLoS)"
    periodical = graph.value(graph.value(graph.value(article, S.isPartOf), S.isPartOf), S.isPartOf)
    assert str(graph.value(periodical, S.issn)) == "1932-6203"
    first = next(p for p in graph.objects(article, S.author)
                 if str(graph.value(p, rdflib.URIRef("https://w3id.org/ctkg/vocab#authorPosition"))) == "1")
    assert str(graph.value(first, S.familyName)) == "Sadasivan"
    assert (article, S.license, None) in graph
    request = httpserver.log[0][0]
    assert request.args["mailto"] == "kg-tests@example.org"
    assert "mailto:kg-tests@example.org" in request.headers["User-Agent"]

    asked = len(httpserver.log)
    enrich_graph(enricher(httpserver, tmp_path), citing(PLOS))
    assert len(httpserver.log) == asked, "the second run is answered from the cache"


def test_enrichment_never_overwrites_what_the_registry_says(httpserver, tmp_path):
    replay(httpserver, "/crossref/works/10.1177/0961203306075793",
           recorded("crossref_works_10.1371_journal.pone.0033693.json"))
    record = load_json(EXAMPLE)
    record["protocolSection"]["referencesModule"]["references"] = \
        record["protocolSection"]["referencesModule"]["references"][2:3]
    graph, _ = enrich_graph(enricher(httpserver, tmp_path), record)
    article = rdflib.URIRef("https://doi.org/10.1177/0961203306075793")
    assert [str(t) for t in graph.objects(article, S.name)] == [
        "Abnormality of bone marrow-derived mesenchymal stem cells in patients with systemic "
        "lupus erythematosus"]
    assert [str(d) for d in graph.objects(article, S.datePublished)] == ["2007"]
    assert len(set(graph.objects(article, S.author))) == 6


def test_datacite_doi_is_enriched_through_content_negotiation(httpserver, tmp_path):
    replay(httpserver, f"/crossref/works/{FIGSHARE}", recorded("crossref_works_404_not_found.json"))
    csl = load_json(shared_path("http-samples", "format_fixtures", "bolognese_citeproc.json"))
    httpserver.expect_request(f"/doi/{FIGSHARE}", headers={
        "Accept": "application/vnd.citationstyles.csl+json"}).respond_with_json(csl)
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path), citing(FIGSHARE))
    assert warnings == []
    article = rdflib.URIRef(f"https://doi.org/{FIGSHARE}")
    assert str(graph.value(article, S.name)) == "Eating your own Dog Food"
    assert str(graph.value(article, S.publisher / S.name)) == "DataCite"


def test_a_doi_that_resolves_nowhere_stays_with_a_warning(httpserver, tmp_path):
    replay(httpserver, f"/crossref/works/{MISSING}", recorded("crossref_works_404_not_found.json"))
    replay(httpserver, f"/doi/{MISSING}", recorded("doi_org_content_negotiation_404.json"))
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path), citing(MISSING))
    assert warnings == [f"DOI {MISSING} does not resolve (404 at Crossref and doi.org)"]
    assert (rdflib.URIRef(f"https://doi.org/{MISSING}"), rdflib.RDF.type, S.ScholarlyArticle) in graph


def test_pmid_without_doi_gets_its_doi_from_pubmed_e_utilities(httpserver, tmp_path):
    """E-utilities' esummary knows every PubMed record (the PMC ID converter only PMC's):
    the shape is NCBI's, quoted in http-samples/ncbi/esummary_pubmed_27933103.json."""
    answer = load_json(shared_path("http-samples", "ncbi", "esummary_pubmed_27933103.json"))
    httpserver.expect_request("/esummary", query_string={
        "db": "pubmed", "id": "27933103", "retmode": "json", "tool": "kg",
        "email": "kg-tests@example.org"}).respond_with_json(answer["response"])
    doi = next(i["value"] for i in answer["response"]["result"]["27933103"]["articleids"]
               if i["idtype"] == "doi").lower()
    httpserver.expect_request(f"/crossref/works/{doi}").respond_with_json(WORK)
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path), citing(pmids=("27933103",)))
    article = rdflib.URIRef("https://pubmed.ncbi.nlm.nih.gov/27933103/")
    assert (article, S.sameAs, rdflib.URIRef(f"https://doi.org/{doi}")) in graph
    assert warnings == []


def test_a_doi_with_iri_delimiters_is_asked_for_as_itself(httpserver, tmp_path):
    """``<``, ``>`` and ``#`` are encoded once in the IRI, and the DOI asked for is the DOI."""
    doi = "10.1002/(sici)1097-4636<1::aid-jbm1>3.0.co;2-#"
    httpserver.expect_request(f"/crossref/works/{doi}").respond_with_json(WORK)  # once decoded
    record = citing()
    record["protocolSection"]["referencesModule"]["references"] = [
        {"type": "BACKGROUND", "citation": f"A title. J. 2000;1:2. doi: {doi}"}]
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path), record)
    assert warnings == []
    article = rdflib.URIRef("https://doi.org/10.1002/(sici)1097-4636%3C1::aid-jbm1%3E3.0.co;2-%23")
    assert (article, rdflib.RDF.type, S.ScholarlyArticle) in graph
    assert (None, None, rdflib.Literal("1234-5678")) in graph  # the ISSN the service gave


def test_an_unreadable_retry_after_falls_back_to_the_back_off(httpserver, tmp_path):
    httpserver.expect_oneshot_request("/crossref/works/10.1000/soon").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "soon"})
    httpserver.expect_request("/crossref/works/10.1000/soon").respond_with_json(WORK)
    waits: list[float] = []
    _, warnings = enrich_graph(enricher(httpserver, tmp_path, sleep=waits.append, backoff=0.5),
                               citing("10.1000/soon"))
    assert warnings == [] and waits == [0.5]


def test_a_cached_404_is_asked_again_after_it_expires(httpserver, tmp_path):
    httpserver.expect_oneshot_request("/crossref/works/10.1000/new").respond_with_data(
        "Resource not found.", status=404, content_type="text/plain")
    httpserver.expect_oneshot_request("/doi/10.1000/new").respond_with_data("", status=404)
    _, warnings = enrich_graph(enricher(httpserver, tmp_path), citing("10.1000/new"))
    assert "does not resolve" in warnings[0]
    _, warnings = enrich_graph(enricher(httpserver, tmp_path), citing("10.1000/new"))
    assert "does not resolve" in warnings[0]  # still a fact within the week: nothing asked
    httpserver.expect_request("/crossref/works/10.1000/new").respond_with_json(WORK)
    _, warnings = enrich_graph(enricher(httpserver, tmp_path, negative_ttl=0), citing("10.1000/new"))
    assert warnings == []


# The behaviours below use answers written here, so they run wherever the tests do.

WORK = {"status": "ok", "message-type": "work", "message": {
    "title": ["A title from the service"], "container-title": ["J Test"], "ISSN": ["1234-5678"],
    "author": [{"given": "Ada", "family": "Lovelace", "ORCID": "http://orcid.org/0000-0002-1825-0097"}],
    "issued": {"date-parts": [[2020, 2]]}, "publisher": "Test Press"}}


def test_429_is_retried_after_the_advertised_delay(httpserver, tmp_path):
    httpserver.expect_oneshot_request("/crossref/works/10.1000/slow").respond_with_data(
        "Too Many Requests", status=429, headers={"Retry-After": "7"})
    httpserver.expect_request("/crossref/works/10.1000/slow").respond_with_json(WORK)
    waits: list[float] = []
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path, sleep=waits.append),
                                   citing("10.1000/slow"))
    assert warnings == [] and 7.0 in waits
    person = graph.value(rdflib.URIRef("https://doi.org/10.1000/slow"), S.author)
    assert graph.value(person, S.sameAs) == rdflib.URIRef("https://orcid.org/0000-0002-1825-0097")


def test_server_errors_are_retried_with_growing_back_off(httpserver, tmp_path):
    for _ in range(2):
        httpserver.expect_oneshot_request("/crossref/works/10.1000/flaky").respond_with_data(
            "oops", status=500)
    httpserver.expect_request("/crossref/works/10.1000/flaky").respond_with_json(WORK)
    waits: list[float] = []
    _, warnings = enrich_graph(enricher(httpserver, tmp_path, sleep=waits.append, backoff=0.5),
                               citing("10.1000/flaky"))
    assert warnings == [] and waits == [0.5, 1.0]


def test_a_slow_answer_times_out_and_becomes_a_warning(httpserver, tmp_path):
    def slow(_request):
        time.sleep(1.0)
        return Response(json.dumps(WORK), content_type="application/json")

    httpserver.expect_request("/crossref/works/10.1000/late").respond_with_handler(slow)
    tool = enricher(httpserver, tmp_path, timeout=0.2, retries=1, sleep=lambda s: None)
    _, warnings = enrich_graph(tool, citing("10.1000/late"))
    assert len(warnings) == 1 and "no answer" in warnings[0] and "after 2 tries" in warnings[0]


def test_malformed_json_is_a_warning_and_the_rest_goes_on(httpserver, tmp_path):
    httpserver.expect_request("/crossref/works/10.1000/bad").respond_with_data(
        "{not json", content_type="application/json")
    httpserver.expect_request("/crossref/works/10.1000/good").respond_with_json(WORK)
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path),
                                   citing("10.1000/bad", "10.1000/good"))
    assert len(warnings) == 1 and "malformed metadata for 10.1000/bad" in warnings[0]
    assert str(graph.value(rdflib.URIRef("https://doi.org/10.1000/good"), S.name)) == \
        "A title from the service"


def test_offline_asks_nothing_and_answers_from_the_cache(httpserver, tmp_path):
    httpserver.expect_request("/crossref/works/10.1000/good").respond_with_json(WORK)
    enrich_graph(enricher(httpserver, tmp_path), citing("10.1000/good"))
    asked = len(httpserver.log)
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path, offline=True),
                                   citing("10.1000/good", "10.1000/never-fetched"))
    assert len(httpserver.log) == asked
    assert str(graph.value(rdflib.URIRef("https://doi.org/10.1000/good"), S.name)) == \
        "A title from the service"
    assert any("not in the cache" in w for w in warnings)


def test_refused_connection_is_one_clear_error():
    client = HttpClient(retries=1, sleep=lambda s: None)
    with pytest.raises(HttpError, match="connection refused"):
        client.get("http://127.0.0.1:9/works/x")
    with pytest.raises(NotCached):
        HttpClient(offline=True).get("http://127.0.0.1:9/works/x")


def test_export_enrich_from_the_command_line(httpserver, tmp_path):
    httpserver.expect_request("/crossref/works/10.1000/good").respond_with_json(WORK)
    httpserver.expect_request("/crossref/works/10.1000/gone").respond_with_data(
        "Resource not found.", status=404, content_type="text/plain")
    httpserver.expect_request("/doi/10.1000/gone").respond_with_data("", status=404)
    (tmp_path / "in.json").write_text(json.dumps(citing("10.1000/good", "10.1000/gone")))
    args = ["export", str(tmp_path / "in.json"), "-f", "turtle", "-o", str(tmp_path / "out.ttl"),
            "--enrich", "--crossref-url", httpserver.url_for("/crossref"),
            "--doi-url", httpserver.url_for("/doi"), "--cache", str(tmp_path / "cache")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "DOI 10.1000/gone does not resolve" in result.stderr
    graph = rdflib.Graph().parse(tmp_path / "out.ttl")
    assert (None, S.name, rdflib.Literal("A title from the service")) in graph
    asked = len(httpserver.log)
    assert CliRunner().invoke(main, args + ["--offline"]).exit_code == 0
    assert len(httpserver.log) == asked

    enriched = tmp_path / "enriched.ttl"
    result = CliRunner().invoke(main, ["enrich", str(tmp_path / "out.ttl"), "-o", str(enriched),
                                       "--cache", str(tmp_path / "cache"), "--offline"])
    assert result.exit_code == 0, result.output
    assert "from 0 requests" in result.stderr


def test_kg_enrich_keeps_blank_nodes_blank(httpserver, tmp_path):
    httpserver.expect_request("/crossref/works/10.1000/good").respond_with_json(WORK)
    source = tmp_path / "other.ttl"
    source.write_text("""@prefix schema: <https://schema.org/> .
<https://doi.org/10.1000/good> a schema:ScholarlyArticle ; schema:author [ schema:name "X Y" ] .
""")
    result = CliRunner().invoke(main, ["enrich", str(source), "-o", str(tmp_path / "out.ttl"),
                                       "--crossref-url", httpserver.url_for("/crossref"),
                                       "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    graph = rdflib.Graph().parse(tmp_path / "out.ttl")
    authors = set(graph.objects(rdflib.URIRef("https://doi.org/10.1000/good"), S.author))
    assert any(isinstance(a, rdflib.BNode) for a in authors)
    assert all(isinstance(a, rdflib.BNode) or str(a).startswith("https://") for a in authors)


def test_a_crossref_licence_url_goes_through_the_iri_rules_and_the_output_parses(httpserver,
                                                                                  tmp_path):
    work = copy.deepcopy(WORK)
    work["message"]["license"] = [{"URL": "http://example.org/licence with spaces<>\""}]
    httpserver.expect_request("/crossref/works/10.1000/odd").respond_with_json(work)
    out = tmp_path / "out.nt"
    record = tmp_path / "record.json"
    record.write_text(json.dumps(citing("10.1000/odd")))
    result = CliRunner().invoke(main, [
        "export", str(record), "-f", "ntriples", "-o", str(out), "--enrich", "--no-validate",
        "--cache", str(tmp_path / "cache"), "--crossref-url", httpserver.url_for("/crossref"),
        "--doi-url", httpserver.url_for("/doi"), "-w", "1"])
    assert result.exit_code == 0, result.stderr
    graph = rdflib.Graph().parse(out, format="nt")  # every line parses
    assert str(graph.value(rdflib.URIRef("https://doi.org/10.1000/odd"), S.license)) == \
        "http://example.org/licence%20with%20spaces%3C%3E%22"
    assert graph.value(rdflib.URIRef("https://doi.org/10.1000/odd"), S.name) is not None


def test_one_malformed_author_costs_that_field_not_the_trial(httpserver, tmp_path):
    work = copy.deepcopy(WORK)
    work["message"]["author"] = [{"given": "Ada", "family": ["Lovelace", "King"]},
                                 {"given": "Alan", "family": "Turing"}]
    work["message"]["ISSN"] = "1234-5678"
    work["message"]["abstract"] = {"jats": "an object where text belongs"}
    httpserver.expect_request("/crossref/works/10.1000/odd").respond_with_json(work)
    graph, warnings = enrich_graph(enricher(httpserver, tmp_path), citing("10.1000/odd"))
    article = rdflib.URIRef("https://doi.org/10.1000/odd")
    families = {str(graph.value(a, S.familyName)) for a in graph.objects(article, S.author)}
    assert "Turing" in families and "Lovelace" in families
    issns = {str(i) for i in graph.objects(None, S.issn)}
    assert "1234-5678" in issns and not any(len(i) == 1 for i in issns), issns
    assert any("abstract is a dict, not text; left out" in w for w in warnings), warnings


def test_a_service_that_keeps_timing_out_is_not_asked_again_in_the_run(httpserver, tmp_path):
    asked: list[str] = []

    def slow(request):
        asked.append(request.path)
        time.sleep(0.6)
        return Response(json.dumps(WORK), content_type="application/json")

    dois = [f"10.1000/late{n}" for n in range(5)]
    for doi in dois:
        httpserver.expect_request(f"/crossref/works/{doi}").respond_with_handler(slow)
    tool = enricher(httpserver, tmp_path, timeout=0.2, retries=0, sleep=lambda s: None)
    _, warnings = enrich_graph(tool, citing(*dois))
    # two time-outs in a row, then the host is left alone (the server, busy with the first,
    # may not even have seen the second)
    assert tool.client.requests_made == 2 and 1 <= len(asked) <= 2, asked
    assert len(warnings) == 5
    assert sum("is not asked again in this run" in w for w in warnings) == 3
