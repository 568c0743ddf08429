"""IRIs: the one place where a value becomes an IRI, or is refused as one.

Every IRI the tool writes from record text passes :func:`checked_iri`, which asks Oxigraph's
RFC 3987 parser (the same one that must later load the file): an IRI it refuses would make a
whole N-Triples file unloadable and be dropped silently by JSON-LD processors, so such a value
stays a literal and the mapping warns instead. Before checking, characters an IRI cannot hold
are percent-encoded (as UTF-8), as is a ``%`` that starts no escape and any ``#`` after the
first.
"""

from __future__ import annotations

import re

import pyoxigraph

# The DOI resolver's namespace lives here, not in kg.vocab (which re-exports it), so that
# kg.publications.doi can be imported on its own without importing the whole mapping.
DOI_NS = "https://doi.org/"
MESH_NS = "http://id.nlm.nih.gov/mesh/"
OBO_NS = "http://purl.obolibrary.org/obo/"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"

# What RFC 3987 allows neither as ASCII nor as ucschar: controls, space and delimiters, C1
# controls, private use, non-characters and the end of each plane, tags.
_NOT_IN_IRI = ('\x00-\x20<>"{}|\\\\^`\x7f-\x9f\ue000-\uf8ff\ufdd0-\ufdef\ufff0-\uffff'
               + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}-{chr(plane * 0x10000 + 0xFFFF)}"
                         for plane in range(1, 15))
               + "\U000e0000-\U000e0fff\U000f0000-\U0010ffff")
_UNSAFE = re.compile(f"[{_NOT_IN_IRI}]|%(?![0-9A-Fa-f]{{2}})")
_WEB = re.compile(r"https?://[^/\s]", re.IGNORECASE | re.ASCII)
_AUTHORITY = re.compile(r"[^:]*://[^/?#]*")


def _encode(match: re.Match) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group(0).encode("utf-8"))


def percent_encode(text: str, also: str = "") -> str | None:
    """``text`` with what an IRI cannot hold (and the characters in ``also``) percent-encoded;
    None when it holds a lone surrogate, which has no UTF-8 form."""
    pattern = _UNSAFE if not also else re.compile(
        f"[{_NOT_IN_IRI}{re.escape(also)}]|%(?![0-9A-Fa-f]{{2}})")
    try:
        return pattern.sub(_encode, text)
    except UnicodeEncodeError:
        return None


def checked_iri(value: str | None) -> str | None:
    """``value`` if it is an absolute IRI Oxigraph accepts, else None."""
    if not value:
        return None
    try:
        pyoxigraph.NamedNode(value)
    except ValueError:
        return None
    return value


def web_iri(url: str) -> str | None:
    """An http(s) URL as an IRI, percent-encoding only what an IRI cannot hold; None when it
    is not an http(s) URL or cannot be a valid IRI (a bad port, an unclosed ``[``...)."""
    url = url.strip()
    if not _WEB.match(url):
        return None
    head, hash_, fragment = url.partition("#")
    authority = _AUTHORITY.match(head).group(0)  # brackets delimit an IPv6 host, nothing else
    rest = percent_encode(head[len(authority):], also="[]")
    encoded = None if rest is None else percent_encode(authority)
    encoded = None if encoded is None else encoded + rest
    if encoded is not None and hash_:
        fragment_encoded = percent_encode(fragment, also="#[]")
        encoded = None if fragment_encoded is None else f"{encoded}#{fragment_encoded}"
    return checked_iri(encoded)
