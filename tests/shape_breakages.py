"""The reference trial's graph broken the way real data breaks, each breakage with the result
the shapes must give for it (used by the shape tests and by the engines' agreement)."""

from __future__ import annotations

import rdflib
from rdflib import XSD, Literal, URIRef

from kg.mapping import map_record
from kg.rdf import to_rdflib
from tests.conftest import EXAMPLE, load_json

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


LUPUS_MAPPING = URIRef(str(CONDITION) + "/mapping/MONDO-0007915")


def link_evidence_without_what_it_rests_on(g):
    g.remove((LUPUS_MAPPING, KG.evidence, None))


# breakage -> (node shape, path, focus node, severity)
NCT_ID_NODE = URIRef("https://w3id.org/ctkg/id/trial-id/nct/NCT00698191")
STATEMENT = URIRef(str(TRIAL) + "/same-trial/eudract/2007-000001-11")
STATE = URIRef(str(TRIAL) + "/member-state/DE")


def trial_id_with_two_values(g):
    g.add((NCT_ID_NODE, SDO.value, Literal("NCT00000001")))


def same_trial_statement_without_its_field(g):
    """A statement that the trial is registered elsewhere, not saying which field says so."""
    other = URIRef("https://w3id.org/ctkg/id/trial-id/eudract/2007-000001-11")
    g.add((TRIAL, KG.sameTrialAs, other))
    g.add((other, rdflib.RDF.type, KG.TrialIdentifier))
    g.add((other, rdflib.RDF.type, SDO.PropertyValue))
    g.add((other, SDO.propertyID, Literal("EudraCT")))
    g.add((other, SDO.value, Literal("2007-000001-11")))
    g.add((STATEMENT, rdflib.RDF.type, KG.SameTrialStatement))
    g.add((STATEMENT, KG.statedBy, TRIAL))
    g.add((STATEMENT, KG.trialId, other))


def member_state_decision_dated_as_text(g):
    germany = URIRef("https://w3id.org/ctkg/id/country/germany")
    g.add((TRIAL, KG.memberStateDecision, STATE))
    g.add((STATE, rdflib.RDF.type, KG.MemberStateDecision))
    g.add((STATE, KG.memberState, germany))
    g.add((germany, rdflib.RDF.type, SDO.Country))
    g.add((germany, SDO.name, Literal("Germany")))
    g.add((STATE, KG.decisionDate, Literal("DE:2023-11-17")))


CASES = {
    trial_id_with_two_values: ("TrialIdentifierShape", "schema:value", NCT_ID_NODE, "Violation"),
    same_trial_statement_without_its_field: ("SameTrialStatementShape", "kg:statedField",
                                             STATEMENT, "Violation"),
    member_state_decision_dated_as_text: ("MemberStateDecisionShape", "kg:decisionDate", STATE,
                                          "Violation"),
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
    link_evidence_without_what_it_rests_on: ("GroundingMappingShape", "kg:evidence",
                                             LUPUS_MAPPING, "Violation"),
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
