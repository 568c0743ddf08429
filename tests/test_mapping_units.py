"""Small behaviours of the mapping pinned one by one."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.dates import partial_date
from kg.errors import RecordError
from kg.ids import organization_iri, slug
from kg.mapping import map_record
from kg.mapping.eligibility import split_criteria
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


def test_a_module_that_is_not_an_object_is_an_error_not_a_crash(reference_record):
    record = copy.deepcopy(reference_record)
    record["protocolSection"]["statusModule"] = ["not", "an", "object"]
    mapped = map_record(record)
    assert [p.field for p in mapped.problems if p.severity == "error"] == [
        "protocolSection.statusModule"]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_json_in_any_field_maps_or_fails_with_a_record_error(reference_record, data):
    """Whatever shape a field has, the mapping reports it; it never crashes."""
    record = copy.deepcopy(reference_record)
    protocol = record["protocolSection"]
    name = data.draw(st.sampled_from(sorted(protocol)))
    keys = sorted(protocol[name]) + ["nonsense"]
    for key in data.draw(st.lists(st.sampled_from(keys), min_size=1, max_size=3)):
        if (name, key) != ("identificationModule", "nctId"):
            protocol[name][key] = data.draw(JSON)
    mapped = map_record(record)
    assert mapped.triples


NESTED = [("armsInterventionsModule", "armGroups"), ("armsInterventionsModule", "interventions"),
          ("contactsLocationsModule", "locations"), ("contactsLocationsModule", "overallOfficials"),
          ("referencesModule", "references"), ("sponsorCollaboratorsModule", "collaborators")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_json_inside_list_items_maps_without_crashing(reference_record, data):
    record = copy.deepcopy(reference_record)
    name, key = data.draw(st.sampled_from(NESTED))
    module = record["protocolSection"][name]
    items = module.setdefault(key, [{}])
    item = items[0] if items else {}
    fields = sorted(item) + ["contacts", "geoPoint", "retractions", "type", "class"]
    for field in data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3)):
        item[field] = data.draw(JSON)
    module[key] = [item] + items[1:]
    assert map_record(record).triples


def test_organisation_names_of_punctuation_only_stay_apart():
    from kg.ids import organization_iri

    names = ["!!!", "***", "?", "..."]
    iris = {organization_iri("https://w3id.org/ctkg/id/", n) for n in names}
    assert len(iris) == len(names)
    assert organization_iri("https://w3id.org/ctkg/id/", "!!!") == \
        organization_iri("https://w3id.org/ctkg/id/", "!!!")
