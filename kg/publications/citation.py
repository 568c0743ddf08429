"""Parsing NLM/Vancouver citations, best effort and never inventing a value.

``Jiang B, Sun L, Hao S. Estrogen modulates ... mice. Immunol Invest. 2008;37(3):227-43.
doi: 10.1080/08820130801973328. Epub 2007 Dec 3.`` gives the authors in order, the title, the
journal, the year (month and day when given), volume, issue, pages and the e-pub date. A part
that does not have the expected shape is left out rather than guessed; truncated citations
(``Smith J, Doe A...``) give nothing.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kg.dates import MONTHS, date_from_parts

# Patterns here run on text anyone can register, so none may backtrack more than linearly: no
# quantified part overlaps the next (a name's words exclude the hyphen that joins them; a run of
# white space is entered only at its start).
_TAIL = re.compile(r"(?<!\s)\s*(?:\bdoi:?\s*\S+|\bEpub\b.*|\bPMID:?\s*[0-9]+.*|\bPMCID:?\s*\S+.*|"
                   r"https?://\S+)\s*$", re.IGNORECASE)
_NOTES = re.compile(r"\.\s+(?:Erratum|Comment|Retraction|Retracted|Update|Corrected and "
                    r"republished)\s+(?:in|for|of|from)\b.*$", re.IGNORECASE | re.DOTALL)
_EPUB = re.compile(r"\bEpub\s+([0-9]{4})(?:\s+([A-Z][a-z]{2})(?:\s+([0-9]{1,2}))?)?", re.IGNORECASE)
_AUTHOR = re.compile(r"^(?P<family>[A-Z][\w'’]*(?:[ \-][A-Za-z][\w'’]*)*?)\s+"
                     r"(?P<initials>[A-Z]{1,4})$")
_SOURCE = re.compile(
    r"^(?P<year>(?:1[89]|20)[0-9]{2})"
    r"(?:\s+(?P<month>[A-Z][a-z]{2})(?:-[A-Z][a-z]{2})?(?:\s+(?P<day>[0-9]{1,2}))?)?"
    r"\s*(?:;\s*(?P<volume>[^(:;\s]+)\s*)?(?:\((?P<issue>[^)]+)\))?"
    r"(?:\s*:\s*(?P<pages>[A-Za-z]?[0-9][\w.]*(?:\s*-\s*[A-Za-z]?[0-9][\w.]*)?))?\s*$")


class Author(NamedTuple):
    family: str
    initials: str


class Citation(NamedTuple):
    authors: list[Author]
    title: str | None
    journal: str | None
    date: str | None  # yyyy, yyyy-MM or yyyy-MM-dd
    volume: str | None
    issue: str | None
    pagination: str | None
    page_start: str | None
    page_end: str | None
    epub_date: str | None


EMPTY = Citation([], None, None, None, None, None, None, None, None, None)


def _date(year: str, month: str | None, day: str | None) -> str | None:
    """A month that is no month name leaves the year alone (``2008 Spring``)."""
    if month and month not in MONTHS:
        return year
    return date_from_parts(year, month, day) or date_from_parts(year, month)


def page_range(pages: str) -> tuple[str, str | None]:
    """``227-43`` -> (227, 243): NLM drops the digits the last page shares with the first."""
    first, _, last = (p.strip() for p in pages.partition("-"))
    if not last:
        return first, None
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def parse_authors(segment: str) -> list[Author]:
    """Authors of ``Sun LY, Zhang HY; REPAIR-AMI Investigators``; group authors are left out."""
    authors = []
    for part in segment.split(";")[0].split(","):
        part = part.strip()
        if part.lower() in ("et al", "et al."):
            continue
        match = _AUTHOR.match(part)
        if not match:
            return []
        authors.append(Author(match.group("family"), match.group("initials")))
    return authors


def parse_citation(text: str) -> Citation:
    if not isinstance(text, str) or text.rstrip().endswith("...") or "…" in text:
        return EMPTY
    body = _NOTES.sub("", text.strip())
    epub = _EPUB.search(body)
    epub_date = _date(*epub.groups()) if epub else None
    while True:
        trimmed = _TAIL.sub("", body).rstrip(" .")
        if trimmed == body:
            break
        body = trimmed
    segments = [s.strip() for s in re.split(r"\.\s+", body) if s.strip()]
    source_at = next((i for i, s in enumerate(segments) if i >= 2 and _SOURCE.match(s)), None)
    if source_at is None:
        return EMPTY._replace(epub_date=epub_date)
    source = _SOURCE.match(segments[source_at])
    authors = parse_authors(segments[0])
    title_parts = segments[1: source_at - 1] if authors else segments[: source_at - 1]
    title = ". ".join(title_parts).strip() or None
    if title and not title.endswith(("?", "!")):
        title = title.rstrip(".")
    pages = source.group("pages")
    start, end = page_range(pages.replace(" ", "")) if pages else (None, None)
    return Citation(
        authors=authors,
        title=title,
        journal=segments[source_at - 1].strip() or None,
        date=_date(source.group("year"), source.group("month"), source.group("day")),
        volume=source.group("volume"),
        issue=source.group("issue"),
        pagination=pages.replace(" ", "") if pages else None,
        page_start=start,
        page_end=end,
        epub_date=epub_date,
    )
