"""Citations: the reference trial's four articles parsed from their text, and the DOI finder
held to its promises by property-based tests."""

from __future__ import annotations

import re

import pytest
import rdflib
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.mapping import map_record
from kg.publications.citation import page_range, parse_citation
from kg.publications.doi import doi_iri, find_doi
from kg.rdf import to_rdflib
from tests.conftest import load_json, shared_records

# DOI IRI -> (authors in order, title start, journal, date, volume, issue, pages)
REFERENCE_ARTICLES = {
    "https://doi.org/10.1080/08820130801973328": (
        ["Jiang B", "Sun L", "Hao S", "Li X", "Xu Y", "Hou Y"], "Estrogen modulates bone marrow",
        "Immunol Invest", "2008", "37", "3", ("227-43", "227", "243")),
    "https://doi.org/10.1016/j.cellimm.2007.10.004": (
        ["Jiang B", "Sun L", "Hao S", "Li X", "Hou Y"], "Estrogen distinctively modulates",
        "Cell Immunol", "2007-08", "248", "2", ("95-102", "95", "102")),
    "https://doi.org/10.1177/0961203306075793": (
        ["Sun LY", "Zhang HY", "Feng XB", "Hou YY", "Lu LW", "Fan LM"], "Abnormality of bone",
        "Lupus", "2007", "16", "2", ("121-8", "121", "128")),
    "https://doi.org/10.1186/s13287-018-1053-4": (
        ["Liang J", "Zhang H", "Kong W", "Deng W", "Wang D", "Feng X", "Zhao C", "Hua B",
         "Wang H", "Sun L"], "Safety analysis in patients", "Stem Cell Res Ther", "2018-11-14",
        "9", "1", ("312", "312", None)),
}
S = rdflib.Namespace("https://schema.org/")
KG = rdflib.Namespace("https://w3id.org/ctkg/vocab#")


@pytest.mark.parametrize("iri", sorted(REFERENCE_ARTICLES))
def test_reference_trial_article_is_parsed_from_its_citation(reference_graph, iri, ):
    authors, title, journal, date, volume, issue, pages = REFERENCE_ARTICLES[iri]
    graph, article = reference_graph, rdflib.URIRef(iri)
    people = sorted(graph.objects(article, S.author), key=lambda p: int(graph.value(p, KG.authorPosition)))
    assert [str(graph.value(p, S.name)) for p in people] == authors
    assert str(graph.value(article, S.name)).startswith(title)
    assert str(graph.value(article, S.datePublished)) == date
    issue_node = graph.value(article, S.isPartOf)
    assert str(graph.value(issue_node, S.issueNumber)) == issue
    volume_node = graph.value(issue_node, S.isPartOf)
    assert str(graph.value(volume_node, S.volumeNumber)) == volume
    assert str(graph.value(graph.value(volume_node, S.isPartOf), S.name)) == journal
    found = tuple(None if graph.value(article, p) is None else str(graph.value(article, p))
                  for p in (S.pagination, S.pageStart, S.pageEnd))
    assert found == pages
    doi = iri.removeprefix("https://doi.org/")
    assert (None, S.value, rdflib.Literal(doi)) in graph


def test_epub_date_is_kept_by_its_precision():
    citation = parse_citation("Jiang B. T. Cell Immunol. 2007 Aug;248(2):95-102. "
                              "doi: 10.1016/j.cellimm.2007.10.004. Epub 2007 Dec 3.")
    assert citation.epub_date == "2007-12-03"


def test_truncated_citation_gives_nothing_rather_than_a_guess():
    assert parse_citation("Ostergaard L, Silfverdal SA...").authors == []
    assert parse_citation("Ostergaard L, Silfverdal SA...").title is None


def test_group_author_and_erratum_note_are_left_out():
    citation = parse_citation(
        "Lewis JD, Herfarth H; DINE-CD Study Group. A Randomized Trial. Gastroenterology. "
        "2021 Sep;161(3):837-852.e9. doi: 10.1053/j.gastro.2021.05.047. Epub 2021 May 27. "
        "Erratum In: Gastroenterology. 2022 Nov;163(5):1473.")
    assert [a.family for a in citation.authors] == ["Lewis", "Herfarth"]
    assert (citation.journal, citation.date, citation.pagination) == (
        "Gastroenterology", "2021-09", "837-852.e9")


@pytest.mark.parametrize("pages, expected", [("227-43", ("227", "243")), ("1267-1270", ("1267", "1270")),
                                             ("e33693", ("e33693", None)), ("95-102", ("95", "102"))])
def test_abbreviated_last_page_is_expanded(pages, expected):
    assert page_range(pages) == expected


def test_same_article_cited_by_two_trials_is_one_node(reference_record):
    import copy

    other = copy.deepcopy(reference_record)
    other["protocolSection"]["identificationModule"]["nctId"] = "NCT00000002"
    graph = to_rdflib(map_record(reference_record).triples + map_record(other).triples)
    articles = set(graph.subjects(rdflib.RDF.type, S.ScholarlyArticle))
    assert len(articles) == 4
    assert len(set(graph.subjects(S.citation, rdflib.URIRef(sorted(REFERENCE_ARTICLES)[0])))) == 2


def test_reference_counts_over_the_shared_records():
    """The README's figures: references with a DOI, a PMID, both, neither; parsed shares."""
    counts = {"doi": 0, "pmid": 0, "both": 0, "neither": 0, "parsed": 0, "total": 0}
    for path in shared_records("v2", "v2-partial"):
        references = load_json(path)["protocolSection"].get("referencesModule", {})
        for ref in references.get("references", []):
            has_doi, has_pmid = bool(find_doi(ref["citation"])), bool(ref.get("pmid"))
            key = "both" if has_doi and has_pmid else "doi" if has_doi else \
                "pmid" if has_pmid else "neither"
            counts[key] += 1
            citation = parse_citation(ref["citation"])
            counts["parsed"] += bool(citation.title and citation.journal and citation.date)
            counts["total"] += 1
    assert counts == {"doi": 0, "pmid": 12, "both": 21, "neither": 3, "parsed": 25, "total": 36}


DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")


@settings(max_examples=400)
@given(st.text())
def test_doi_finder_never_crashes_and_never_returns_a_non_doi(text):
    doi = find_doi(text)
    assert doi is None or (DOI_SHAPE.match(doi) and doi == doi.lower())


@settings(max_examples=300)
@given(prefix=st.integers(1000, 999999999),
       suffix=st.text(st.characters(min_codepoint=33, max_codepoint=126,
                                    blacklist_characters='"<>.,;:\')]'), min_size=1, max_size=30),
       before=st.sampled_from(["doi: ", "doi:", "https://doi.org/", "http://dx.doi.org/", " "]),
       after=st.sampled_from([".", "", ". Epub 2020 Jan 1.", " PMID: 123", ";"]))
def test_doi_in_a_citation_is_found_whatever_surrounds_it(prefix, suffix, before, after):
    doi = f"10.{prefix}/{suffix}"
    if "%" in suffix:
        return
    assert find_doi(f"Some J. A title. J. 2020;1:2. {before}{doi}{after}") == doi.lower()


@given(st.text(min_size=1))
def test_doi_iri_is_always_a_legal_iri(suffix):
    iri = doi_iri(f"10.1000/{suffix}".lower())
    assert iri.startswith("https://doi.org/10.1000/")
    assert not re.search(r'[\x00-\x20<>"{}|\\^`]', iri)
