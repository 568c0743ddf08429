"""Each shape catches the defect it exists for: a conforming graph, broken the way real data
breaks, gives exactly the expected violation; and ``kg validate`` exits 1 naming the trial."""

from __future__ import annotations

import re

import pytest
import rdflib
from click.testing import CliRunner
from rdflib import XSD, Literal, URIRef

from kg.cli import main
from kg.mapping import map_record
from kg.rdf import to_rdflib
from kg.validation.validate import shapes_graph, validate_graph
from tests.conftest import EXAMPLE, load_json, shared_path, shared_records

SDO = rdflib.Namespace("https://schema.org/")
KG = rdflib.Namespace("https://w3id.org/ctkg/vocab#")
TRIAL = URIRef("https://w3id.org/ctkg/id/trial/NCT00698191")
ARM = URIRef(str(TRIAL) + "/arm/1")
ELIGIBILITY = URIRef(str(TRIAL) + "/eligibility")
DOI = URIRef("https://doi.org/10.1177/0961203306075793")
CELL_DOI = URIRef("https://doi.org/10.1016/j.cellimm.2007.10.004")
UPPER_DOI = URIRef("https://doi.org/10.1016/J.CELLIMM.2007.10.004")
PERIODICAL = URIRef("https://w3id.org/ctkg/id/periodical/lupus")


def _node(cls) -> URIRef:
    """The reference trial's one node of a class (parts are named by what they are)."""
    graph = to_rdflib(map_record(load_json(EXAMPLE)).triples)
    (node,) = [n for n in graph.subjects(rdflib.RDF.type, cls) if str(n).startswith(str(TRIAL))]
    return node


CONDITION = _node(SDO.MedicalCondition)
SITE = _node(KG.Site)
ADDRESS = URIRef(str(SITE) + "/address")
SITE_CONTACT = URIRef(str(SITE) + "/contact/1")
OFFICIAL = _node(KG.Official)
INTERVENTION = _node(KG.Intervention)
REFERENCE = next(n for n in to_rdflib(map_record(load_json(EXAMPLE)).triples).subjects(
    KG.article, URIRef("https://doi.org/10.1080/08820130801973328")))


def drop_title(g):
    g.remove((TRIAL, SDO.name, None))


def start_date_as_string(g):
    g.set((TRIAL, KG.startDate, Literal("2007-03")))


def doi_with_upper_case(g):
    """A DOI IRI kept in the case the citation wrote it, everywhere the graph uses it."""
    for s, p, o in list(g):
        if CELL_DOI in (s, o):
            g.remove((s, p, o))
            g.add((UPPER_DOI if s == CELL_DOI else s, p, UPPER_DOI if o == CELL_DOI else o))


def arm_names_missing_intervention(g):
    g.add((ARM, KG.intervention, URIRef(str(TRIAL) + "/intervention/9")))
    g.add((URIRef(str(TRIAL) + "/intervention/9"), rdflib.RDF.type, KG.Intervention))
    g.add((URIRef(str(TRIAL) + "/intervention/9"), SDO.name, Literal("Ghost")))


def enrollment_negative(g):
    g.set((TRIAL, KG.enrollment, Literal(-1, datatype=XSD.integer)))


def phase_nine(g):
    g.add((TRIAL, KG.phase, Literal("PHASE9")))


def second_nct_id(g):
    code = URIRef(str(TRIAL) + "/code/other")
    g.add((TRIAL, SDO.code, code))
    g.add((code, SDO.codeValue, Literal("NCT99999999")))


def bad_sex(g):
    g.set((ELIGIBILITY, KG.sex, KG.SexUnknown))


def sponsor_without_name(g):
    sponsor = g.value(TRIAL, KG.leadSponsor)
    g.remove((sponsor, SDO.name, None))


def condition_without_name(g):
    g.remove((CONDITION, SDO.name, None))


def site_without_address(g):
    g.remove((SITE, SDO.address, None))


def age_in_fortnights(g):
    g.set((URIRef(str(ELIGIBILITY) + "/minimumAge"), SDO.unitCode, Literal("FORTNIGHT")))


def citation_not_an_article(g):
    g.remove((DOI, rdflib.RDF.type, SDO.ScholarlyArticle))


def arm_without_label(g):
    g.remove((ARM, SDO.name, None))


def identifier_without_value(g):
    g.remove((URIRef(str(TRIAL) + "/identifier/org-study-id"), SDO.value, None))


def official_with_contact_role(g):
    g.set((OFFICIAL, KG.officialRole, KG.ContactPerson))


def person_with_two_names(g):
    g.add((OFFICIAL, SDO.name, Literal("Someone Else")))


def intervention_of_unknown_type(g):
    g.set((INTERVENTION, KG.interventionType, Literal("MAGIC")))


def has_results_no(g):
    g.set((TRIAL, KG.hasResults, Literal("no", datatype=XSD.boolean, normalize=False)))


def start_in_month_thirteen(g):
    g.set((TRIAL, KG.startDate, Literal("2007-13", datatype=XSD.gYearMonth, normalize=False)))


def three_phases_one_listed_with_two_others(g):
    for phase in ("Phase1", "Phase3", "Phase4"):
        g.add((TRIAL, KG.phase, KG[phase]))


def intervention_tied_to_a_mesh_term_its_record_does_not_list(g):
    g.add((INTERVENTION, KG.meshDescriptor, URIRef("http://id.nlm.nih.gov/mesh/D017239")))


def condition_tied_to_a_mesh_term_its_record_does_not_list(g):
    g.set((CONDITION, KG.meshDescriptor, URIRef("http://id.nlm.nih.gov/mesh/D001943")))


def reference_without_article(g):
    g.remove((REFERENCE, KG.article, None))


def outcome_without_measure(g):
    outcome = URIRef(str(TRIAL) + "/outcome/primary/1")
    g.add((TRIAL, KG.primaryOutcome, outcome))
    g.add((outcome, rdflib.RDF.type, KG.Outcome))


def latitude_out_of_range(g):
    site = SITE
    geo = URIRef(str(site) + "/geo")
    g.add((site, SDO.geo, geo))
    g.add((geo, rdflib.RDF.type, SDO.GeoCoordinates))
    g.add((geo, SDO.latitude, Literal("123.5", datatype=XSD.decimal)))
    g.add((geo, SDO.longitude, Literal("10.0", datatype=XSD.decimal)))


def responsible_party_of_unknown_type(g):
    g.add((URIRef(str(TRIAL) + "/responsible-party"), KG.responsiblePartyType, KG.Nobody))


def mesh_ancestor_not_a_mesh_iri(g):
    g.add((TRIAL, KG.conditionMeshAncestor, URIRef("https://example.org/not-mesh")))


def country_without_name(g):
    g.remove((URIRef("https://w3id.org/ctkg/id/country/china"), SDO.name, None))


def code_without_system(g):
    g.remove((URIRef("https://w3id.org/ctkg/id/code/mesh/D008180"), SDO.codingSystem, None))


def address_with_two_cities(g):
    g.add((ADDRESS, SDO.addressLocality, Literal("Shanghai")))


def contact_with_bad_role(g):
    g.set((SITE_CONTACT, KG.contactRole, KG.Janitor))


def periodical_without_name(g):
    g.remove((PERIODICAL, SDO.name, None))


def start_after_completion(g):
    g.set((TRIAL, KG.startDate, Literal("2030-01", datatype=XSD.gYearMonth)))


def completed_with_no_one_enrolled(g):
    g.set((TRIAL, SDO.status, SDO.Completed))
    g.set((TRIAL, KG.enrollment, Literal(0, datatype=XSD.integer)))


def phase_one_with_phase_four(g):
    g.add((TRIAL, KG.phase, KG.Phase4))


def minimum_age_above_maximum(g):
    g.set((URIRef(str(ELIGIBILITY) + "/maximumAge"), SDO.value, Literal(10, datatype=XSD.integer)))


# breakage -> (node shape, path, focus node, severity)
CASES = {
    drop_title: ("StudyShape", "schema:name", TRIAL, "Violation"),
    start_date_as_string: ("StudyDatesShape", "kg:startDate", TRIAL, "Violation"),
    doi_with_upper_case: ("PublicationShape", "", UPPER_DOI, "Violation"),
    arm_names_missing_intervention: ("ArmGroupShape", "kg:intervention", ARM, "Violation"),
    enrollment_negative: ("StudyShape", "kg:enrollment", TRIAL, "Violation"),
    phase_nine: ("StudyShape", "kg:phase", TRIAL, "Violation"),
    second_nct_id: ("StudyShape", "schema:code/schema:codeValue", TRIAL, "Violation"),
    bad_sex: ("EligibilityShape", "kg:sex", ELIGIBILITY, "Violation"),
    sponsor_without_name: ("OrganizationShape", "schema:name",
                           URIRef("https://w3id.org/ctkg/id/organization/"
                                  "national-natural-science-foundation-of-china"), "Violation"),
    condition_without_name: ("ConditionShape", "schema:name",
                             CONDITION, "Violation"),
    site_without_address: ("SiteShape", "schema:address", SITE, "Warning"),
    start_after_completion: ("StudyPlausibilityShape", "kg:startDate", TRIAL, "Warning"),
    completed_with_no_one_enrolled: ("StudyPlausibilityShape", "kg:enrollment", TRIAL, "Warning"),
    phase_one_with_phase_four: ("StudyPlausibilityShape", "kg:phase", TRIAL, "Warning"),
    minimum_age_above_maximum: ("StudyPlausibilityShape", "kg:eligibility", TRIAL, "Warning"),
    age_in_fortnights: ("AgeShape", "schema:unitCode", URIRef(str(ELIGIBILITY) + "/minimumAge"),
                        "Violation"),
    citation_not_an_article: ("StudyShape", "schema:citation", TRIAL, "Violation"),
    arm_without_label: ("ArmGroupShape", "schema:name", ARM, "Violation"),
    identifier_without_value: ("IdentifierShape", "schema:value",
                               URIRef(str(TRIAL) + "/identifier/org-study-id"), "Violation"),
    official_with_contact_role: ("OfficialShape", "kg:officialRole",
                                 OFFICIAL, "Violation"),
    person_with_two_names: ("PersonShape", "schema:name", OFFICIAL,
                            "Violation"),
    intervention_of_unknown_type: ("InterventionShape", "kg:interventionType",
                                   INTERVENTION, "Violation"),
    has_results_no: ("StudyResultsShape", "kg:hasResults", TRIAL, "Violation"),
    start_in_month_thirteen: ("StudyDatesShape", "kg:startDate", TRIAL, "Violation"),
    three_phases_one_listed_with_two_others: ("StudyPlausibilityShape", "kg:phase", TRIAL,
                                              "Warning"),
    intervention_tied_to_a_mesh_term_its_record_does_not_list: (
        "InterventionShape", "kg:meshDescriptor", INTERVENTION, "Violation"),
    condition_tied_to_a_mesh_term_its_record_does_not_list: (
        "ConditionShape", "kg:meshDescriptor", CONDITION, "Violation"),
    reference_without_article: ("ReferenceShape", "kg:article",
                                REFERENCE, "Violation"),
    outcome_without_measure: ("OutcomeShape", "schema:name",
                              URIRef(str(TRIAL) + "/outcome/primary/1"), "Violation"),
    latitude_out_of_range: ("GeoCoordinatesShape", "schema:latitude",
                            URIRef(str(SITE) + "/geo"), "Violation"),
    responsible_party_of_unknown_type: ("ResponsiblePartyShape", "kg:responsiblePartyType",
                                        URIRef(str(TRIAL) + "/responsible-party"), "Violation"),
    mesh_ancestor_not_a_mesh_iri: ("MeshConditionShape", "",
                                   URIRef("https://example.org/not-mesh"), "Violation"),
    country_without_name: ("CountryShape", "schema:name",
                           URIRef("https://w3id.org/ctkg/id/country/china"), "Violation"),
    code_without_system: ("MedicalCodeShape", "schema:codingSystem",
                          URIRef("https://w3id.org/ctkg/id/code/mesh/D008180"), "Violation"),
    address_with_two_cities: ("PostalAddressShape", "schema:addressLocality",
                              ADDRESS, "Violation"),
    periodical_without_name: ("PeriodicalShape", "schema:name", PERIODICAL, "Violation"),
    contact_with_bad_role: ("ContactShape", "kg:contactRole",
                            SITE_CONTACT, "Violation"),
}


@pytest.fixture()
def conforming(reference_record) -> rdflib.Graph:
    graph = to_rdflib(map_record(reference_record).triples)
    assert validate_graph(graph, "NCT00698191") == []
    return graph


@pytest.mark.parametrize("breakage", list(CASES), ids=lambda f: f.__name__)
def test_shape_reports_the_exact_violation(conforming, breakage):
    breakage(conforming)
    shape, path, focus, severity = CASES[breakage]
    found = {(r.shape, r.path, r.focus, r.severity) for r in validate_graph(conforming, "NCT00698191")}
    assert (shape, path, str(focus), severity) in found, found


def test_every_node_shape_has_a_case_that_breaks_it():
    names = {str(s).rsplit("#", 1)[-1] for s in shapes_graph().subjects(rdflib.RDF.type,
                                                                          rdflib.SH.NodeShape)}
    from tests.test_results_shapes import RESULTS_CASES

    broken = {case[0] for case in (*CASES.values(), *RESULTS_CASES.values())}
    broken |= {"CompletedStudyShape"}
    assert names <= broken, names - broken


def test_completed_study_without_completion_date_is_only_a_warning(conforming):
    conforming.set((TRIAL, SDO.status, SDO.Completed))
    conforming.remove((TRIAL, KG.completionDate, None))
    results = validate_graph(conforming, "NCT00698191")
    assert [(r.shape, r.severity) for r in results] == [("CompletedStudyShape", "Warning")]


def test_every_property_shape_reads_as_english():
    shapes = shapes_graph()
    for prop in shapes.objects(None, rdflib.SH.property):
        assert shapes.value(prop, rdflib.SH.name), prop
        assert shapes.value(prop, rdflib.SH.description), prop
        message = str(shapes.value(prop, rdflib.SH.message))
        assert re.match(r"^(protocol|results|document|annotation|derived)Section\.|^hasResults",
                        message), (prop, message)  # names the registry field


def test_every_shape_path_is_a_known_term():
    from kg.vocab import KG as KG_TERMS
    from kg.vocab import SDO as SDO_TERMS
    from tests.test_vocabulary import REUSED

    known = KG_TERMS.iris() | SDO_TERMS.iris() | REUSED
    shapes = shapes_graph()
    for path in shapes.objects(None, rdflib.SH.path):
        items = list(rdflib.collection.Collection(shapes, path)) if isinstance(
            path, rdflib.BNode) else [path]
        for item in items:
            assert str(item) in known, item


def test_shape_value_lists_match_the_mapping_tables():
    """sh:in lists repeat the enum tables; they must not drift apart."""
    import kg.mapping  # noqa: F401
    from kg.vocab import ENUMERATIONS

    tables = {frozenset(e.terms.values()) for e in ENUMERATIONS.values()}
    shapes = shapes_graph()
    for values in shapes.objects(None, rdflib.SH["in"]):
        members = frozenset(str(v) for v in rdflib.collection.Collection(shapes, values))
        if all(isinstance(v, URIRef) for v in rdflib.collection.Collection(shapes, values)):
            assert members in tables, sorted(members)


def test_kg_validate_exits_1_and_names_the_trial(tmp_path, conforming):
    phase_nine(conforming)
    path = tmp_path / "broken.ttl"
    conforming.serialize(path, format="turtle")
    result = CliRunner().invoke(main, ["validate", str(path), "-w", "1"])
    assert result.exit_code == 1
    assert any(line.startswith("violation: NCT00698191: StudyShape") and "kg:phase" in line
               for line in result.stdout.splitlines())
    assert "StudyShape violation: 1" in result.stderr


def test_kg_validate_on_a_file_that_is_not_rdf_exits_2(tmp_path):
    path = tmp_path / "notes.ttl"
    path.write_text("this is { not turtle")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "not valid turtle" in result.stderr


def test_kg_validate_json_and_turtle_reports(tmp_path, conforming):
    import json

    enrollment_negative(conforming)
    path = tmp_path / "broken.nt"
    conforming.serialize(path, format="nt")
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", "-w", "1"])
    assert json.loads(result.stdout)[0]["path"] == "kg:enrollment"
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "turtle", "-w", "1"])
    report = rdflib.Graph().parse(data=result.stdout, format="turtle")
    assert (None, rdflib.SH.conforms, Literal(False)) in report
    assert (None, rdflib.SH.resultPath, KG.enrollment) in report


def test_export_strict_does_not_write_invalid_trials(tmp_path, reference_record):
    import json

    reference_record = json.loads(json.dumps(reference_record))
    reference_record["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = -1
    out = tmp_path / "out.nt"
    result = CliRunner().invoke(main, ["export", "-", "-f", "ntriples", "-o", str(out), "--strict"],
                                input=json.dumps(reference_record))
    assert result.exit_code == 1
    assert "violation: NCT00698191: StudyShape" in result.stderr
    assert out.read_text() == ""


@pytest.mark.parametrize("folder", ["v2", "v2-partial"])
def test_every_shared_record_conforms(folder):
    for path in shared_records(folder):
        mapped = map_record(load_json(path))
        violations = [r.line() for r in validate_graph(to_rdflib(mapped.triples), mapped.nct_id)
                      if r.severity == "Violation"]
        assert not violations, violations
    assert shared_path("records", folder)


def test_a_site_without_address_data_has_no_empty_address_node_and_is_a_warning(reference_record):
    import copy

    record = copy.deepcopy(reference_record)
    site = record["protocolSection"]["contactsLocationsModule"]["locations"][0]
    for key in ("city", "state", "zip", "country", "countryCode"):
        site.pop(key, None)
    mapped = map_record(record)
    assert not [t for t in mapped.triples if t[0].endswith("/address")]
    results = validate_graph(to_rdflib(mapped.triples), "NCT00698191")
    assert [(r.shape, r.path, r.severity) for r in results] == [
        ("SiteShape", "schema:address", "Warning")]


def test_three_runs_of_validate_json_give_identical_bytes(tmp_path, conforming):
    phase_nine(conforming)
    phase_one_with_phase_four(conforming)
    enrollment_negative(conforming)
    path = tmp_path / "broken.ttl"
    conforming.serialize(path, format="turtle")
    import subprocess
    import sys

    # Separate processes: each has its own hash seed, which is what reordered sh:in lists.
    outputs = {subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(path), "--format",
                               "json", "-w", "1"], capture_output=True, text=True).stdout
               for _ in range(3)}
    assert len(outputs) == 1 and '"kg:phase"' in outputs.pop()
