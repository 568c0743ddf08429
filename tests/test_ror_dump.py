"""Organisations matched to ROR offline, against small dumps written here in the v2 schema of
ROR's data dump (``names`` with ``types`` and ``lang``, ``locations[].geonames_details``,
``relationships``, ``status``, ``admin.last_modified``); and ROR's API brought up to today's
service (``Client-Id``, its documented limits, 429 without ``Retry-After``), against a local
server. ROR's gold sets in ``../shared/ror/`` score the matcher where they are present.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from werkzeug import Request, Response

from kg.cli import main
from kg.http import HttpClient
from kg.links.ror import LIMITS, ROR_URL, WINDOW, RorDumpLinker, RorLinker
from kg.links.ror_dump import DumpError, load_index
from kg.links.ror_match import Matcher, Refusal
from tests.conftest import EXAMPLE, shared_path


def record(ror: str, display: str, country: str, city: str, *, labels=(), aliases=(),
           acronyms=(), status: str = "active", relationships=(), modified="2026-01-15") -> dict:
    names = [{"value": display, "types": ["ror_display", "label"], "lang": "en"}]
    names += [{"value": v, "types": ["label"], "lang": lang} for v, lang in labels]
    names += [{"value": v, "types": ["alias"], "lang": None} for v in aliases]
    names += [{"value": v, "types": ["acronym"], "lang": None} for v in acronyms]
    return {"id": f"https://ror.org/{ror}", "names": names, "status": status,
            "types": ["education"], "domains": [], "established": None, "external_ids": [],
            "links": [], "relationships": [{"type": t, "id": f"https://ror.org/{i}", "label": ""}
                                           for t, i in relationships],
            "locations": [{"geonames_id": 1, "geonames_details": {
                "country_code": country, "country_name": COUNTRIES[country], "name": city}}],
            "admin": {"created": {"date": "2020-01-01", "schema_version": "1.0"},
                      "last_modified": {"date": modified, "schema_version": "2.1"}}}


COUNTRIES = {"DE": "Germany", "US": "United States", "GB": "United Kingdom", "FR": "France",
             "AU": "Australia"}
DUMP = [
    record("01aaaaa01", "Heidelberg University", "DE", "Heidelberg",
           labels=[("Ruprecht-Karls-Universität Heidelberg", "de")], acronyms=["RKU"]),
    record("01aaaaa02", "Mayo Clinic", "US", "Rochester"),
    record("01aaaaa03", "Centre National de la Recherche Scientifique", "FR", "Paris",
           acronyms=["CNRS"]),
    # one name, two countries
    record("01aaaaa04", "Trinity College", "US", "Hartford"),
    record("01aaaaa05", "Trinity College", "AU", "Melbourne"),
    # withdrawn, with its successor
    record("01aaaaa06", "Old Cancer Research Institute", "GB", "London", status="withdrawn",
           relationships=[("successor", "01aaaaa07")]),
    record("01aaaaa07", "New Cancer Research Institute", "GB", "London",
           relationships=[("predecessor", "01aaaaa06")]),
    # a school and its university
    record("01aaaaa08", "Example State University", "US", "Springfield",
           relationships=[("child", "01aaaaa09")]),
    record("01aaaaa09", "Example State University School of Medicine", "US", "Springfield",
           relationships=[("parent", "01aaaaa08")]),
    record("01aaaaa10", "Aarhus University", "DE", "Aarhus"),
    record("01aaaaa11", "Biogen (United States)", "US", "Cambridge", modified="2026-03-02"),
]


@pytest.fixture(scope="module")
def dump(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ror") / "v1.70-2026-03-02-ror-data.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("v1.70-2026-03-02-ror-data.json", json.dumps([{"id": "v1"}]))
        archive.writestr("v1.70-2026-03-02-ror-data_schema_v2.json", json.dumps(DUMP))
        archive.writestr("v1.70-2026-03-02-ror-data_schema_v2.csv", "id\n")
    return path


@pytest.fixture(scope="module")
def matcher(dump, tmp_path_factory) -> Matcher:
    index, _ = load_index(dump, tmp_path_factory.mktemp("cache"))
    return Matcher(index)


def chosen(found) -> tuple[str, str] | None:
    return None if isinstance(found, Refusal) else (found.ror[-9:], found.rule)


# -- the rules -------------------------------------------------------------------------------

def test_a_whole_name_matches_exactly(matcher):
    assert chosen(matcher.match_name("Mayo Clinic")) == ("01aaaaa02", "exact")


def test_a_label_in_another_language_matches_without_its_accents(matcher):
    found = matcher.match_name("Ruprecht-Karls-Universitaet Heidelberg")
    assert chosen(found) == ("01aaaaa01", "exact")
    assert chosen(matcher.match_name("RUPRECHT KARLS UNIVERSITÄT HEIDELBERG")) == (
        "01aaaaa01", "exact")


def test_a_comma_separated_part_matches(matcher):
    found = matcher.match_name("Department of Surgery, Mayo Clinic, Rochester, MN, USA")
    assert chosen(found) == ("01aaaaa02", "part")


def test_a_name_with_its_kind_word_elsewhere_matches_reordered(matcher):
    assert chosen(matcher.match_name("University of Heidelberg")) == ("01aaaaa01", "reordered")
    assert chosen(matcher.match_name("Universität Heidelberg")) == ("01aaaaa01", "reordered")


def test_a_name_inside_a_part_matches_where_it_stands_alone(matcher):
    assert chosen(matcher.match_name("Dept of Surgery Mayo Clinic Rochester")) == (
        "01aaaaa02", "contained")


def test_a_name_inside_a_longer_name_is_refused(matcher):
    for text in ("Aarhus University Hospital", "The Affiliated Hospital of Aarhus University",
                 "Heart Institute at Mayo Clinic Arizona", "Mayo Clinic of Medicine"):
        assert isinstance(matcher.match_name(text), Refusal), text


def test_an_acronym_matches_only_as_the_whole_text(matcher):
    assert chosen(matcher.match_name("CNRS")) == ("01aaaaa03", "acronym")
    assert chosen(matcher.match_name("RKU")) == ("01aaaaa01", "acronym")
    found = matcher.match_affiliation("Laboratoire X, CNRS, Paris, France")
    assert isinstance(found, Refusal), "an acronym among other parts is not chosen"


def test_a_company_branch_matches_without_its_bracketed_country_where_the_text_gives_it(matcher):
    assert chosen(matcher.match_name("Biogen, Cambridge, MA")) == ("01aaaaa11", "part")
    assert chosen(matcher.match_name("Biogen", country="United States")) == ("01aaaaa11", "exact")
    assert isinstance(matcher.match_name("Biogen"), Refusal), "which national branch?"


# -- what decides between records, and the refusals -------------------------------------------

def test_one_name_in_two_countries_is_refused_without_a_country(matcher):
    found = matcher.match_name("Trinity College")
    assert isinstance(found, Refusal) and "ambiguous" in found.reason


def test_the_country_chooses_between_records_of_one_name(matcher):
    assert chosen(matcher.match_name("Trinity College", country="Australia")) == (
        "01aaaaa05", "exact")
    assert chosen(matcher.match_name("Trinity College, Hartford, CT, USA")) == (
        "01aaaaa04", "part")


def test_a_record_in_another_country_or_city_is_refused(matcher):
    assert isinstance(matcher.match_name("Mayo Clinic", country="France"), Refusal)
    assert isinstance(matcher.match_name("Mayo Clinic", "Jacksonville", "United States"),
                      Refusal)
    assert chosen(matcher.match_name("Mayo Clinic", "Rochester", "United States")) == (
        "01aaaaa02", "exact")


def test_a_withdrawn_record_is_followed_to_its_successor(matcher):
    found = matcher.match_name("Old Cancer Research Institute")
    assert chosen(found) == ("01aaaaa07", "exact>successor")


def test_nested_organisations_give_the_most_specific(matcher):
    found = matcher.match_name("Example State University School of Medicine, "
                               "Example State University")
    assert chosen(found) == ("01aaaaa09", "part")


def test_unrelated_organisations_in_one_name_are_refused(matcher):
    found = matcher.match_name("Mayo Clinic, Heidelberg University")
    assert isinstance(found, Refusal) and "several" in found.reason
    assert {f.ror[-9:] for f in matcher.match_affiliation(
        "Mayo Clinic, Heidelberg University")} == {"01aaaaa02", "01aaaaa01"}


def test_a_part_that_is_only_a_place_is_never_matched(matcher):
    assert isinstance(matcher.match_name("Rochester"), Refusal)
    assert isinstance(matcher.match_name("Germany"), Refusal)


# -- the dump and its cache ----------------------------------------------------------------------

def test_the_index_is_built_once_and_read_from_the_cache_by_version(dump, tmp_path):
    first, from_cache = load_index(dump, tmp_path)
    assert not from_cache and first.version == "v1.70-2026-03-02"
    assert first.date == "2026-03-02", "the newest record's last modification"
    [cached] = tmp_path.glob("ror-index-v1.70-2026-03-02-*.json")
    again, from_cache = load_index(dump, tmp_path)
    assert from_cache and again == first
    cached.write_text("{not json")  # a damaged cache is built again, not trusted
    rebuilt, from_cache = load_index(dump, tmp_path)
    assert not from_cache and rebuilt == first


def test_another_dump_builds_another_index(dump, tmp_path):
    load_index(dump, tmp_path)
    other = tmp_path / "v1.71-2026-04-01-ror-data_schema_v2.json"
    other.write_text(json.dumps(DUMP[:2]))
    index, from_cache = load_index(other, tmp_path)
    assert not from_cache and len(index.ids) == 2
    assert len(list(tmp_path.glob("ror-index-*.json"))) == 2


@pytest.mark.parametrize("content, message", [
    (b"{not json", "not JSON"),
    (b'{"id": 1}', "JSON array"),
    (json.dumps([{"id": "https://ror.org/0", "name": "Old"}]).encode(), "v1 schema"),
])
def test_a_dump_that_is_not_rors_v2_dump_is_named_in_the_error(tmp_path, content, message):
    path = tmp_path / "dump.json"
    path.write_bytes(content)
    with pytest.raises(DumpError, match=message):
        load_index(path, None)


def test_kg_link_with_a_dump_links_the_reference_trials_organisations(dump, tmp_path):
    graph = tmp_path / "trial.nt"
    result = CliRunner().invoke(main, ["export", str(EXAMPLE), "-f", "ntriples", "-o", str(graph)])
    assert result.exit_code == 0, result.output
    # a dump with the reference trial's sponsor in it
    sponsor = record("02bbbbb01", "National Natural Science Foundation of China", "DE", "X")
    sponsor["locations"][0]["geonames_details"].update(country_code="CN", country_name="China")
    own = tmp_path / "ror.json"
    own.write_text(json.dumps([*DUMP, sponsor]))
    out = tmp_path / "linked.nt"
    result = CliRunner().invoke(main, ["link", str(graph), "-o", str(out), "--ror-dump", str(own),
                                       "--cache", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    triples = {str(t) for t in ox.parse(out.read_bytes(), ox.RdfFormat.N_TRIPLES)}
    assert any(t.endswith("<https://schema.org/sameAs> <https://ror.org/02bbbbb01>")
               for t in triples)
    assert any('matchType> "exact"' in t for t in triples)
    assert list((tmp_path / "cache" / "ror").glob("ror-index-*.json")), "the index is cached"


def test_a_bad_dump_stops_the_command_with_a_usage_error(tmp_path):
    bad = tmp_path / "ror.json"
    bad.write_text("[1, 2")
    result = CliRunner().invoke(main, ["export", str(EXAMPLE), "-o", str(tmp_path / "x.ttl"),
                                       "--ror-dump", str(bad), "--cache", str(tmp_path / "c")])
    assert result.exit_code == 2 and "not JSON" in result.output


def test_the_dump_linker_writes_the_dumps_day_as_the_match_date(dump, tmp_path):
    linker = RorDumpLinker(dump, tmp_path)
    match, warning = linker.match("Biogen", None, "United States")
    assert warning is None and match.date == "2026-03-02" and match.matching_type == "exact"


# -- ROR's API as it is today -----------------------------------------------------------------

def answer(ror: str = "https://ror.org/01aaaaa02") -> dict:
    return {"number_of_results": 1, "items": [{"chosen": True, "score": 1.0,
                                               "matching_type": "EXACT",
                                               "organization": DUMP[1] | {"id": ror}}]}


def test_the_client_id_is_sent_as_rors_header(httpserver, monkeypatch):
    monkeypatch.setenv("KG_ROR_CLIENT_ID", "test-client-1")
    seen = []

    def ror(request: Request) -> Response:
        seen.append(request.headers.get("Client-Id"))
        return Response(json.dumps(answer()), content_type="application/json")

    httpserver.expect_request("/v2/organizations").respond_with_handler(ror)
    linker = RorLinker(HttpClient(per_second=0), httpserver.url_for("/v2"))
    match, warning = linker.match("Mayo Clinic", None, None)
    assert warning is None and match.ror.endswith("01aaaaa02")
    assert seen == ["test-client-1"]


def test_rors_public_api_is_asked_at_its_documented_limit(monkeypatch):
    monkeypatch.delenv("KG_ROR_CLIENT_ID", raising=False)
    client = HttpClient(per_second=0)
    RorLinker(client, ROR_URL)
    assert client.host_rates["api.ror.org"] == pytest.approx(LIMITS[0] / WINDOW)
    monkeypatch.setenv("KG_ROR_CLIENT_ID", "x")
    RorLinker(client, ROR_URL)
    assert client.host_rates["api.ror.org"] == pytest.approx(LIMITS[1] / WINDOW)


def test_api_v1_is_refused():
    with pytest.raises(ValueError, match="v1"):
        RorLinker(HttpClient(), "https://api.ror.org/v1")


def test_a_429_without_retry_after_waits_out_rors_window_then_links(httpserver):
    calls = []

    def ror(request: Request) -> Response:
        calls.append(1)
        if len(calls) <= 2:  # the client's own retry, then its give-up
            return Response("rate limited", status=429)
        return Response(json.dumps(answer()), content_type="application/json")

    httpserver.expect_request("/v2/organizations").respond_with_handler(ror)
    waits: list[float] = []
    client = HttpClient(per_second=0, retries=1, sleep=waits.append)
    linker = RorLinker(client, httpserver.url_for("/v2"))
    match, warning = linker.match("Mayo Clinic", None, None)
    assert warning is None and match is not None
    assert WINDOW in waits, "the rest of ROR's 5-minute window is waited out"


def test_a_second_429_stops_asking_ror_in_this_run(httpserver):
    calls = []

    def ror(request: Request) -> Response:
        calls.append(1)
        return Response("rate limited", status=429)

    httpserver.expect_request("/v2/organizations").respond_with_handler(ror)
    client = HttpClient(per_second=0, retries=0, sleep=lambda s: None)
    linker = RorLinker(client, httpserver.url_for("/v2"))
    match, warning = linker.match("Mayo Clinic", None, None)
    assert match is None and "429" in warning
    asked = len(calls)
    match, warning = linker.match("Heidelberg University", None, None)
    assert match is None and "still answered 429" in warning and len(calls) == asked


# -- ROR's gold sets, where the shared data is present -----------------------------------------

def test_rors_gold_sets_are_matched_with_the_precision_the_readme_states(tmp_path):
    ror = shared_path("ror")
    index, _ = load_index(ror / "ror-partial-v2.json.zip", tmp_path)
    matcher = Matcher(index)
    known = set(index.ids)
    for name, key, single, precision_min, recall_min in [
            ("dataset_names.json", "ror-id", True, 0.95, 0.85),
            ("dataset_affiliations_crossref_2024_02_19.json", "ror_ids", False, 0.95, 0.80)]:
        tp = returned = gold_total = recall_tp = 0
        for entry in json.loads((ror / name).read_text(encoding="utf-8")):
            gold = set(entry[key] if isinstance(entry[key], list) else [entry[key]])
            found = matcher.match_name(entry["affiliation"]) if single else \
                matcher.match_affiliation(entry["affiliation"])
            ids = set() if isinstance(found, Refusal) else \
                {found.ror} if single else {f.ror for f in found}
            returned += len(ids)
            tp += len(ids & gold)
            if gold and gold <= known:
                gold_total += len(gold)
                recall_tp += len(ids & gold)
        assert tp / returned >= precision_min, name
        assert recall_tp / gold_total >= recall_min, name


def test_a_malformed_record_is_named_and_skipped_and_the_rest_is_read(tmp_path):
    broken = record("01ccccc01", "Broken Institute", "DE", "Berlin")
    broken["locations"] = [1]
    path = tmp_path / "v1.72-2026-05-01-ror-data_schema_v2.json"
    path.write_text(json.dumps([DUMP[0], broken, DUMP[1]]))
    index, _ = load_index(path, None)
    assert index.ids == [DUMP[0]["id"], DUMP[1]["id"]]
    assert len(index.skipped) == 1 and "record 2 (https://ror.org/01ccccc01)" in index.skipped[0]
    graph = tmp_path / "trial.nt"
    CliRunner().invoke(main, ["export", str(EXAMPLE), "-f", "ntriples", "-o", str(graph)])
    result = CliRunner().invoke(main, ["link", str(graph), "-o", str(tmp_path / "out.nt"),
                                       "--ror-dump", str(path), "--cache", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert "warning: --ror-dump" in result.output and "01ccccc01" in result.output


def test_a_cut_zip_is_reported_as_cut_not_as_bad_text(dump, tmp_path):
    cut = tmp_path / "v1.70-2026-03-02-ror-data.zip"
    data = dump.read_bytes()
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("v1.70-2026-03-02-ror-data_schema_v2.json", json.dumps(DUMP * 400))
    data = big.read_bytes()
    cut.write_bytes(data[:len(data) // 2])  # a download that stopped half way
    with pytest.raises(DumpError, match="cut short or damaged"):
        load_index(cut, None)


def test_a_zip_that_inflates_past_its_limit_is_refused_before_it_is_inflated(tmp_path,
                                                                             monkeypatch):
    """A 100 KB zip of 500 MB of spaces: read as it inflates, stopped at the limit."""
    bomb = tmp_path / "v1.70-2026-03-02-ror-data.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("v1.70-2026-03-02-ror-data_schema_v2.json", "w") as member:
            member.write(b"[")
            for _ in range(500):
                member.write(b" " * (1 << 20))
    monkeypatch.setenv("KG_ROR_DUMP_LIMIT", str(64 << 20))
    with pytest.raises(DumpError, match="expands past"):
        load_index(bomb, None)


@pytest.mark.parametrize("kind", ["a file", "a directory under a file"])
def test_an_unusable_cache_costs_the_cache_not_the_run(dump, tmp_path, kind):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    cache = blocker if kind == "a file" else blocker / "cache"
    graph = tmp_path / "trial.nt"
    CliRunner().invoke(main, ["export", str(EXAMPLE), "-f", "ntriples", "-o", str(graph)])
    result = CliRunner().invoke(main, ["link", str(graph), "-o", str(tmp_path / "out.nt"),
                                       "--ror-dump", str(dump), "--cache", str(cache),
                                       "--offline"])
    assert result.exit_code == 0, result.output
    assert "the index is not cached" in result.output
    assert "internal error" not in result.output and (tmp_path / "out.nt").exists()
