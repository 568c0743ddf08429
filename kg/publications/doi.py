"""Finding, normalising and naming DOIs, per the DOI Handbook.

DOIs are case-insensitive (Handbook 2.4), so a DOI is lower-cased once here and every IRI built
from it is ``https://doi.org/`` plus the DOI, percent-encoding only what an IRI cannot hold.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from kg.iri import DOI_NS, checked_iri, percent_encode

# Prefix "10." + registrant code, "/" + a suffix of any printable characters. A suffix can hold
# parentheses, semicolons and angle brackets (SICI DOIs), so it is cut at white space and at
# characters that end a DOI in running text, then trailing punctuation is trimmed.
_DOI = re.compile(r"10\.[0-9]{4,9}/[^\s\"]+", re.IGNORECASE)
_URL_FORM = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/(10(?:\.|%2E)[^\s\"]+)", re.IGNORECASE)
_TRAILING = ".,;:'"
_VALID = re.compile(r"10\.[0-9]{4,9}/\S+")


def _trim(candidate: str) -> str:
    """Drop punctuation that ends the sentence, not the DOI: a final '.', or an unmatched ')'."""
    while candidate:
        last = candidate[-1]
        if last in _TRAILING:
            candidate = candidate[:-1]
        elif last in ")]>" and candidate.count("([<"[")]>".index(last)]) < candidate.count(last):
            candidate = candidate[:-1]
        else:
            break
    return candidate


def find_doi(citation: str) -> str | None:
    """The first DOI in a citation string, normalised, or None."""
    if not isinstance(citation, str):
        return None
    url = _URL_FORM.search(citation)
    if url:
        candidate = unquote(url.group(1))
    else:
        match = _DOI.search(unquote(citation) if "%2F" in citation.upper() else citation)
        if not match:
            return None
        candidate = match.group(0)
    candidate = re.split(r"\s|\.\s*Epub|\.?(?:PMID|PMCID):", candidate)[0]
    doi = normalise_doi(_trim(candidate))
    return doi


def normalise_doi(doi: str) -> str | None:
    """Lower-case a bare DOI; None when it is not shaped like one."""
    doi = doi.strip().lower()
    return doi if _VALID.fullmatch(doi) else None


def doi_iri(doi: str) -> str | None:
    """``https://doi.org/<doi>`` with what an IRI cannot hold, and the DOI characters a URL
    gives a meaning to (``#``, ``?``, ``%``: DOI Handbook 3.5.2; ``[``, ``]`` only delimit a
    host), percent-encoded; None when it
    still cannot be an IRI."""
    encoded = percent_encode(doi, also="#?%[]")
    return checked_iri(DOI_NS + encoded) if encoded is not None else None
