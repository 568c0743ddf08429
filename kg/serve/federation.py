"""Which endpoints a SPARQL query would make the server call (``SERVICE``), so that a public,
read-only endpoint is not a way to reach other machines (SSRF: the answer, or only how an error
reads, tells what listens where).

Oxigraph evaluates ``SERVICE <url>`` by fetching the URL, and has no switch to refuse it; so
the query is read here before it reaches a worker. The reading is lexical, in the order the
SPARQL grammar reads (``\\u`` escapes undone over the whole text first, as SPARQL 1.1 §19.2
says; then comments, strings, IRIs, prefixed names and variables taken whole), so the keyword is
found wherever the parser would find it and nowhere else: an IRI or a string containing
"service" is not a call. A ``SERVICE`` whose endpoint is a variable is refused, as its target
cannot be known before evaluation.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\r\n]|\\.)*"|'(?:[^'\\\r\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[^\W\d][\w.-]*)?:[^\s(){}\[\],;<>"'\#^|=!&+*/]*)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


class FederationRefused(Exception):
    """The query calls an endpoint the server is not allowed to call; the message says which."""


def _tokens(query: str) -> list[tuple[str, str]]:
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(text)
            if m.lastgroup not in ("space", "comment")]


def service_targets(query: str) -> list[str | None]:
    """The endpoint of every ``SERVICE`` in ``query``, resolved against its ``BASE`` and
    ``PREFIX`` declarations; None where the endpoint is a variable or cannot be resolved."""
    tokens = _tokens(query)
    prefixes: dict[str, str] = {}
    base = ""
    targets: list[str | None] = []
    for index, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        keyword = text.upper()
        following = tokens[index + 1:index + 4]
        if keyword == "BASE" and following and following[0][0] == "iri":
            base = urljoin(base, following[0][1][1:-1])
        elif keyword == "PREFIX" and len(following) >= 2 and following[0][0] == "pname" \
                and following[1][0] == "iri":
            prefixes[following[0][1].rstrip(":")] = urljoin(base, following[1][1][1:-1])
        elif keyword == "SERVICE":
            if following and following[0][0] == "word" and following[0][1].upper() == "SILENT":
                following = following[1:]
            targets.append(_resolve(following[0] if following else ("other", ""), base,
                                    prefixes))
    return targets


def _resolve(token: tuple[str, str], base: str, prefixes: dict[str, str]) -> str | None:
    kind, text = token
    if kind == "iri":
        return urljoin(base, text[1:-1])
    if kind == "pname":
        prefix, _, local = text.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else None
    return None


def check_services(query: str, allowed: frozenset[str]) -> None:
    """Raise :class:`FederationRefused` unless every ``SERVICE`` of ``query`` calls an http(s)
    endpoint whose host (``host`` or ``host:port``) is in ``allowed``."""
    for target in service_targets(query):
        if not allowed:
            raise FederationRefused("SERVICE (federated query) is off on this endpoint; its "
                                    "operator can allow endpoints with kg serve --allow-service")
        if target is None:
            raise FederationRefused("SERVICE with a variable or an unknown prefix is refused: "
                                    "name an allowed endpoint")
        parts = urlsplit(target)
        host = (parts.hostname or "").lower()
        netloc = f"{host}:{parts.port}" if parts.port else host
        if parts.scheme not in ("http", "https") or not ({host, netloc} & allowed):
            raise FederationRefused(f"SERVICE <{target}> is not an endpoint this server may "
                                    f"call (allowed: {', '.join(sorted(allowed))})")
