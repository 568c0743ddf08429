"""referencesModule and ipdSharingStatementModule: publications, links and shared data.

Every reference is a ``schema:ScholarlyArticle`` linked by ``schema:citation``. The article's IRI
is the DOI IRI when the citation contains a DOI, else the PubMed IRI when it has a PMID, else a
hash of its text, so the same article cited by two trials is one node. A ``kg:Reference`` node of
the trial records how the trial cites it (background, result, derived); RESULT references are
also ``schema:about`` the trial: they report it.
"""

from __future__ import annotations

from collections.abc import Iterator

from kg.ids import citation_iri
from kg.mapping.articles import citation_triples, identifier_triples, is_pmid, pubmed_iri
from kg.mapping.context import MappingContext
from kg.mapping.fields import TEXT, URL, field_triples, module, objects, strings
from kg.publications.citation import parse_citation
from kg.publications.doi import doi_iri, find_doi
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import KG, SDO, Enumeration, kg_members

PATH = "protocolSection.referencesModule"
IPD_PATH = "protocolSection.ipdSharingStatementModule"

REFERENCE_TYPE = Enumeration(
    "ReferenceType",
    kg_members(BACKGROUND="BackgroundReference", RESULT="ResultReference",
               DERIVED="DerivedReference"),
    kg_class="ReferenceType",
)
IPD_SHARING = Enumeration(
    "IpdSharing", kg_members(YES="IpdShared", NO="IpdNotShared", UNDECIDED="IpdUndecided"),
    kg_class="IpdSharing",
)
IPD_INFO_TYPE = Enumeration(
    "IpdSharingInfoType",
    kg_members(STUDY_PROTOCOL="IpdStudyProtocol", SAP="IpdStatisticalAnalysisPlan",
               ICF="IpdInformedConsentForm", CSR="IpdClinicalStudyReport",
               ANALYTIC_CODE="IpdAnalyticCode"),
    kg_class="IpdInfoType",
)

SEE_ALSO_FIELDS = (("label", SDO.name, TEXT), ("url", SDO.url, URL))
AVAIL_IPD_FIELDS = (
    ("id", SDO.identifier, TEXT),
    ("type", KG.ipdDocumentType, TEXT),
    ("url", SDO.url, URL),
    ("comment", KG.ipdComment, TEXT),
)
IPD_FIELDS = (
    ("description", KG.ipdDescription, TEXT),
    ("timeFrame", KG.ipdTimeFrame, TEXT),
    ("accessCriteria", KG.ipdAccessCriteria, TEXT),
    ("url", KG.ipdUrl, URL),
)


def article_iri(ctx: MappingContext, citation: str, pmid: str | None) -> str:
    doi = find_doi(citation)
    iri = doi_iri(doi) if doi else None
    if iri:
        return iri
    if pmid:
        return pubmed_iri(pmid)
    return citation_iri(ctx.base, citation)


def map_references(record: dict, ctx: MappingContext) -> Iterator[Triple]:
    references = module(record, "protocolSection", "referencesModule")
    trial = ctx.trial
    for number, reference in objects(ctx, references, "references", PATH):
        path = f"{PATH}.references[{number - 1}]"
        citation = reference.get("citation") if isinstance(reference.get("citation"), str) else ""
        pmid = reference.get("pmid")
        pmid = pmid.strip() if is_pmid(pmid) else None
        if reference.get("pmid") is not None and pmid is None:
            ctx.warn(f"{path}.pmid", f"not a PubMed id: {reference['pmid']!r}")
        if not citation.strip() and not pmid:
            ctx.warn(path, "reference with neither citation nor PMID, skipped")
            continue
        doi = find_doi(citation)
        article = article_iri(ctx, citation, pmid)
        yield trial, SDO.citation, article
        yield article, RDF_TYPE, SDO.ScholarlyArticle
        if citation.strip():
            yield article, KG.citationText, text(citation)
            yield from citation_triples(ctx.base, article, parse_citation(citation))
        if doi:
            yield from identifier_triples(ctx.base, article, "DOI", doi)
        if pmid:
            yield article, KG.pubmedId, text(pmid)
            yield article, SDO.sameAs, pubmed_iri(pmid)
            yield from identifier_triples(ctx.base, article, "PMID", pmid)
        # The reference type is the trial's view of the article (background for one trial,
        # results of another), so it sits on a node for this trial's reference.
        node = ctx.keyed("reference", article.removeprefix("https://").removeprefix("doi.org/"))
        yield trial, KG.reference, node
        yield node, RDF_TYPE, KG.Reference
        yield node, KG.article, article
        if reference.get("type") is not None:
            yield node, KG.referenceType, ctx.term(REFERENCE_TYPE, reference["type"],
                                                   f"{path}.type")
            if reference["type"] == "RESULT":
                yield article, SDO.about, trial
        for r, retraction in objects(ctx, reference, "retractions", path):
            if retraction.get("pmid") is not None and not is_pmid(retraction["pmid"]):
                ctx.warn(f"{path}.retractions[{r - 1}].pmid",
                         f"not a PubMed id: {retraction['pmid']!r}; left out")
            elif retraction.get("pmid") is not None:
                node = pubmed_iri(retraction["pmid"])
                yield article, KG.retraction, node
                if isinstance(retraction.get("source"), str):
                    yield node, KG.retractionSource, text(retraction["source"])
    for number, link in objects(ctx, references, "seeAlsoLinks", PATH):
        node = ctx.child("see-also", number)
        yield trial, KG.seeAlso, node
        yield node, RDF_TYPE, SDO.WebPage
        yield from field_triples(ctx, node, link, SEE_ALSO_FIELDS,
                                 f"{PATH}.seeAlsoLinks[{number - 1}]")
    for number, ipd in objects(ctx, references, "availIpds", PATH):
        node = ctx.child("available-ipd", number)
        yield trial, KG.availableIpd, node
        yield node, RDF_TYPE, SDO.WebPage
        yield from field_triples(ctx, node, ipd, AVAIL_IPD_FIELDS, f"{PATH}.availIpds[{number - 1}]")

    ipd = module(record, "protocolSection", "ipdSharingStatementModule")
    if ipd.get("ipdSharing") is not None:
        yield trial, KG.ipdSharing, ctx.term(IPD_SHARING, ipd["ipdSharing"], f"{IPD_PATH}.ipdSharing")
    for info in strings(ctx, ipd, "infoTypes", IPD_PATH):
        yield trial, KG.ipdInfoType, ctx.term(IPD_INFO_TYPE, info, f"{IPD_PATH}.infoTypes")
    yield from field_triples(ctx, trial, ipd, IPD_FIELDS, IPD_PATH)
