"""schema.org JSON-LD for web pages: one document per trial, rooted at the trial, that expands
offline (pyld, with schema.org's context from the package) to exactly the trial's triples, and
that a harvester reading an HTML page carrying it takes for the trial with its parts."""

from __future__ import annotations

import json

import extruct
import orjson
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.mapping import map_record
from kg.serialize.ntriples import lines
from kg.serialize.schemaorg import SchemaOrg, document, expand_to_nquads
from tests.conftest import EXAMPLE, ROOT, load_json, shared_records

DOIS = {"https://doi.org/10.1177/0961203306075793", "https://doi.org/10.1016/j.cellimm.2007.10.004",
        "https://doi.org/10.1080/08820130801973328", "https://doi.org/10.1186/s13287-018-1053-4"}


def triples_of(mapped) -> set[str]:
    return {str(t) for t in ox.parse(lines(mapped.triples, " .\n").encode(),
                                     ox.RdfFormat.N_TRIPLES)}


def expanded(doc: dict) -> set[str]:
    return {str(q.triple) for q in ox.parse(expand_to_nquads(doc).encode(), ox.RdfFormat.N_QUADS)}


def test_the_reference_trials_document_expands_to_exactly_its_triples():
    mapped = map_record(load_json(EXAMPLE))
    assert expanded(document(mapped)) == triples_of(mapped)


def test_every_shared_records_document_expands_to_exactly_its_triples():
    for path in shared_records("v2", "v2-partial"):
        mapped = map_record(load_json(path))
        if len(mapped.triples) > 20_000:  # pyld takes minutes on the 48,000-triple trial
            continue
        assert expanded(document(mapped)) == triples_of(mapped), path.name


def test_the_document_is_rooted_at_the_trial_with_its_parts_nested():
    doc = document(map_record(load_json(EXAMPLE)))
    assert doc["@context"][0] == "https://schema.org"
    assert doc["@id"] == "https://w3id.org/ctkg/id/trial/NCT00698191"
    assert doc["@type"][0] == "MedicalTrial"
    assert doc["sponsor"]["name"] == "National Natural Science Foundation of China"
    assert {c["@id"] for c in doc["citation"]} == DOIS
    assert all(c["@type"] == "ScholarlyArticle" and c["name"] for c in doc["citation"])
    assert any(c.get("name") == "Systemic Lupus Erythematosus" for c in doc["healthCondition"])
    assert doc["kg:phase"] == [{"@id": "https://w3id.org/ctkg/vocab#Phase1"},
                               {"@id": "https://w3id.org/ctkg/vocab#Phase2"}]
    assert "@included" not in doc, "every node hangs off the trial"


def test_a_results_cell_is_nested_under_its_table_through_reverse():
    doc = document(map_record(load_json(ROOT / "tests" / "fixtures" / "NCT09900001.json")))
    flow = doc["kg:participantFlow"]
    cells = flow["kg:flowPeriod"]["@reverse"]["qb:dataSet"]
    assert cells and all("qb:dataSet" not in cell for cell in cells)
    assert {"sdmx-measure:obsValue", "kg:group"} <= set(cells[0])


def test_a_harvester_reading_a_page_with_the_document_finds_the_trial_and_its_parts():
    doc = document(map_record(load_json(EXAMPLE)))
    html = ("<!doctype html><html><head><title>t</title><script type=\"application/ld+json\">"
            + json.dumps(doc).replace("</", "<\\/") + "</script></head><body></body></html>")
    (item,) = extruct.extract(html, base_url="http://localhost/", syntaxes=["json-ld"])["json-ld"]
    assert "MedicalTrial" in item["@type"]
    assert item["sponsor"]["@type"] == "Organization"
    assert {c["@id"] for c in item["citation"]} == DOIS


def test_the_format_writes_one_document_per_trial_and_the_same_bytes_every_time():
    mapped = map_record(load_json(EXAMPLE))
    first, second = SchemaOrg().render(mapped), SchemaOrg().render(mapped)
    assert first == second and first.count("\n") == 1
    assert orjson.loads(first)["@id"].endswith("NCT00698191")


@pytest.mark.parametrize("args", [["-f", "schemaorg", "-o", "-"]])
def test_kg_export_writes_the_document_to_standard_output(args):
    result = CliRunner().invoke(main, ["export", str(EXAMPLE), *args, "--no-validate"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["name"].startswith("Mesenchymal Stem Cell")
