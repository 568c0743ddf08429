"""Biolink KGX export: the kgx library reads the files back and validates them with 0 errors
(offline), every category, predicate, slot and enum value is in the Biolink Model the export
declares, counts equal SPARQL's over the RDF export of the same records, and the files are the
same bytes whatever the number of workers."""

from __future__ import annotations

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
    if (directory / f"{name}.jsonl").exists():
        return [json.loads(line) for line in (directory / f"{name}.jsonl").read_text().splitlines()]
    lines = (directory / f"{name}.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


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


PHASE = {"0": "clinical_trial_phase", "1": "clinical_trial_phase_1", "2": "clinical_trial_phase_2",
         "3": "clinical_trial_phase_3", "4": "clinical_trial_phase_4"}


def test_counts_equal_what_sparql_finds_in_the_rdf_export(exported, tmp_path):
    store_dir = tmp_path / "store"
    assert kg("load", *inputs(), "--store", str(store_dir), "-q").returncode == 0
    store = OxigraphStore(store_dir)
    query = (ROOT / "queries" / "drug-disease-pairs-with-highest-phase.rq").read_text()
    answer = store.query(query)
    trials = store.query("""SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g {
        ?g a <https://schema.org/MedicalStudy> } }""").rows[0][0]["value"]
    articles = store.query("""SELECT (COUNT(DISTINCT ?pmid) AS ?n) WHERE { GRAPH ?g {
        ?g <https://w3id.org/ctkg/vocab#reference>/<https://w3id.org/ctkg/vocab#article>/
           <https://w3id.org/ctkg/vocab#pubmedId> ?pmid } }""").rows[0][0]["value"]
    store.close()

    def curie(iri: str) -> str:
        for namespace, prefix in (("http://purl.obolibrary.org/obo/MONDO_", "MONDO:"),
                                  ("http://purl.obolibrary.org/obo/CHEBI_", "CHEBI:"),
                                  ("http://id.nlm.nih.gov/mesh/", "MESH:")):
            if iri.startswith(namespace):
                return prefix + iri[len(namespace):]
        return iri

    sparql = {(curie(r[0]["value"]), curie(r[1]["value"]), PHASE[r[2]["value"]],
               tuple(sorted("CLINICALTRIALS:" + t for t in r[3]["value"].split())))
              for r in answer.rows}
    edges = rows(exported / "jsonl", "edges")
    kgx = {(e["subject"], e["object"], e["max_research_phase"], tuple(e["has_supporting_studies"]))
           for e in edges if e["predicate"] == "biolink:in_clinical_trials_for"}
    assert kgx == sparql and len(kgx) > 10
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
