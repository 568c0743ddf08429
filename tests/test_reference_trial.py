"""Every fact on the reference trial's registry page is in the graph, each by its own query.

The page is ``../shared/seed/NCT00698191.page.txt``; the record is bundled as
``examples/NCT00698191.json``. Queries run on the Turtle that ``kg export`` writes.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import rdflib

from tests.conftest import EXAMPLE

PREFIXES = """
PREFIX schema: <https://schema.org/>
PREFIX kg: <https://w3id.org/ctkg/vocab#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX mesh: <http://id.nlm.nih.gov/mesh/>
"""
TRIAL = "<https://w3id.org/ctkg/id/trial/NCT00698191>"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> rdflib.Graph:
    out = tmp_path_factory.mktemp("export")
    subprocess.run([sys.executable, "-m", "kg.cli", "export", str(EXAMPLE), "-o", str(out),
                    "-f", "turtle", "-q"], check=True)
    return rdflib.Graph().parse(out / "NCT00698191.ttl")


def ask(graph: rdflib.Graph, body: str) -> bool:
    return bool(graph.query(PREFIXES + f"ASK {{ {body} }}").askAnswer)


FACTS = {
    "title": f'{TRIAL} schema:name "Mesenchymal Stem Cells Transplantation for Refractory '
             f'Systemic Lupus Erythematosus (SLE)" .',
    "nct_id": f'{TRIAL} schema:identifier [ schema:propertyID "NCT" ; schema:value "NCT00698191" ] ;'
              f' schema:code [ a schema:MedicalCode ; schema:codeValue "NCT00698191" ;'
              f' schema:codingSystem "ClinicalTrials.gov" ] .',
    "registry_url": f"{TRIAL} schema:url <https://clinicaltrials.gov/study/NCT00698191> .",
    "status_unknown": f"{TRIAL} schema:status kg:StatusUnknown .",
    "phases": f"{TRIAL} kg:phase kg:Phase1, kg:Phase2 .",
    "enrollment_20": f"{TRIAL} kg:enrollment 20 ; kg:enrollmentType kg:Estimated .",
    "interventional": f"{TRIAL} a schema:MedicalTrial, schema:MedicalStudy ;"
                      f" kg:studyType kg:Interventional .",
    "start_month_only": f'{TRIAL} kg:startDate "2007-03"^^xsd:gYearMonth .',
    "completion_estimated": f'{TRIAL} kg:completionDate "2012-12"^^xsd:gYearMonth ;'
                            f" kg:completionDateType kg:Estimated .",
    "last_updated": f'{TRIAL} kg:lastUpdatePostDate "2008-06-17"^^xsd:date .',
    "summary": f'{TRIAL} schema:description ?d . FILTER(STRSTARTS(?d, "The stated hypothesis"))',
    "condition": f'{TRIAL} schema:healthCondition [ a schema:MedicalCondition ;'
                 f' schema:name "Systemic Lupus Erythematosus" ] .',
    "mesh_condition": f'{TRIAL} schema:healthCondition mesh:D008180 . mesh:D008180 schema:code'
                      f' [ schema:codeValue "D008180" ; schema:codingSystem "MeSH" ] .',
    "design": f"{TRIAL} kg:allocation kg:NonRandomized ;"
              f" kg:interventionModel kg:SingleGroupAssignment ;"
              f" kg:primaryPurpose kg:PurposeTreatment ; kg:masking kg:MaskingNone ;"
              f" schema:trialDesign schema:OpenTrial, schema:SingleCenterTrial .",
    "arm_and_intervention": f'{TRIAL} kg:armGroup ?arm . ?arm schema:name "1" ;'
                            f" kg:intervention ?i . {TRIAL} schema:studySubject ?i ."
                            f' ?i a schema:Drug ; schema:name "Allogeneic MSC (AlloMSC)" ;'
                            f" kg:interventionType kg:InterventionBiological ;"
                            f" schema:description ?desc ."
                            f' FILTER(CONTAINS(?desc, "Cyclophosphamide"))',
    "criteria": f"{TRIAL} kg:eligibility ?e . ?e kg:inclusionCriteria ?inc ;"
                f" kg:exclusionCriteria ?exc ."
                f' FILTER(CONTAINS(?inc, "Lupus nephritis") && CONTAINS(?exc, "End-stage renal"))',
    "ages_15_70": f"{TRIAL} kg:eligibility ?e . ?e kg:minimumAge [ schema:value 15 ;"
                  f' schema:unitCode "ANN" ] ; kg:maximumAge [ schema:value 70 ;'
                  f' schema:unitCode "ANN" ] ; schema:requiredMinAge 15 ; schema:requiredMaxAge 70 .',
    "sex_all": f"{TRIAL} kg:eligibility/kg:sex kg:SexAll .",
    "no_healthy_volunteers": f"{TRIAL} kg:eligibility/kg:healthyVolunteers false .",
    "lead_sponsor": f"{TRIAL} schema:sponsor ?s ; kg:leadSponsor ?s . ?s a schema:Organization ;"
                    f' schema:name "National Natural Science Foundation of China" ;'
                    f" kg:agencyClass kg:AgencyOtherGovernment .",
    "collaborator": f'{TRIAL} kg:collaborator ?c . ?c schema:name "Nanjing Medical University" ;'
                    f" kg:agencyClass kg:AgencyOther .",
    "responsible_party": f"{TRIAL} kg:responsibleParty/kg:responsibleOrganization/schema:name"
                         f' "Nanjing University Medical College Affiliated Drum Tower Hospital" .',
    "study_director": f"{TRIAL} kg:overallOfficial ?p . ?p a schema:Person ;"
                      f' schema:name "Lingyun Sun, M.D." ; kg:officialRole kg:StudyDirector ;'
                      f" schema:affiliation/schema:name"
                      f' "Nanjing University Medical College Affiliated Drum Tower Hospital" .',
    "site_in_nanjing": f"{TRIAL} kg:site ?site . ?site a schema:Place, schema:Hospital ;"
                       f" schema:address [ schema:addressLocality \"Nanjing\" ;"
                       f' schema:addressRegion "Jiangsu" ; schema:addressCountry "China" ] ;'
                       f' kg:contact [ schema:name "Sun Lingyun, MD" ;'
                       f" kg:contactRole kg:ContactPerson ] .",
    "country": f'{TRIAL} schema:studyLocation [ a schema:Country ; schema:name "China" ] .',
    "org_study_id": f'{TRIAL} schema:identifier [ schema:propertyID "org_study_id" ;'
                    f' schema:value "NSFC30772014" ] .',
}
PUBLICATIONS = [
    "https://doi.org/10.1080/08820130801973328",
    "https://doi.org/10.1016/j.cellimm.2007.10.004",
    "https://doi.org/10.1177/0961203306075793",
    "https://doi.org/10.1186/s13287-018-1053-4",
]


@pytest.mark.parametrize("fact", sorted(FACTS))
def test_registry_page_fact_is_in_graph(exported, fact):
    assert ask(exported, FACTS[fact]), f"missing from the graph: {fact}"


@pytest.mark.parametrize("doi_iri", PUBLICATIONS)
def test_publication_is_an_article_cited_by_its_doi_iri(exported, doi_iri):
    assert ask(exported, f"{TRIAL} schema:citation <{doi_iri}> . <{doi_iri}> a schema:ScholarlyArticle ;"
                         " kg:citationText ?text .")


def test_derived_reference_keeps_its_type(exported):
    assert ask(exported, f"{TRIAL} kg:reference [ kg:article"
                         " <https://doi.org/10.1186/s13287-018-1053-4> ;"
                         " kg:referenceType kg:DerivedReference ] .")


def test_a_query_for_a_missing_fact_finds_nothing(exported):
    """The fact queries can fail: the same shape with a wrong value is not in the graph."""
    assert not ask(exported, f"{TRIAL} kg:enrollment 21 .")
    assert not ask(exported, f"{TRIAL} kg:phase kg:Phase3 .")
