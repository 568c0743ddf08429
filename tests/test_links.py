"""Organisations linked to ROR and trials to Wikidata, against local servers replaying the
services' answer shapes.

Where the shapes come from:
- ROR's affiliation matching (``GET /v2/organizations?affiliation=``): the fields the ROR API's
  own integration test asserts of every answer (ror-community/ror-api,
  ``rorapi/tests/tests_integration/tests_matching_v2.py``: ``number_of_results``, ``items`` of
  ``substring``, ``score``, ``matching_type``, ``chosen``, ``organization`` with ``id`` and
  ``names``), the v2 organisation record (``rorapi/tests/tests_unit/data/
  test_data_new_record_valid_v2.json``: ``names`` of ``value``, ``types`` such as
  ``ror_display``, ``lang``; ``locations``; ``types``; ``status``) and ROR's documentation of the
  parameter (ror.readme.io/docs/api-affiliation: use ``chosen``, not the score).
- The Wikidata Query Service: SPARQL 1.1 JSON results (``head.vars``, ``results.bindings`` of
  ``{"type": "uri"|"literal", "value"}``), entities as ``http://www.wikidata.org/entity/Q…``, the
  ClinicalTrials.gov id as property P3098 (``wdt:`` = ``http://www.wikidata.org/prop/direct/``).
The organisation ids and item numbers below are made up for the tests.
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from werkzeug import Request, Response

from kg.cli import main
from tests.conftest import EXAMPLE

NNSFC = "https://ror.org/01h0zpd94"
ITEM = "http://www.wikidata.org/entity/Q111111111"
TRIAL = "https://w3id.org/ctkg/id/trial/NCT00698191"


def organization(ror: str, name: str, country: str) -> dict:
    return {"id": ror, "names": [{"value": name, "types": ["ror_display", "label"], "lang": "en"}],
            "locations": [{"geonames_id": 1, "geonames_details": {"country_code": country,
                                                                  "country_name": country,
                                                                  "name": "City"}}],
            "status": "active", "types": ["funder"]}


def ror_answer(affiliation: str) -> dict:
    if affiliation == "National Natural Science Foundation of China":
        items = [{"substring": affiliation, "score": 1.0, "matching_type": "PHRASE",
                  "chosen": True, "organization": organization(NNSFC, affiliation, "CN")}]
    elif affiliation.startswith("Nanjing Medical University"):
        # a strong candidate ROR did not choose: it must not be written
        items = [{"substring": affiliation, "score": 0.93, "matching_type": "COMMON TERMS",
                  "chosen": False, "organization": organization(
                      "https://ror.org/059gcgy73", "Nanjing Medical University", "CN")}]
    else:
        items = []
    return {"number_of_results": len(items), "time_taken": 12, "items": items}


@pytest.fixture()
def services(httpserver):
    asked: list[str] = []

    def ror(request: Request) -> Response:
        asked.append(request.args["affiliation"])
        return Response(json.dumps(ror_answer(request.args["affiliation"])),
                        content_type="application/json")

    def wdqs(request: Request) -> Response:
        query = request.args["query"]
        asked.append(query)
        rows = [{"item": {"type": "uri", "value": ITEM},
                 "nct": {"type": "literal", "value": "NCT00698191"}}] if "NCT00" in query else []
        return Response(json.dumps({"head": {"vars": ["item", "nct"]},
                                    "results": {"bindings": rows}}),
                        content_type="application/sparql-results+json")

    httpserver.expect_request("/v2/organizations").respond_with_handler(ror)
    httpserver.expect_request("/sparql").respond_with_handler(wdqs)
    return {"ror": httpserver.url_for("/v2"), "wdqs": httpserver.url_for("/sparql"),
            "asked": asked}


def export(services, tmp_path, *links: str, offline: bool = False) -> set[str]:
    out = tmp_path / "out.nt"
    args = ["export", str(EXAMPLE), "-f", "ntriples", "-o", str(out), "--cache",
            str(tmp_path / "cache"), "--ror-url", services["ror"], "--wikidata-url",
            services["wdqs"], *[a for link in links for a in ("--link", link)]]
    result = CliRunner().invoke(main, args + (["--offline"] if offline else []))
    assert result.exit_code == 0, result.output
    return {str(t) for t in ox.parse(out.read_bytes(), ox.RdfFormat.N_TRIPLES)}


def test_a_chosen_ror_match_links_the_organisation_with_its_score_and_date(services, tmp_path):
    triples = export(services, tmp_path, "ror")
    org = "<https://w3id.org/ctkg/id/organization/national-natural-science-foundation-of-china>"
    assert f"{org} <https://schema.org/sameAs> <{NNSFC}>" in triples
    identifier = org[:-1] + '/identifier/ror>'
    assert f'{identifier} <https://schema.org/value> "{NNSFC}"' in triples
    assert (f'{identifier} <https://w3id.org/ctkg/vocab#matchScore> '
            '"1"^^<http://www.w3.org/2001/XMLSchema#decimal>') in triples
    (date,) = [t for t in triples if t.startswith(f"{identifier} <https://w3id.org/ctkg/vocab#"
                                                  "matchDate>")]
    assert re.search(r'"[0-9]{4}-[0-9]{2}-[0-9]{2}"\^\^<http://www.w3.org/2001/XMLSchema#date>',
                     date), "the day ROR answered, from its Date header"
    assert f'{identifier} <https://w3id.org/ctkg/vocab#matchType> "PHRASE"' in triples


def test_a_match_ror_did_not_choose_is_not_written(services, tmp_path):
    triples = export(services, tmp_path, "ror")
    assert not any("059gcgy73" in t for t in triples)
    assert "Nanjing Medical University" in services["asked"]


def test_sites_are_matched_by_facility_city_and_country_when_asked(services, tmp_path):
    export(services, tmp_path, "ror-sites")
    assert any(a.startswith("Department of Rheumatology and Immunology")
               and a.endswith(", Nanjing, China") for a in services["asked"])


def test_answers_are_cached_and_a_second_run_and_an_offline_run_ask_nothing(services, tmp_path):
    first = export(services, tmp_path, "ror", "wikidata")
    asked = len(services["asked"])
    assert export(services, tmp_path, "ror", "wikidata") == first
    assert export(services, tmp_path, "ror", "wikidata", offline=True) == first
    assert len(services["asked"]) == asked


def test_a_trial_is_linked_to_its_wikidata_item_by_its_nct_id(services, tmp_path):
    triples = export(services, tmp_path, "wikidata")
    assert f"<{TRIAL}> <https://schema.org/sameAs> <{ITEM}>" in triples
    queries = [a for a in services["asked"] if "P3098" in a]
    assert len(queries) == 1 and 'STRSTARTS(?nct, "NCT00")' in queries[0]


def test_kg_link_adds_the_links_to_an_existing_graph(services, tmp_path):
    graph = tmp_path / "trial.ttl"
    assert CliRunner().invoke(main, ["export", str(EXAMPLE), "-f", "turtle", "-o", str(graph),
                                     "-q"]).exit_code == 0
    out = tmp_path / "linked.ttl"
    result = CliRunner().invoke(main, ["link", str(graph), "-o", str(out), "--link", "ror",
                                       "--link", "wikidata", "--ror-url", services["ror"],
                                       "--wikidata-url", services["wdqs"], "--cache",
                                       str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert NNSFC in text and ITEM in text


def test_the_services_are_asked_for_exactly_what_their_apis_take(services, tmp_path):
    export(services, tmp_path, "ror", "wikidata")
    query = next(a for a in services["asked"] if "P3098" in a)
    assert "<http://www.wikidata.org/prop/direct/P3098>" in query
    assert parse_qs(urlsplit(f"http://x/?affiliation={services['asked'][0]}").query)


def test_the_example_queries_on_the_links_find_the_linked_trial(services, tmp_path):
    """queries/trials-per-ror-organization.rq and trials-on-wikidata.rq on a linked export."""
    from tests.conftest import ROOT

    out = tmp_path / "linked.nq"
    assert CliRunner().invoke(main, [
        "export", str(EXAMPLE), "-o", str(out), "--cache", str(tmp_path / "cache"),
        "--ror-url", services["ror"], "--wikidata-url", services["wdqs"], "--link", "ror",
        "--link", "wikidata", "-q"]).exit_code == 0
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.N_QUADS)
    ror = list(store.query((ROOT / "queries" / "trials-per-ror-organization.rq").read_text()))
    assert [(r["ror"].value, r["trials"].value) for r in ror] == [(NNSFC, "1")]
    assert "National Natural Science Foundation of China" in ror[0]["names"].value
    items = list(store.query((ROOT / "queries" / "trials-on-wikidata.rq").read_text()))
    assert [(r["nct"].value, r["item"].value) for r in items] == [("NCT00698191", ITEM)]
