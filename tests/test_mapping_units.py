"""Small behaviours of the mapping pinned one by one."""

from __future__ import annotations

import copy

import pytest

from kg.errors import RecordError
from kg.mapping import map_record
from kg.mapping.dates import partial_date
from kg.mapping.eligibility import split_criteria
from kg.mapping.ids import organization_iri, slug
from kg.publications.doi import doi_iri, find_doi
from kg.rdf import XSD_DATE, XSD_GYEAR, XSD_GYEARMONTH

BASE = "https://example.org/"


def test_month_only_start_date_is_gYearMonth():
    assert partial_date("2007-03").datatype == XSD_GYEARMONTH


def test_year_only_date_is_gYear_and_full_date_is_date():
    assert partial_date("2007").datatype == XSD_GYEAR
    assert partial_date("2007-03-31").datatype == XSD_DATE


@pytest.mark.parametrize("bad", ["2007-13", "2007-02-30", "March 2007", "07-03", "", "2007/03"])
def test_impossible_or_misshapen_dates_are_rejected(bad):
    assert partial_date(bad) is None


def test_organisation_iri_ignores_case_and_punctuation():
    assert organization_iri(BASE, "Pfizer, Inc.") == organization_iri(BASE, "PFIZER INC")


def test_non_latin_names_get_distinct_stable_slugs():
    assert slug("北京大学") != slug("复旦大学")
    assert slug("北京大学") == slug("北京大学")


@pytest.mark.parametrize("citation, doi", [
    ("Lupus. 2007;16(2):121-8. doi: 10.1177/0961203306075793.", "10.1177/0961203306075793"),
    ("Cell Immunol. 2007. doi:10.1016/J.CELLIMM.2007.10.004. Epub 2007 Dec 3.",
     "10.1016/j.cellimm.2007.10.004"),
    ("See https://doi.org/10.1000/XYZ123", "10.1000/xyz123"),
    ("http://dx.doi.org/10.1038/nature12373.", "10.1038/nature12373"),
    ("Cancer. doi: 10.1002/(SICI)1097-0142(19990101)85:1<1::AID-CNCR1>3.0.CO;2-1.",
     "10.1002/(sici)1097-0142(19990101)85:1<1::aid-cncr1>3.0.co;2-1"),
    ("(doi: 10.1000/abc)", "10.1000/abc"),
    ("https://doi.org/10.1000%2Fencoded", "10.1000/encoded"),
    ("No identifier here. 2001;3:4-5.", None),
])
def test_doi_is_found_and_lower_cased(citation, doi):
    assert find_doi(citation) == doi


def test_doi_iri_encodes_only_what_an_iri_cannot_hold():
    assert doi_iri("10.1002/(sici)1097<1::aid>") == "https://doi.org/10.1002/(sici)1097%3C1::aid%3E"


def test_criteria_split_into_inclusion_and_exclusion():
    inclusion, exclusion = split_criteria("Inclusion Criteria:\n\n* a\n\nExclusion Criteria:\n\n* b")
    assert (inclusion, exclusion) == ("* a", "* b")


def test_record_without_nct_id_is_a_record_error(reference_record):
    record = copy.deepcopy(reference_record)
    del record["protocolSection"]["identificationModule"]["nctId"]
    with pytest.raises(RecordError) as error:
        map_record(record, origin="x.json")
    assert error.value.line() == ("x.json: protocolSection.identificationModule.nctId: "
                                  "study without an NCT id")


def test_record_with_no_modules_but_an_id_still_maps():
    mapped = map_record({"protocolSection": {"identificationModule": {"nctId": "NCT01234567"}}})
    assert (mapped.trial, "https://schema.org/url",
            "https://clinicaltrials.gov/study/NCT01234567") in mapped.triples


def test_base_iri_is_configurable(reference_record):
    assert map_record(reference_record, base=BASE).trial == BASE + "trial/NCT00698191"


def test_placebo_arm_and_sites_in_two_countries_make_the_trial_design(reference_record):
    record = copy.deepcopy(reference_record)
    record["protocolSection"]["armsInterventionsModule"]["armGroups"][0]["type"] = \
        "PLACEBO_COMPARATOR"
    locations = record["protocolSection"]["contactsLocationsModule"]["locations"]
    locations.append({"facility": "Other", "city": "Paris", "country": "France"})
    designs = {o for _, p, o in map_record(record).triples if p == "https://schema.org/trialDesign"}
    assert {"https://schema.org/PlaceboControlledTrial", "https://schema.org/MultiCenterTrial",
            "https://schema.org/InternationalTrial"} <= designs


def test_arm_naming_a_missing_intervention_is_a_warning_and_keeps_the_name(reference_record):
    record = copy.deepcopy(reference_record)
    record["protocolSection"]["armsInterventionsModule"]["armGroups"][0]["interventionNames"] = \
        ["Drug: Nothing"]
    mapped = map_record(record)
    assert any("names no intervention" in p.message for p in mapped.problems)
    assert any(o == ("Drug: Nothing",) + o[1:] for _, _, o in mapped.triples if not isinstance(o, str))
