"""Deterministic IRIs: the same record always yields the same identifiers.

Entities that belong to one trial (arms, sites, outcomes, identifiers...) live under the
trial's IRI and are numbered in record order. Organisations and countries are shared across
trials, so they are named by their normalised name: a sponsor of a thousand trials is one node.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

DEFAULT_BASE = "https://w3id.org/ctkg/id/"
BASE_ENV = "KG_BASE_IRI"

_NON_WORD = re.compile(r"[^0-9a-z]+")
_MAX_SLUG = 80


NCT_ID = re.compile(r"NCT[0-9]{8}")


def is_nct_id(value: object) -> bool:
    """The one rule for an NCT id: ``NCT`` and eight ASCII digits, nothing before or after."""
    return isinstance(value, str) and NCT_ID.fullmatch(value) is not None


def trial_iri(base: str, nct_id: str) -> str:
    return f"{base}trial/{nct_id}"


@lru_cache(maxsize=1 << 16)
def normalised_name(name: str) -> str:
    """Case, accents, punctuation and spacing folded, so spelling noise does not split a node."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())


@lru_cache(maxsize=1 << 16)
def slug(name: str) -> str:
    """An ASCII path segment for a name; a short hash keeps apart names that ASCII would merge."""
    norm = normalised_name(name)
    ascii_form = unicodedata.normalize("NFKD", norm).encode("ascii", "ignore").decode()
    words = _NON_WORD.sub("-", ascii_form).strip("-")
    lossy = any(ord(c) > 127 and unicodedata.category(c)[0] in "LN" for c in
                unicodedata.normalize("NFKD", norm))
    if len(words) > _MAX_SLUG or lossy or not words:
        # A name of punctuation only ("!!!", "***") folds to nothing: its own text tells it
        # apart from another such name.
        digest = hashlib.sha1((norm or unicodedata.normalize("NFC", name)).encode()).hexdigest()[:12]
        words = f"{words[:_MAX_SLUG].rstrip('-')}-{digest}" if words else digest
    return words


def organization_iri(base: str, name: str) -> str:
    return f"{base}organization/{slug(name)}"


def country_iri(base: str, name: str) -> str:
    return f"{base}country/{slug(name)}"


# MeSH unique identifiers grew from 7 to 10 characters in May 2014 (NLM Technical Bulletin 391,
# 2013): identifiers made before keep their 6 digits (D009369, C500026), later ones have 9
# (D000068196). Registry records derived between about 2017 and 2023 pad the old ones to 9
# digits (D000009369), which NLM does not publish and which would not join with the same term in
# newer records. The last 6-digit numbers: descriptors below 67,000 (D066xxx; the records hold
# D064419 padded and D000068196 genuine), supplementary concepts below 590,000 (C582435 is
# 6-digit in the records; NLM's bulletin listed C578561 as current in 2013).
_MESH_UI = re.compile(r"([DC])(\d{6}|\d{9})", re.ASCII)
_LAST_SHORT = {"D": 67_000, "C": 590_000}


def canonical_mesh_id(value: object) -> str | None:
    """The MeSH identifier as NLM publishes it, or None when ``value`` is not one."""
    match = _MESH_UI.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        return None
    kind, digits = match.groups()
    if len(digits) == 9 and digits.startswith("000") and int(digits) < _LAST_SHORT[kind]:
        return f"{kind}{digits[3:]}"
    return value


def mesh_code_iri(base: str, mesh_id: str) -> str:
    return f"{base}code/mesh/{mesh_id}"


def citation_iri(base: str, citation: str) -> str:
    """An article with neither DOI nor PMID is named by a hash of its normalised text."""
    digest = hashlib.sha1(normalised_name(citation).encode()).hexdigest()[:16]
    return f"{base}citation/{digest}"


def part_key(*parts: object) -> str:
    """A short stable name for a part of a trial from what it is (a site's name and address,
    an arm's label): a slug when short, else a hash of the normalised text."""
    text = " ".join(str(p) for p in parts if p)
    key = slug(text) if text else "unnamed"
    if len(key) > 48:
        key = hashlib.sha1(normalised_name(text).encode()).hexdigest()[:12]
    return key
