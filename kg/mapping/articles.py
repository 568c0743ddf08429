"""Article nodes: a cited publication as a ``schema:ScholarlyArticle`` with what its citation
says: identifiers, authors in order, title, periodical, volume, issue, pages and dates.

The article is shared by every trial that cites it (its IRI is its DOI IRI), so its parts
(authors, identifiers) live under an IRI derived from the article's, and the periodical, volume
and issue are shared nodes named by the journal.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from kg.dates import partial_date
from kg.ids import slug
from kg.publications.citation import Citation
from kg.rdf import RDF_TYPE, Triple, integer, text
from kg.vocab import KG, PUBMED_NS, SDO


def article_parts_iri(base: str, article: str) -> str:
    """Where an article's authors and identifiers live: ``<base>article/<hash of its IRI>``."""
    return f"{base}article/{hashlib.sha1(article.encode()).hexdigest()[:16]}"


def periodical_iri(base: str, journal: str) -> str:
    return f"{base}periodical/{slug(journal)}"


def identifier_triples(base: str, article: str, kind: str, value: str) -> Iterator[Triple]:
    """A ``schema:PropertyValue`` for the article's DOI or PMID."""
    node = f"{article_parts_iri(base, article)}/identifier/{kind.lower()}"
    yield article, SDO.identifier, node
    yield node, RDF_TYPE, SDO.PropertyValue
    yield node, SDO.propertyID, text(kind)
    yield node, SDO.value, text(value)


def author_iri(base: str, article: str, position: int, name: str) -> str:
    """An author of a shared article, named by position *and* name: two trials that cite one
    article with different spellings of an author ("Jiang B", "Jiang BX") give two author nodes,
    each valid, rather than one person with two names that only the merged graph would show, so
    validating trials one by one and together gives the same verdict."""
    return f"{article_parts_iri(base, article)}/author/{position}-{slug(name)}"


def author_triples(base: str, article: str, position: int, family: str, given: str | None,
                   name: str) -> Iterator[Triple]:
    person = author_iri(base, article, position, name)
    yield article, SDO.author, person
    yield person, RDF_TYPE, SDO.Person
    yield person, SDO.name, text(name)
    yield person, SDO.familyName, text(family)
    if given:
        yield person, SDO.givenName, text(given)
    yield person, KG.authorPosition, integer(position)


def container_triples(base: str, article: str, journal: str, volume: str | None,
                      issue: str | None) -> Iterator[Triple]:
    """article -> issue -> volume -> periodical, as far as the citation says."""
    periodical = periodical_iri(base, journal)
    yield periodical, RDF_TYPE, SDO.Periodical
    yield periodical, SDO.name, text(journal)
    parent = periodical
    if volume:
        node = f"{periodical}/volume/{slug(volume)}"
        yield node, RDF_TYPE, SDO.PublicationVolume
        yield node, SDO.volumeNumber, text(volume)
        yield node, SDO.isPartOf, parent
        parent = node
    if issue:
        node = f"{parent}/issue/{slug(issue)}"
        yield node, RDF_TYPE, SDO.PublicationIssue
        yield node, SDO.issueNumber, text(issue)
        yield node, SDO.isPartOf, parent
        parent = node
    yield article, SDO.isPartOf, parent


def citation_triples(base: str, article: str, citation: Citation) -> Iterator[Triple]:
    for position, author in enumerate(citation.authors, 1):
        yield from author_triples(base, article, position, author.family, author.initials,
                                  f"{author.family} {author.initials}")
    if citation.title:
        yield article, SDO.name, text(citation.title)
    if citation.journal:
        yield from container_triples(base, article, citation.journal, citation.volume,
                                     citation.issue)
    for value, predicate in ((citation.date, SDO.datePublished), (citation.epub_date, KG.epubDate)):
        typed = partial_date(value) if value else None
        if typed is not None:
            yield article, predicate, typed
    for value, predicate in ((citation.pagination, SDO.pagination),
                             (citation.page_start, SDO.pageStart),
                             (citation.page_end, SDO.pageEnd)):
        if value:
            yield article, predicate, text(value)


_PMID = re.compile(r"[1-9][0-9]{0,9}")


def is_pmid(value: object) -> bool:
    """A PubMed id: ASCII digits, no leading zero (surrounding spaces allowed)."""
    return isinstance(value, str) and _PMID.fullmatch(value.strip()) is not None


def pubmed_iri(pmid: str) -> str:
    """The PubMed page of an id that :func:`is_pmid` accepted."""
    return f"{PUBMED_NS}{pmid.strip()}/"
