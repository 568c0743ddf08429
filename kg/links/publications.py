"""Enrichment: what Crossref, DataCite (through DOI content negotiation) and NCBI know about
the articles a graph cites, added to the graph.

Enriched values never overwrite what the registry says; they only add: a title, authors (with
ORCID IRIs), dates or pages where the citation gave none, and always the ISSN, publisher,
licence and abstract when known. A DOI that resolves nowhere stays in the graph with a warning.
This is an I/O edge: it runs after the pure mapping, through one :class:`~kg.http.HttpClient`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import quote, unquote

from kg import __version__
from kg.dates import date_from_parts, partial_date
from kg.http import HttpClient, HttpError
from kg.ids import organization_iri
from kg.iri import web_iri
from kg.mapping.articles import (
    author_iri,
    author_triples,
    container_triples,
    identifier_triples,
)
from kg.publications.doi import doi_iri, normalise_doi
from kg.rdf import RDF_TYPE, Triple, text
from kg.vocab import DOI_NS, KG, SDO

CROSSREF_URL = "https://api.crossref.org"
DOI_URL = "https://doi.org"
# E-utilities know every PubMed record; the PMC ID converter knows only articles in PMC.
EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/esummary.fcgi"
CSL_JSON = "application/vnd.citationstyles.csl+json"
EUTILS_BATCH = 200


class Person(NamedTuple):
    given: str | None
    family: str
    orcid: str | None


class Work(NamedTuple):
    """The metadata enrichment uses, whichever service it came from."""

    title: str | None
    authors: list[Person]
    journal: str | None
    issns: list[str]
    volume: str | None
    issue: str | None
    page: str | None
    publisher: str | None
    license: str | None
    abstract: str | None
    issued: str | None  # yyyy, yyyy-MM or yyyy-MM-dd
    problems: tuple[str, ...] = ()  # fields left out because they were not of their kind


class _Fields:
    """A service's fields read as the kinds they should be; a field of another shape (a list
    where a string belongs, an object where a list does) is left out and noted, so one odd
    field costs that field, never the article or its trial."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def text(self, value, name: str) -> str | None:
        """A string, or the first of a list of strings."""
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None or value == "":
            return None
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value).strip() or None
        self.problems.append(f"{name} is a {type(value).__name__}, not text; left out")
        return None

    def texts(self, value, name: str) -> list[str]:
        """A list of strings; a lone string is a list of one."""
        if value is None:
            return []
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list):
            self.problems.append(f"{name} is a {type(value).__name__}, not a list; left out")
            return []
        found = [v.strip() for v in values if isinstance(v, str) and v.strip()]
        if len(found) != len(values):
            self.problems.append(f"{name} holds values that are not text; those left out")
        return found

    def people(self, authors) -> list[Person]:
        people = []
        for author in authors if isinstance(authors, list) else []:
            if not isinstance(author, dict) or author.get("family") is None:
                continue
            family = self.text(author.get("family"), "author.family")
            given = self.text(author.get("given"), "author.given")
            orcid = self.text(author.get("ORCID"), "author.ORCID")
            if family:
                people.append(Person(given, family, _orcid(orcid)))
        return people


def _date(parts: dict | None) -> str | None:
    try:
        numbers = [p for p in (parts or {}).get("date-parts", [[]])[0] if p is not None]
    except (TypeError, IndexError, AttributeError):
        return None
    return date_from_parts(*numbers[:3]) if numbers else None


def _orcid(value: str | None) -> str | None:
    match = re.search(r"([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X])", value or "")
    return f"https://orcid.org/{match.group(1)}" if match else None


def _plain(abstract: str | None) -> str | None:
    """JATS abstracts as plain text."""
    if not abstract:
        return None
    return " ".join(re.sub(r"<[^>]+>", " ", abstract).split()) or None


def work_from_crossref(message: dict) -> Work:
    read = _Fields()
    licenses = message.get("license") if isinstance(message.get("license"), list) else []
    return Work(
        title=read.text(message.get("title"), "title"),
        authors=read.people(message.get("author")),
        journal=read.text(message.get("container-title"), "container-title"),
        issns=sorted(set(read.texts(message.get("ISSN"), "ISSN"))),
        volume=read.text(message.get("volume"), "volume"),
        issue=read.text(message.get("issue"), "issue"),
        page=read.text(message.get("page"), "page")
        or read.text(message.get("article-number"), "article-number"),
        publisher=read.text(message.get("publisher"), "publisher"),
        license=read.text([lic.get("URL") for lic in licenses if isinstance(lic, dict)],
                          "license.URL"),
        abstract=_plain(read.text(message.get("abstract"), "abstract")),
        issued=_date(message.get("issued")),
        problems=tuple(read.problems),
    )


def work_from_csl(csl: dict) -> Work:
    """CSL-JSON, as DOI content negotiation returns it for DataCite and other agencies."""
    read = _Fields()
    return Work(
        title=read.text(csl.get("title"), "title"),
        authors=read.people(csl.get("author")),
        journal=read.text(csl.get("container-title"), "container-title"),
        issns=sorted(set(read.texts(csl.get("ISSN"), "ISSN"))),
        volume=read.text(csl.get("volume"), "volume"),
        issue=read.text(csl.get("issue"), "issue"),
        page=read.text(csl.get("page"), "page"),
        publisher=read.text(csl.get("publisher"), "publisher"),
        license=read.text(csl.get("license"), "license"),
        abstract=_plain(read.text(csl.get("abstract"), "abstract")),
        issued=_date(csl.get("issued")),
        problems=tuple(read.problems),
    )


def _folded(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()


class Enricher:
    def __init__(self, client: HttpClient, base: str, mailto: str | None = None,
                 crossref_url: str = CROSSREF_URL, doi_url: str = DOI_URL,
                 eutils_url: str = EUTILS_URL):
        self.client = client
        self.base = base
        self.mailto = mailto
        self.crossref_url = crossref_url.rstrip("/")
        self.doi_url = doi_url.rstrip("/")
        self.eutils_url = eutils_url
        if mailto:
            client.session.headers["User-Agent"] = (
                f"kg/{__version__} (clinical-trial knowledge graph; mailto:{mailto})")

    def fetch(self, doi: str) -> tuple[Work | None, str | None]:
        """Crossref first, then DOI content negotiation; (work, None) or (None, warning)."""
        params = {"mailto": self.mailto} if self.mailto else None
        try:
            answer = self.client.get(f"{self.crossref_url}/works/{quote(doi, safe='/()')}",
                                     params=params)
            if answer.status == 200:
                return work_from_crossref(answer.json()["message"]), None
            if answer.status != 404:
                return None, f"Crossref answered HTTP {answer.status} for {doi}"
            answer = self.client.get(f"{self.doi_url}/{quote(doi, safe='/()')}",
                                     headers={"Accept": CSL_JSON})
            if answer.status == 200:
                return work_from_csl(answer.json()), None
            if answer.status == 404:
                return None, f"DOI {doi} does not resolve (404 at Crossref and doi.org)"
            return None, f"doi.org answered HTTP {answer.status} for {doi}"
        except (ValueError, KeyError, TypeError) as exc:
            return None, f"malformed metadata for {doi}: {str(exc)[:120]}"
        except HttpError as exc:
            return None, f"metadata for {doi} not fetched: {exc}"

    def pmid_dois(self, pmids: list[str]) -> tuple[dict[str, str], list[str]]:
        """PMID -> DOI through NCBI's E-utilities (esummary of PubMed, up to 200 ids a call):
        the DOI is the article id of type ``doi``."""
        found: dict[str, str] = {}
        warnings = []
        for start in range(0, len(pmids), EUTILS_BATCH):
            batch = pmids[start:start + EUTILS_BATCH]
            params = {"db": "pubmed", "id": ",".join(batch), "retmode": "json",
                      "tool": "kg", **({"email": self.mailto} if self.mailto else {})}
            try:
                answer = self.client.get(self.eutils_url, params=params)
                if answer.status != 200:
                    warnings.append(f"E-utilities answered HTTP {answer.status}")
                    continue
                result = answer.json().get("result", {})
                for uid in result.get("uids", []):
                    ids = result.get(str(uid), {}).get("articleids", [])
                    doi = next((normalise_doi(i.get("value") or "") for i in ids
                                if i.get("idtype") == "doi"), None)
                    if doi:
                        found[str(uid)] = doi
            except (ValueError, AttributeError) as exc:
                warnings.append(f"malformed E-utilities answer: {str(exc)[:120]}")
            except HttpError as exc:
                warnings.append(f"PMIDs not converted: {exc}")
        return found, warnings

    def enrich(self, triples: Iterable[Triple]) -> tuple[list[Triple], list[str]]:
        """The triples to add to a graph, and one warning per thing that could not be had."""
        triples = list(triples)
        articles = sorted({s for s, p, o in triples
                           if p == RDF_TYPE and o == SDO.ScholarlyArticle})
        facts: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for s, p, o in triples:
            facts[s][p].append(o)
        added: list[Triple] = []
        warnings: list[str] = []
        # The IRI percent-encodes what an IRI cannot hold; the DOI is what it encodes.
        dois: dict[str, str] = {a: unquote(a[len(DOI_NS):]).lower() for a in articles
                                if a.startswith(DOI_NS)}
        pmids = {a: str(facts[a][KG.pubmedId][0].lexical) for a in articles
                 if a not in dois and facts[a].get(KG.pubmedId)}
        if pmids:
            converted, problems = self.pmid_dois(sorted(set(pmids.values())))
            warnings.extend(problems)
            for article, pmid in sorted(pmids.items()):
                iri = doi_iri(converted[pmid]) if pmid in converted else None
                if iri is not None:
                    doi = converted[pmid]
                    dois[article] = doi
                    added.append((article, SDO.sameAs, iri))
                    added.extend(identifier_triples(self.base, article, "DOI", doi))
        for article in articles:
            if article not in dois:
                continue
            work, warning = self.fetch(dois[article])
            if warning:
                warnings.append(warning)
            if work is not None:
                warnings.extend(f"metadata for {dois[article]}: {p}" for p in work.problems)
                added.extend(self._additions(article, work, facts))
        return list(dict.fromkeys(added)), warnings

    def _additions(self, article: str, work: Work, facts) -> Iterable[Triple]:
        have = facts[article]
        if work.title and not have.get(SDO.name):
            yield article, SDO.name, text(work.title)
        registry_authors = {int(facts[p][KG.authorPosition][0].lexical): p
                            for p in have.get(SDO.author, []) if facts[p].get(KG.authorPosition)}
        for position, person in enumerate(work.authors, 1):
            if not registry_authors:
                name = " ".join(x for x in (person.given, person.family) if x)
                yield from author_triples(self.base, article, position, person.family,
                                          person.given, name)
                node = author_iri(self.base, article, position, name)
            else:
                node = registry_authors.get(position)
                family = facts[node][SDO.familyName] if node else []
                if not family or _folded(family[0].lexical) != _folded(person.family):
                    continue
            if person.orcid:
                yield node, SDO.sameAs, person.orcid
        periodical = None
        if work.journal and not have.get(SDO.isPartOf):
            for triple in container_triples(self.base, article, work.journal, work.volume,
                                            work.issue):
                yield triple
                if triple[1] == RDF_TYPE and triple[2] == SDO.Periodical:
                    periodical = triple[0]
        else:
            periodical = self._periodical(article, facts)
        for issn in work.issns if periodical else []:
            yield periodical, SDO.issn, text(issn)
        issued = partial_date(work.issued) if work.issued else None
        if issued is not None and not have.get(SDO.datePublished):
            yield article, SDO.datePublished, issued
        if work.page and not have.get(SDO.pagination):
            yield article, SDO.pagination, text(work.page)
        if work.publisher:
            publisher = organization_iri(self.base, work.publisher)
            yield article, SDO.publisher, publisher
            yield publisher, RDF_TYPE, SDO.Organization
            yield publisher, SDO.name, text(work.publisher)
        licence = web_iri(work.license) if work.license else None
        if licence is not None:  # an IRI only when it is one (kg.iri); else left out
            yield article, SDO.license, licence
        if work.abstract:
            yield article, SDO.abstract, text(work.abstract)

    @staticmethod
    def _periodical(article: str, facts) -> str | None:
        node = article
        for _ in range(4):
            parents = facts[node].get(SDO.isPartOf)
            if not parents:
                return None
            node = parents[0]
            if SDO.Periodical in facts[node].get(RDF_TYPE, []):
                return node
        return None

