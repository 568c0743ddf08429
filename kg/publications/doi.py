"""Finding, normalising and naming DOIs, per the DOI Handbook.

DOIs are case-insensitive (Handbook 2.4), so a DOI is lower-cased once here and every IRI built
from it is ``https://doi.org/`` plus the DOI, percent-encoding only what an IRI cannot hold.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from kg.mapping.vocab import DOI_NS

# Prefix "10." + registrant code, "/" + a suffix of any printable characters. A suffix can hold
# parentheses, semicolons and angle brackets (SICI DOIs), so it is cut at white space and at
# characters that end a DOI in running text, then trailing punctuation is trimmed.
_DOI = re.compile(r"10\.\d{4,9}/[^\s\"]+", re.IGNORECASE)
_URL_FORM = re.compile(r"(?:https?://)?(?:dx\.)?doi\.org/(10(?:\.|%2E)[^\s\"]+)", re.IGNORECASE)
_TRAILING = ".,;:'"
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|\\^`#?%\x7f]')
_VALID = re.compile(r"^10\.\d{4,9}/\S+$")


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
    return doi if _VALID.match(doi) else None


def doi_iri(doi: str) -> str:
    """``https://doi.org/<doi>`` with only IRI-illegal characters percent-encoded."""
    return DOI_NS + _IRI_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", doi)
