"""Biolink KGX export: the kgx library reads the files back and validates them with 0 errors
(offline), every category, predicate, slot and enum value is in the Biolink Model the export
declares, counts equal SPARQL's over the RDF export of the same records, and the files are the
same bytes whatever the number of workers."""

from __future__ import annotations

import copy
import csv
import importlib.metadata
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from kg.serialize.kgx import BIOLINK_VERSION, EDGE_COLUMNS, NODE_COLUMNS
from kg.stores.oxigraph import OxigraphStore
from tests.conftest import EXAMPLE, ROOT, kg, shared_path

FIXTURE = ROOT / "tests" / "fixtures" / "NCT09900001.json"
KGX_PYTHON = ROOT / ".venv-kgx" / "bin" / "python"


def inputs() -> list[str]:
    return [str(shared_path("records", "v2")), str(EXAMPLE), str(FIXTURE)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("kgx")
    for kind in ("tsv", "jsonl"):
        done = kg("export", *inputs(), "-f", "kgx", "--kgx-format", kind, "-o", str(out / kind),
                  "--no-validate", "-w", "2", "-q")
        assert done.returncode == 0, done.stderr
    return out


def rows(directory: Path, name: str) -> list[dict]:
    """A KGX file's rows, its lines split at "\\n" only, as KGX writes and reads them."""
    if (directory / f"{name}.jsonl").exists():
        text = (directory / f"{name}.jsonl").read_text(encoding="utf-8")
        return [json.loads(line) for line in text.split("\n") if line]
    with (directory / f"{name}.tsv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream, **KGX_DIALECT))


# How KGX reads TSV (kgx.source.tsv_source: pandas with quoting=3, lineterminator "\n").
KGX_DIALECT = {"delimiter": "\t", "quoting": csv.QUOTE_NONE, "lineterminator": "\n"}


@pytest.mark.parametrize("kind", ["tsv", "jsonl"])
def test_the_kgx_library_reads_the_files_back_and_finds_no_error(exported, kind):
    if not KGX_PYTHON.exists():
        if os.environ.get("KG_REQUIRE_KGX"):
            pytest.fail(f"no kgx environment at {KGX_PYTHON} (make .venv-kgx)")
        pytest.skip(f"no kgx environment at {KGX_PYTHON} (make .venv-kgx makes it)")
    read = subprocess.run([str(KGX_PYTHON), str(ROOT / "tests" / "kgx_read.py"),
                           str(exported / kind), kind], capture_output=True, text=True,
                          timeout=600)
    assert read.returncode == 0, read.stderr[-2000:]
    found = json.loads(read.stdout.strip().splitlines()[-1])
    metadata = json.loads((exported / kind / "graph-metadata.json").read_text())
    assert found["errors"] == {}
    assert (found["nodes"], found["edges"]) == (metadata["total_node_count"],
                                                metadata["total_edge_count"])


def biolink() -> dict:
    try:
        path = importlib.metadata.distribution("biolink-model").locate_file(
            "biolink_model/schema/biolink_model.yaml")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("biolink-model is not installed (pip install --no-deps biolink-model)")
    return yaml.safe_load(Path(path).read_text())


def test_every_category_predicate_slot_and_value_is_in_the_declared_biolink_model(exported):
    model = biolink()
    assert model["version"] == BIOLINK_VERSION
    classes = {name.title().replace(" ", "") for name in model["classes"]}
    slots = {name.replace(" ", "_") for name in model["slots"]}
    enums = model["enums"]
    nodes, edges = rows(exported / "jsonl", "nodes"), rows(exported / "jsonl", "edges")
    assert set(NODE_COLUMNS) <= slots and set(EDGE_COLUMNS) <= slots
    for node in nodes:
        assert set(node) <= slots, set(node) - slots
        for category in node["category"]:
            assert category.removeprefix("biolink:") in classes, category
        if "clinical_trial_phase" in node:
            assert node["clinical_trial_phase"] in enums["ResearchPhaseEnum"]["permissible_values"]
        if "clinical_trial_overall_status" in node:
            assert node["clinical_trial_overall_status"] in enums["ClinicalTrialStatusEnum"][
                "permissible_values"]
    predicates = {e["predicate"] for e in edges}
    assert predicates == {"biolink:in_clinical_trials_for", "biolink:mentions"}
    assert {p.removeprefix("biolink:").replace("_", " ") for p in predicates} <= set(model["slots"])
    for edge in edges:
        assert set(edge) <= slots, set(edge) - slots
        assert edge["knowledge_level"] in enums["KnowledgeLevelEnum"]["permissible_values"]
        assert edge["agent_type"] in enums["AgentTypeEnum"]["permissible_values"]
        if "max_research_phase" in edge:
            assert edge["max_research_phase"] in enums["ResearchPhaseEnum"]["permissible_values"]
    prefixes = json.loads(Path(importlib.metadata.distribution("biolink-model").locate_file(
        "biolink_model/prefixmaps/biolink-model-prefix-map.json")).read_text())
    used = {node["id"].split(":")[0] for node in nodes}
    used |= {x.split(":")[0] for node in nodes for x in node.get("xref", [])}
    assert used <= set(prefixes), used - set(prefixes)


def test_counts_equal_what_sparql_finds_in_the_rdf_export(exported, tmp_path):
    store_dir = tmp_path / "store"
    assert kg("load", *inputs(), "--store", str(store_dir), "-q").returncode == 0
    store = OxigraphStore(store_dir)
    query = (ROOT / "queries" / "drug-disease-pairs-with-highest-phase.rq").read_text()
    answer = store.query(query)
    trials = store.query("""SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g {
        ?g a <https://schema.org/MedicalStudy> } }""").rows[0][0]["value"]
    articles = store.query("""PREFIX kg: <https://w3id.org/ctkg/vocab#>
        SELECT (COUNT(DISTINCT ?pmid) AS ?n) WHERE { GRAPH ?g {
        ?g kg:reference ?reference . ?reference kg:article/kg:pubmedId ?pmid ;
           kg:referenceType ?type . FILTER (?type IN (kg:ResultReference, kg:DerivedReference))
        } }""").rows[0][0]["value"]
    store.close()

    def curie(iri: str) -> str:
        for namespace, prefix in (("http://purl.obolibrary.org/obo/MONDO_", "MONDO:"),
                                  ("http://purl.obolibrary.org/obo/CHEBI_", "CHEBI:"),
                                  ("http://identifiers.org/chembl.compound/",
                                   "CHEMBL.COMPOUND:"),
                                  ("http://id.nlm.nih.gov/mesh/", "MESH:")):
            if iri.startswith(namespace):
                return prefix + iri[len(namespace):]
        return iri

    sparql = {(curie(r[0]["value"]), curie(r[1]["value"]), r[2]["value"],
               tuple(sorted("CLINICALTRIALS:" + t for t in r[3]["value"].split())))
              for r in answer.rows}
    edges = rows(exported / "jsonl", "edges")
    kgx = {(e["subject"], e["object"], e["max_research_phase"], tuple(e["has_supporting_studies"]))
           for e in edges if e["predicate"] == "biolink:in_clinical_trials_for"}
    assert kgx == sparql and len(kgx) > 8
    nodes = rows(exported / "jsonl", "nodes")
    assert sum(n["category"] == ["biolink:ClinicalTrial"] for n in nodes) == int(trials)
    assert sum(n["category"] == ["biolink:Publication"] for n in nodes) == int(articles)
    mentions = [e for e in edges if e["predicate"] == "biolink:mentions"]
    assert len(mentions) >= int(articles)


def test_one_and_two_workers_write_the_same_bytes(exported, tmp_path):
    assert kg("export", *inputs(), "-f", "kgx", "-o", str(tmp_path / "one"), "--no-validate",
              "-w", "1", "-q").returncode == 0
    for name in ("nodes.tsv", "edges.tsv", "graph-metadata.json"):
        assert (tmp_path / "one" / name).read_bytes() == (exported / "tsv" / name).read_bytes()


def test_the_reference_trials_lupus_is_a_mondo_disease_with_its_other_ids(exported):
    nodes = {n["id"]: n for n in rows(exported / "jsonl", "nodes")}
    lupus = nodes["MONDO:0007915"]
    assert lupus["category"] == ["biolink:Disease"]
    assert {"MESH:D008180", "DOID:9074", "ORDO:Orphanet_536"} <= set(lupus["xref"])
    assert "MONDO:0007915" in nodes["CLINICALTRIALS:NCT00698191"]["clinical_trial_conditions"]


@pytest.mark.parametrize("args", [["-o", "out.tsv"], ["-o", "-"], ["-f", "turtle", "-o", "d"],
                                  ["--compress", "gz", "-o", "d"]])
def test_kgx_is_refused_where_it_cannot_be_written(args, tmp_path):
    done = kg("export", str(EXAMPLE), "-f", "kgx", *args, "--no-validate")
    assert done.returncode == 2 and "-f kgx writes nodes and edges files" in done.stderr


# Characters that break one reader or another: KGX's list delimiter, a quote that opens a
# default-dialect CSV field, and every line break str.splitlines() honours.
HOSTILE = '"Quoted | piped\u2028line\u0085next\vtab\tform\x0cfeed\x1cend\u2029" title'


def hostile_trials() -> list[dict]:
    """The reference trial made into three interventional trials that test what the KGX rules
    must read right: a phase 2/3 trial with a tested drug and a comparator-only drug, hostile
    text in its title, a drug name and a citation; the same trial withdrawn; background and
    result references."""
    record = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = "NCT09900011"
    protocol["identificationModule"]["briefTitle"] = HOSTILE
    protocol["designModule"]["phases"] = ["PHASE2", "PHASE3"]
    protocol["conditionsModule"]["conditions"] = ["Breast Cancer"]
    protocol["armsInterventionsModule"] = {
        "armGroups": [
            {"label": "Palbociclib", "type": "EXPERIMENTAL",
             "interventionNames": ["Drug: Palbociclib"]},
            {"label": "Carboplatin", "type": "ACTIVE_COMPARATOR",
             "interventionNames": ["Drug: Carboplatin"]}],
        "interventions": [
            {"type": "DRUG", "name": "Palbociclib", "armGroupLabels": ["Palbociclib"],
             "otherNames": [HOSTILE]},
            {"type": "DRUG", "name": "Carboplatin", "armGroupLabels": ["Carboplatin"]}]}
    protocol["referencesModule"] = {"references": [
        {"pmid": "11111111", "type": "BACKGROUND", "citation": "A 1983 paper | background."},
        {"pmid": "22222222", "type": "RESULT", "citation": HOSTILE}]}
    withdrawn = copy.deepcopy(record)
    withdrawn["protocolSection"]["identificationModule"]["nctId"] = "NCT09900012"
    withdrawn["protocolSection"]["statusModule"]["overallStatus"] = "WITHDRAWN"
    withdrawn["protocolSection"]["designModule"]["phases"] = ["PHASE4"]
    return [record, withdrawn]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    for record in hostile_trials():
        nct = record["protocolSection"]["identificationModule"]["nctId"]
        (out / f"{nct}.json").write_text(json.dumps(record), encoding="utf-8")
    for kind in ("tsv", "jsonl"):
        done = kg("export", str(out / "NCT09900011.json"), str(out / "NCT09900012.json"),
                  "-f", "kgx", "--kgx-format", kind, "-o", str(out / kind), "--no-validate",
                  "-q")
        assert done.returncode == 0, done.stderr
    return out


def test_a_tested_drug_gets_edges_and_a_comparator_only_drug_none(hostile):
    edges = [e for e in rows(hostile / "jsonl", "edges")
             if e["predicate"] == "biolink:in_clinical_trials_for"]
    assert {(e["subject"], e["object"]) for e in edges} == {("CHEBI:85993", "MONDO:0007254")}
    trial = next(n for n in rows(hostile / "jsonl", "nodes")
                 if n["id"] == "CLINICALTRIALS:NCT09900011")
    assert trial["clinical_trial_tested_intervention"] == "yes"
    assert trial["clinical_trial_interventions"] == ["CHEBI:85993"]
    assert "CHEBI:31355" not in {n["id"] for n in rows(hostile / "jsonl", "nodes")}


def test_a_phase_2_3_edge_says_the_span_its_trial_says_and_a_withdrawn_trial_is_no_evidence(
        hostile):
    nodes = {n["id"]: n for n in rows(hostile / "jsonl", "nodes")}
    edge = next(e for e in rows(hostile / "jsonl", "edges")
                if e["predicate"] == "biolink:in_clinical_trials_for")
    assert nodes["CLINICALTRIALS:NCT09900011"]["clinical_trial_phase"] == \
        edge["max_research_phase"] == "clinical_trial_phase_2_to_3"
    assert edge["has_supporting_studies"] == ["CLINICALTRIALS:NCT09900011"], \
        "the withdrawn phase 4 copy supports no edge"
    assert edge["elevate_to_prediction"] is True
    assert edge["aggregator_knowledge_source"] == ["infores:ctkg"]
    assert edge["primary_knowledge_source"] == "infores:clinicaltrials"
    metadata = json.loads((hostile / "jsonl" / "graph-metadata.json").read_text())
    assert metadata["aggregator_infores"]["id"] == "infores:ctkg"


def test_only_result_and_derived_references_mention_the_trial(hostile):
    mentions = {e["subject"] for e in rows(hostile / "jsonl", "edges")
                if e["predicate"] == "biolink:mentions"}
    assert mentions == {"PMID:22222222"}


def test_a_drug_is_named_by_the_id_a_node_normaliser_prefers_with_one_category(hostile):
    nodes = {n["id"]: n for n in rows(hostile / "jsonl", "nodes")}
    palbociclib = nodes["CHEBI:85993"]
    assert palbociclib["category"] == ["biolink:SmallMolecule"]
    assert set(palbociclib["xref"]) == {"CHEMBL.COMPOUND:CHEMBL189963", "MESH:C500026"}
    assert palbociclib["iri"] == "http://purl.obolibrary.org/obo/CHEBI_85993"
    trial = nodes["CLINICALTRIALS:NCT09900011"]
    assert trial["iri"] == "http://identifiers.org/clinicaltrials/NCT09900011"
    assert trial["clinical_trial_age_range"] == "15 Years to 70 Years"
    assert trial["clinical_trial_age_stage"] == ["adult", "child", "older_adult"]


def test_every_iri_is_its_ids_expansion_through_biolinks_prefix_map(hostile):
    prefixes = json.loads(Path(importlib.metadata.distribution("biolink-model").locate_file(
        "biolink_model/prefixmaps/biolink-model-prefix-map.json")).read_text())
    for node in rows(hostile / "jsonl", "nodes"):
        prefix, _, local = node["id"].partition(":")
        assert node["iri"] == prefixes[prefix] + local, node["id"]


def test_hostile_text_reads_back_the_same_in_every_reader(hostile):
    """kgx's TSV reader splits a value at "|"; a CSV reader of the default dialect opens a
    quoted field at a leading '"'; str.splitlines() ends a line at U+2028, U+0085 and the
    rest. Each file reads back with its rows whole and its text on one line."""
    for kind in ("tsv", "jsonl"):
        for name in ("nodes", "edges"):
            raw = (hostile / kind / f"{name}.{kind}").read_text(encoding="utf-8")
            assert raw.splitlines() == raw.split("\n")[:-1], (kind, name)
    tsv = {n["id"]: n for n in rows(hostile / "tsv", "nodes")}
    with (hostile / "tsv" / "nodes.tsv").open(encoding="utf-8", newline="") as stream:
        default = {row["id"]: row for row in csv.DictReader(stream, delimiter="\t")}
    assert default == tsv
    title = tsv["CLINICALTRIALS:NCT09900011"]["name"]
    assert "|" not in title and '"' not in title and title.startswith("”Quoted ¦ piped line")
    jsonl = {n["id"]: n for n in rows(hostile / "jsonl", "nodes")}
    assert jsonl["CLINICALTRIALS:NCT09900011"]["name"] == " ".join(
        HOSTILE.replace("\u2028", " ").replace("\u0085", " ").replace("\v", " ").replace(
            "\t", " ").replace("\x0c", " ").replace("\x1c", " ").replace("\u2029", " ")
        .split(" ")), "JSON Lines keep | and \" as they are; only the line breaks become spaces"


@pytest.mark.parametrize("kind", ["tsv", "jsonl"])
def test_kgx_validates_hostile_text_and_a_round_trip_through_json_lines_keeps_every_row(
        hostile, kind, tmp_path):
    if not KGX_PYTHON.exists():
        if os.environ.get("KG_REQUIRE_KGX"):
            pytest.fail(f"no kgx environment at {KGX_PYTHON} (make .venv-kgx)")
        pytest.skip(f"no kgx environment at {KGX_PYTHON} (make .venv-kgx makes it)")
    read = subprocess.run([str(KGX_PYTHON), str(ROOT / "tests" / "kgx_read.py"),
                           str(hostile / kind), kind, str(tmp_path)], capture_output=True,
                          text=True, timeout=600)
    assert read.returncode == 0, read.stderr[-2000:]
    assert json.loads(read.stdout.strip().splitlines()[-1])["errors"] == {}
    for name in ("nodes", "edges"):
        back = tmp_path / "back"
        (back / f"{name}.{kind}").write_bytes((back / f"graph_{name}.{kind}").read_bytes())
        assert _comparable(rows(back, name)) == _comparable(rows(hostile / kind, name)), name


def _comparable(found: list[dict]) -> set:
    """Rows as sets of their non-empty fields, list values sorted, whatever the column order,
    without the ``knowledge_source`` kgx's transform adds (the file name it read)."""
    def value(v):
        if isinstance(v, list):
            return "|".join(sorted(str(x) for x in v))
        if isinstance(v, str) and "|" in v:
            return "|".join(sorted(v.split("|")))
        return str(v)
    return {frozenset((k, value(v)) for k, v in row.items()
                      if v not in ("", None, []) and k != "knowledge_source") for row in found}
