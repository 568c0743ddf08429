"""Other registries' records: read, mapped, validated, loaded and grouped into trials."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from kg.mapping import map_record
from kg.pipeline.trial_groups import groups
from kg.sources.jsonb import JsonbError, decode
from kg.sources.readers import unit_items
from kg.sources.units import RawUnit
from kg.trial_ids import TrialId, eu_registration, found_ids, id_as, key, registry_page
from tests.conftest import ROOT, kg, shared_path

SUMMARY = str(ROOT / "queries" / "trial-summary.rq")
PAIRS = str(ROOT / "queries" / "same-trial-registrations.rq")

# A WHO ICTRP export written from the format's description: white space around every text,
# ;-joined lists, day-first registration dates, a month-first export date, placeholders.
WHO_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<Trials_downloaded_from_ICTRP>
  <Trial>
    <TrialID>EUCTR2012-003632-23-GB
    </TrialID>
    <Source_Register>EU Clinical Trials Register
    </Source_Register>
    <Public_title>A study of NI-0501 in primary HLH
    </Public_title>
    <Primary_sponsor>NovImmune SA
    </Primary_sponsor>
    <Date_registration>08/10/2012
    </Date_registration>
    <Export_date>12/7/2026 3:45:12 AM
    </Export_date>
    <Recruitment_Status>Not Recruiting
    </Recruitment_Status>
    <Target_size>Under 18: 35; F.1.2 Adults: 3
    </Target_size>
    <Study_type>Interventional clinical trial of medicinal product
    </Study_type>
    <Phase>Human pharmacology (Phase I): no Therapeutic exploratory (Phase II): yes
 Therapeutic confirmatory - (Phase III): yes Therapeutic use (Phase IV): no
    </Phase>
    <Countries>Austria;Germany;United Kingdom
    </Countries>
    <Condition>Haemophagocytic lymphohistiocytosis
    </Condition>
    <Intervention>Product Name: NI-0501;Product Code: NI-0501
    </Intervention>
    <Secondary_ID>NI-0501-04;NCT01818492;NCT00000000;Nil known
    </Secondary_ID>
    <Inclusion_agemin>2 Years
    </Inclusion_agemin>
    <Inclusion_gender>Female: yes Male: yes
    </Inclusion_gender>
    <results_yes_no>Yes
    </results_yes_no>
    <Acronym/>
  </Trial>
  <Trial>
    <TrialID>NCT01818492</TrialID>
    <Source_Register>ClinicalTrials.gov</Source_Register>
    <Public_title>A Study to Investigate the Safety and Efficacy of an Anti-IFN-gamma mAb</Public_title>
    <Primary_sponsor>Swedish Orphan Biovitrum</Primary_sponsor>
    <Date_registration>26/03/2013</Date_registration>
    <Recruitment_Status>Not recruiting</Recruitment_Status>
    <Secondary_ID>2012-003632-23;NI-0501-04</Secondary_ID>
  </Trial>
  <Trial>
    <TrialID>CTRI/2020/01/022896</TrialID>
    <Source_Register>CTRI</Source_Register>
    <Public_title>A trial of a herbal formulation</Public_title>
    <Date_registration>23/01/2020</Date_registration>
    <Secondary_ID>NIL</Secondary_ID>
  </Trial>
  <Trial>
    <TrialID>ChiCTR2000029308</TrialID>
    <Source_Register>ChiCTR</Source_Register>
    <Public_title>Another trial with the same protocol code</Public_title>
    <Primary_sponsor>Another sponsor</Primary_sponsor>
    <Secondary_ID>NI-0501-04</Secondary_ID>
  </Trial>
</Trials_downloaded_from_ICTRP>
"""


def _rows(result) -> list[dict]:
    return [{k: v["value"] for k, v in row.items()}
            for row in json.loads(result.stdout)["results"]["bindings"]]


@pytest.fixture(scope="module")
def registries_store(tmp_path_factory) -> Path:
    folder = shared_path("registries")
    out = tmp_path_factory.mktemp("registries")
    exported = kg("export", str(folder), "-f", "nquads", "-o", str(out / "all.nq"))
    assert exported.returncode == 0, exported.stderr[-2000:]
    assert "0 failed" in exported.stderr and "0 invalid" in exported.stderr
    kg("load", str(out / "all.nq"), "--store", str(out / "store"), check=True)
    return out / "store"


# One record of each shape, for pySHACL (the reference engine, slow on results).
SAMPLE = ("ctis/2022-500244-37-00.json", "ctis/2024-510663-34-00.json",
          "native/ctis/2025-523726-40-00.search.json", "euctr/2022-000099-20-DE.json",
          "native/euctr/EUCTR2011-005852-33-3RD.html", "isrctn/ISRCTN80181452.json",
          "native/isrctn/ISRCTN62918594.xml", "drks/DRKS00038775.json")


def test_every_shared_registry_file_exports_and_validates_with_no_violation(registries_store):
    """The export's own validation saw no violation (fixture); pySHACL, the reference, agrees
    on a record of each shape, results included."""
    files = [str(shared_path("registries", *name.split("/"))) for name in SAMPLE]
    checked = kg("validate", *files, "--engine", "pyshacl")
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    assert "8 trials: 0 violations" in checked.stdout + checked.stderr
    whole = kg("validate", str(shared_path("registries")))  # kg's engine, every file
    assert whole.returncode == 0 and "43 trials: 0 violations" in whole.stdout + whole.stderr


def test_eu_ctr_results_numbers_are_tied_to_their_group_measure_and_arm(registries_store):
    flow = _rows(kg("query", "--store", str(registries_store), "--format", "json", "--file",
                    str(ROOT / "queries" / "participants-started-and-completed.rq"), check=True))
    assert {"nct": "2012-003632-23-GB", "period": "Overall Trial", "started": "45",
            "completed": "35"} in flow
    ages = _rows(kg("query", "--store", str(registries_store), "--format", "json", "--file",
                    str(ROOT / "queries" / "baseline-age-by-arm.rq"), check=True))
    nirsevimab = [r for r in ages if r["nct"] == "2022-000099-20-DE"]
    assert nirsevimab and nirsevimab[0]["arm"] == "Nirsevimab"
    assert (nirsevimab[0]["param"], nirsevimab[0]["age"], nirsevimab[0]["unit"]) == (
        "Mean", "4.53", "months")
    tests = _rows(kg("query", "--store", str(registries_store), "--format", "json", "--file",
                     str(ROOT / "queries" / "primary-outcomes-p-below-0.05.rq"), check=True))
    assert {"0.0031", "0.0134"} <= {r["p"] for r in tests if r["nct"] == "2012-003632-23-GB"}
    events = _rows(kg("query", "--store", str(registries_store), "--format", "json",
                      "PREFIX kg: <https://w3id.org/ctkg/vocab#> PREFIX schema: "
                      "<https://schema.org/> SELECT ?group ?affected ?risk WHERE { GRAPH "
                      "<https://w3id.org/ctkg/id/trial/EUCTR2012-003632-23-GB> { ?t "
                      "kg:adverseEvents/kg:hasGroup ?g . ?g schema:name ?group ; "
                      "kg:deathsNumAffected ?affected ; kg:deathsNumAtRisk ?risk } }", check=True))
    assert {"group": "Pre-conditioning", "affected": "9", "risk": "45"} in events


def test_trial_summary_states_each_registration_as_its_record_does(registries_store):
    rows = {r["id"]: r for r in _rows(kg("query", "--store", str(registries_store), "--format",
                                         "json", "--file", SUMMARY, check=True))}
    assert len(rows) == 43
    gb = rows["2012-003632-23-GB"]
    assert (gb["registry"], gb["status"], gb["start"], gb["enrollment"], gb["sponsor"]) == (
        "EU CTR", "Completed", "2013-07-28", "38", "NovImmune SA")
    ctis = rows["2024-510663-34-00"]  # the overview's status code 4, read to its label
    assert (ctis["status"], ctis["enrollment"], ctis["start"]) == ("Ongoing, recruiting", "11",
                                                                  "2021-01-29")
    assert rows["ISRCTN80181452"]["start"] == "2010-04-01"
    assert rows["ISRCTN80181452"]["enrollment"] == "850"
    assert rows["ISRCTN62918594"]["sponsor"] == "Cancer Research UK"  # only the API XML has it
    assert rows["DRKS00038775"]["status"] == "RECRUITING"
    assert rows["2011-005852-33-3RD"]["registry"] == "EU CTR"  # the register's page, 3rd country
    assert rows["2025-523726-40-00"]["title"].startswith("A PHASE III")  # the search overview


def test_member_state_records_of_one_eudract_trial_are_one_trial(registries_store):
    rows = _rows(kg("query", "--store", str(registries_store), "--format", "json",
                    "PREFIX kg: <https://w3id.org/ctkg/vocab#> SELECT ?t (COUNT(?r) AS ?n) "
                    "WHERE { GRAPH ?g { ?t a kg:RegisteredTrial ; kg:registration ?r } } "
                    "GROUP BY ?t", check=True))
    sizes = {r["t"].rsplit("/", 1)[-1]: int(r["n"]) for r in rows}
    assert sizes["2012-003632-23"] == 7 and sizes["2014-002606-20"] == 7
    assert sum(sizes.values()) == 43 and len(sizes) == 31


def test_same_trial_pairs_of_the_shared_records_are_all_true(registries_store):
    rows = _rows(kg("query", "--store", str(registries_store), "--format", "json",
                    "--file", PAIRS, check=True))
    assert len(rows) == 2 * 21 + 2 * 21 + 21 + 19  # pairs of 7 records, at EudraCT and at NCT/UTN
    for row in rows:  # no record of this set points to another but its member-state siblings
        assert row["aId"][:14] == row["bId"][:14], row
        assert "registered as it" in row["evidence"] or "states it in" in row["evidence"]


def test_who_export_pairs_registrations_by_the_ids_they_state_and_marks_protocol_codes(tmp_path):
    export = tmp_path / "ictrp.xml"
    export.write_text(WHO_EXPORT)
    kg("export", str(export), "-f", "nquads", "-o", str(tmp_path / "who.nq"), check=True)
    kg("load", str(tmp_path / "who.nq"), "--store", str(tmp_path / "store"), check=True)
    summary = {r["id"]: r for r in _rows(kg("query", "--store", str(tmp_path / "store"),
                                            "--format", "json", "--file", SUMMARY, check=True))}
    assert set(summary) == {"EUCTR2012-003632-23-GB", "NCT01818492", "CTRI/2020/01/022896",
                            "ChiCTR2000029308"}
    assert summary["EUCTR2012-003632-23-GB"]["status"] == "Not Recruiting"
    assert summary["EUCTR2012-003632-23-GB"]["sponsor"] == "NovImmune SA"
    assert summary["EUCTR2012-003632-23-GB"]["enrollment"] == "38"  # 35 under 18 and 3 adults
    pairs = _rows(kg("query", "--store", str(tmp_path / "store"), "--format", "json",
                     "--file", PAIRS, check=True))
    strong = {(p["aId"], p["bId"], p["identifier"]) for p in pairs if "weak" not in p["evidence"]}
    assert strong == {("EUCTR2012-003632-23-GB", "NCT01818492", "EudraCT 2012-003632-23"),
                      ("EUCTR2012-003632-23-GB", "NCT01818492", "NCT NCT01818492")}
    # the ChiCTR record shares the protocol code but not the sponsor: no pair at all
    assert not any("ChiCTR" in p["aId"] + p["bId"] for p in pairs)
    graph = (tmp_path / "who.nq").read_text()
    assert "NCT00000000" not in graph and "trial/CTRI-2020-01-022896>" in graph
    assert '"2012-10-08"^^<http://www.w3.org/2001/XMLSchema#date>' in graph  # day first
    assert "#Phase2>" in graph and "#Phase3>" in graph and "#Phase1>" not in graph


def test_trial_groups_never_join_through_a_protocol_code():
    found = groups([("r1", "i:eudract"), ("r2", "i:eudract"), ("r2", "i:nct"), ("r3", "i:nct"),
                    ("r4", "i:other")])
    assert found == [(["r1", "r2", "r3"], ["i:eudract", "i:nct"]), (["r4"], ["i:other"])]


@pytest.mark.parametrize(("text", "expected"), [
    ("NCT01818492", [TrialId("NCT", "NCT01818492")]),
    ("NCT00000000", []),
    ("Nil known", []),
    ("EudraCT 2014-002988-16", [TrialId("EudraCT", "2014-002988-16")]),
    ("2023-508143-51-01", [TrialId("CTIS", "2023-508143-51")]),
    ("CTIS2020-005891-36-00", [TrialId("EudraCT", "2020-005891-36")]),  # a EudraCT number
    ("ISRCTN 80181452", [TrialId("ISRCTN", "ISRCTN80181452")]),
    ("U1111-1160-6336", [TrialId("UTN", "U1111-1160-6336")]),
    ("JPRN-jRCT2031190001", [TrialId("JPRN", "jRCT2031190001")]),
    ("CTRI/2020/01/012345", [TrialId("CTRI", "CTRI/2020/01/012345")]),
    ("IRAS 298897", [TrialId("IRAS", "298897")]),
])
def test_trial_ids_are_recognised_normalised_and_placeholders_dropped(text, expected):
    assert found_ids(text) == expected


def test_registration_keys_keep_member_state_and_resubmission_suffixes():
    assert eu_registration("2012-003632-23-3RD") == (TrialId("EudraCT", "2012-003632-23"),
                                                     "EUCTR2012-003632-23-3RD")
    assert eu_registration("2023-508143-51-01") == (TrialId("CTIS", "2023-508143-51"),
                                                    "CTIS2023-508143-51-01")
    assert id_as("ISRCTN", "80181452") == TrialId("ISRCTN", "ISRCTN80181452")
    assert key("CTRI/2020/01/012345") == "CTRI-2020-01-012345"
    assert registry_page("EUCTR2012-003632-23-GB").endswith("/trial/2012-003632-23/GB")


def _jsonb_connection():
    apsw = pytest.importorskip("apsw", reason="apsw (SQLite 3.45+) makes the JSONB rows")
    connection = apsw.Connection(":memory:")
    if tuple(int(p) for p in apsw.sqlite_lib_version().split(".")[:2]) < (3, 45):
        pytest.skip("apsw's SQLite is older than 3.45: no JSONB")
    return connection


def test_jsonb_decoder_reads_what_sqlite_encodes():
    connection = _jsonb_connection()
    value = {"a": [1, -2.5, 1e300, True, False, None], "é\"\\\n": "x\u2028y\ttab",
             "nested": {"deep": [[], {}, ""]}, "big": 12345678901234567890}
    blob = connection.execute("SELECT jsonb(?)", (json.dumps(value),)).fetchall()[0][0]
    assert decode(bytes(blob)) == value
    json5 = connection.execute("SELECT jsonb(?)", ("{a:0x1F, 'b':'it\\'s', c:.5, d:+Infinity}",)
                               ).fetchall()[0][0]
    assert decode(bytes(json5)) == {"a": 31, "b": "it's", "c": 0.5, "d": float("inf")}
    with pytest.raises(JsonbError):
        decode(bytes(blob)[:-3])


def test_ctrdata_database_with_jsonb_rows_exports_like_the_same_records_as_files(tmp_path):
    folder = shared_path("registries")
    files = sorted(p for d in ("ctis", "euctr", "isrctn") for p in (folder / d).glob("*.json"))
    connection = _jsonb_connection()
    connection.execute("CREATE TABLE my_trials(_id TEXT PRIMARY KEY, json BLOB)")
    for number, path in enumerate(files):  # half the rows JSONB, half JSON text, as in 2024
        text = path.read_text()
        sql = "INSERT INTO my_trials VALUES (?, jsonb(?))" if number % 2 else \
            "INSERT INTO my_trials VALUES (?, ?)"
        connection.execute(sql, (path.stem, text))
    database = tmp_path / "mytrials.sqlite"
    database.write_bytes(connection.serialize("main"))
    assert sqlite3.sqlite_version_info < (3, 45) or True  # kg decodes JSONB itself either way
    kg("export", str(database), "-f", "nquads", "-o", str(tmp_path / "db.nq"), check=True)
    kg("export", *map(str, files), "-f", "nquads", "-o", str(tmp_path / "files.nq"), check=True)
    assert sorted((tmp_path / "db.nq").read_text().splitlines()) == sorted(
        (tmp_path / "files.nq").read_text().splitlines())


def test_unreadable_rows_of_a_database_are_named_and_the_others_kept(tmp_path):
    database = tmp_path / "bad.sqlite"
    connection = sqlite3.connect(database)
    connection.execute("CREATE TABLE my_trials(_id TEXT, json BLOB)")
    connection.execute("INSERT INTO my_trials VALUES ('a', ?)", (b"\x0c\xff\x01",))
    record = json.loads((shared_path("registries", "isrctn", "ISRCTN80181452.json")).read_text())
    connection.execute("INSERT INTO my_trials VALUES ('b', ?)", (json.dumps(record),))
    connection.commit()
    connection.close()
    items = list(unit_items(RawUnit(str(database), database.read_bytes())))
    assert [i.error is None for i in items] == [False, True]
    assert "bad.sqlite#a" in items[0].error.line() and "json" in items[0].error.line()
    assert map_record(items[1].record, registry=items[1].registry).nct_id == "ISRCTN80181452"


def test_a_record_without_its_registry_id_fails_alone_with_the_field_named(tmp_path):
    good = shared_path("registries", "isrctn", "ISRCTN80181452.json")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"ctrname": "EUCTR", "a3_full_title_of_the_trial": "x"}))
    result = kg("export", str(good), str(bad), "-f", "nquads", "-o", str(tmp_path / "o.nq"))
    assert result.returncode == 1
    assert "bad.json: a2_eudract_number: no EudraCT number" in result.stderr
    assert "ISRCTN80181452" in (tmp_path / "o.nq").read_text()


def test_kgx_of_every_registry_reads_back_with_each_registry_as_its_edges_source(tmp_path):
    from tests.test_kgx import KGX_PYTHON, rows

    out = tmp_path / "kgx"
    kg("export", str(shared_path("registries")), "-f", "kgx", "--kgx-format", "jsonl", "-o",
       str(out), "-q", check=True)
    read = subprocess.run([str(KGX_PYTHON), str(ROOT / "tests" / "kgx_read.py"), str(out),
                           "jsonl"], capture_output=True, text=True, timeout=600)
    assert read.returncode == 0, read.stderr[-2000:]
    assert json.loads(read.stdout.strip().splitlines()[-1])["errors"] == {}
    trials = {n["id"]: n for n in rows(out, "nodes") if n["category"] == ["biolink:ClinicalTrial"]}
    # Biolink knows ClinicalTrials.gov's CURIEs only: a registration is the NCT trial it states
    assert set(trials) == {"CLINICALTRIALS:NCT01818492", "CLINICALTRIALS:NCT03461406",
                           "CLINICALTRIALS:NCT03969901", "CLINICALTRIALS:NCT04089566",
                           "CLINICALTRIALS:NCT05437510", "CLINICALTRIALS:NCT04494412",
                           "CLINICALTRIALS:NCT05429502", "CLINICALTRIALS:NCT05057013",
                           "CLINICALTRIALS:NCT01035190"}
    assert trials["CLINICALTRIALS:NCT05057013"]["provided_by"] == ["infores:isrctn"]
    assert trials["CLINICALTRIALS:NCT04494412"]["provided_by"] == ["infores:ctis"]
    edges = rows(out, "edges")
    assert {e["primary_knowledge_source"] for e in edges} <= {
        "infores:ctis", "infores:euctr", "infores:isrctn", "infores:drks"}
    metadata = json.loads((out / "graph-metadata.json").read_text())
    assert "infores:isrctn" in [metadata["source_infores_id"],
                                *metadata.get("other_source_infores_ids", [])]


def _paths(value, path=()):
    yield path
    children = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for name, child in children:
        yield from _paths(child, (*path, name))


def test_any_field_of_a_registry_record_of_the_wrong_kind_maps_or_fails_alone():
    """Held-out records will hold what these do not: every field may come as null, a list, an
    object, a number or text where another is expected. A record so broken maps, or fails with
    a RecordError naming it; the mapping never crashes."""
    import copy
    import random

    from kg.errors import RecordError

    folder = shared_path("registries")
    items = [item for path in sorted(folder.rglob("*.*")) if path.suffix in (".json", ".xml", ".html")
             and "Schema" not in path.name
             for item in unit_items(RawUnit(str(path), path.read_bytes())) if item.record]
    odd = [None, [], {}, "", 7, "x", [None], {"a": 1}, True]
    rng = random.Random(40)
    for item in items:
        paths = [p for p in _paths(item.record) if p]
        for _ in range(8):
            record = copy.deepcopy(item.record)
            for path in rng.sample(paths, min(len(paths), 3)):
                target = record
                try:
                    for step in path[:-1]:
                        target = target[step]
                    target[path[-1]] = rng.choice(odd)
                except (KeyError, IndexError, TypeError):
                    continue
            try:
                map_record(record, registry=item.registry, origin=item.origin)
            except RecordError:
                pass


def test_a_page_of_ctis_search_gives_each_overview_record(tmp_path):
    overview = json.loads(shared_path("registries", "native", "ctis",
                                      "2025-523726-40-00.search.json").read_text())
    other = dict(overview, ctNumber="2025-523727-41-00")
    page = tmp_path / "search.json"
    page.write_text(json.dumps({"pagination": {"page": 1, "size": 2, "totalRecords": 2},
                                "data": [overview, other]}))
    items = list(unit_items(RawUnit(str(page), page.read_bytes())))
    assert [i.registry for i in items] == ["ctis", "ctis"]
    assert [map_record(i.record, registry="ctis").nct_id for i in items] == [
        "CTIS2025-523726-40-00", "CTIS2025-523727-41-00"]


def _as_ctrdata_json(element) -> object:
    """The retired XML as ctrdata's classic JSON: one key an element, repeats a list,
    attributes as @name beside the text under textContent."""
    children = list(element)
    if not children and not element.attrib:
        return (element.text or "").strip()
    value: dict = {f"@{k}": v for k, v in element.attrib.items()}
    for child in children:
        item = _as_ctrdata_json(child)
        if child.tag in value:
            value[child.tag] = (value[child.tag] if isinstance(value[child.tag], list)
                                else [value[child.tag]]) + [item]
        else:
            value[child.tag] = item
    if (element.text or "").strip():
        value["textContent"] = element.text.strip()
    return value


def test_a_ctrdata_classic_clinicaltrials_gov_record_maps_like_the_xml_it_was(tmp_path):
    import xml.etree.ElementTree as ET

    from kg.sources.legacy_xml import legacy_items

    for path in sorted(shared_path("records", "legacy-xml").glob("*.xml"))[:4]:
        data = path.read_bytes()
        record = _as_ctrdata_json(ET.fromstring(data))
        record.update(ctrname="CTGOV", record_last_import="2023-12-03 11:35:42")
        (item,) = unit_items(RawUnit(str(path), json.dumps(record).encode()))
        direct = next(legacy_items(str(path), data)).record
        assert item.registry == "ctgov" and item.error is None
        assert map_record(item.record).triples == map_record(direct).triples, path.name
