"""Organisations linked to ROR (the Research Organization Registry) through its affiliation
matching.

Each organisation's name (a lead sponsor, collaborator, registering organisation, an
official's affiliation; and, when asked, a site's facility with its city and country) is sent
to ``GET /v2/organizations?affiliation=...``; only a match the API marks ``chosen`` is kept,
as ROR asks (its score alone is not meant for choosing). The organisation node gets the ROR
IRI as ``schema:sameAs`` and a ``schema:PropertyValue`` identifier carrying the match's score,
type and date (the day ROR answered, from the cached answer, so a run from the cache writes the
same bytes).

Organisations with the same ROR id stay separate nodes tied by ``sameAs`` to one ROR IRI:
their IRIs are minted from names so that every record maps alone and the same way whatever a
network service says; merging them would make a trial's graph depend on ROR and rewrite other
trials' graphs. A query groups by the ROR IRI instead (``queries/trials-per-ror-organization.rq``).
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterable
from typing import NamedTuple

from kg.http import HttpClient, HttpError
from kg.iri import checked_iri
from kg.mapping.vocab import KG, SDO
from kg.rdf import RDF_TYPE, XSD_DATE, Literal, Triple, decimal, text

ROR_URL = "https://api.ror.org/v2"
_ROR_ID = "https://ror.org/"


class Match(NamedTuple):
    ror: str  # https://ror.org/0xxxxxx00
    name: str
    score: float
    matching_type: str
    date: str | None  # yyyy-MM-dd the answer was given


def chosen_match(document: dict, date: str | None) -> Match | None:
    """The match ROR chose among its answer's items, if it chose one."""
    for item in document.get("items") or []:
        if not isinstance(item, dict) or item.get("chosen") is not True:
            continue
        organization = item.get("organization") or {}
        ror = organization.get("id")
        if not isinstance(ror, str) or not ror.startswith(_ROR_ID) or checked_iri(ror) is None:
            continue
        names = organization.get("names") or []
        display = next((n.get("value") for n in names if isinstance(n, dict)
                        and "ror_display" in (n.get("types") or [])), None)
        return Match(ror, display or organization.get("name") or "",
                     float(item.get("score") or 0), str(item.get("matching_type") or ""), date)
    return None


def _day(http_date: str | None) -> str | None:
    """The day of an HTTP Date header (the first, where a proxy repeated the header)."""
    for candidate in (http_date, (http_date or "")[:29]):
        try:
            return email.utils.parsedate_to_datetime(candidate).date().isoformat()
        except (TypeError, ValueError, IndexError):
            continue
    return None


class RorLinker:
    def __init__(self, client: HttpClient, url: str = ROR_URL, sites: bool = False) -> None:
        self.client = client
        self.url = url.rstrip("/")
        self.sites = sites

    def match(self, affiliation: str) -> tuple[Match | None, str | None]:
        """(the chosen match or None, a warning or None)."""
        try:
            answer = self.client.get(f"{self.url}/organizations",
                                     params={"affiliation": affiliation})
        except HttpError as exc:
            return None, f"ROR not asked about {affiliation!r}: {exc}"
        if answer.status != 200:
            return None, f"ROR answered HTTP {answer.status} for {affiliation!r}"
        try:
            return chosen_match(answer.json(), _day(answer.date)), None
        except (ValueError, TypeError, AttributeError) as exc:
            return None, f"malformed ROR answer for {affiliation!r}: {str(exc)[:120]}"

    def enrich(self, triples: Iterable[Triple]) -> tuple[list[Triple], list[str]]:
        facts: dict[str, dict[str, list]] = {}
        for s, p, o in triples:
            facts.setdefault(s, {}).setdefault(p, []).append(o)
        wanted = {SDO.Organization} | ({KG.Site} if self.sites else set())
        added: list[Triple] = []
        warnings: list[str] = []
        for node in sorted(n for n, props in facts.items()
                           if wanted & set(props.get(RDF_TYPE, ()))):
            if any(o.startswith(_ROR_ID) for o in facts[node].get(SDO.sameAs, ())
                   if isinstance(o, str)):
                continue  # linked already
            affiliation = self._affiliation(node, facts)
            if not affiliation:
                continue
            match, warning = self.match(affiliation)
            if warning:
                warnings.append(warning)
            if match is not None:
                added.extend(link_triples(node, match))
        return added, warnings

    @staticmethod
    def _affiliation(node: str, facts: dict) -> str:
        """A site's facility with its city and country (ROR reads the country); an
        organisation's name."""
        names = [o.lexical for o in facts[node].get(SDO.name, ()) if isinstance(o, Literal)]
        if not names:
            return ""
        parts = [names[0]]
        for address in facts[node].get(SDO.address, ()):
            for predicate in (SDO.addressLocality, SDO.addressCountry):
                parts += [o.lexical for o in facts.get(address, {}).get(predicate, ())
                          if isinstance(o, Literal)]
        return ", ".join(parts)


def link_triples(node: str, match: Match) -> list[Triple]:
    identifier = f"{node}/identifier/ror"
    triples = [(node, SDO.sameAs, match.ror), (node, SDO.identifier, identifier),
               (identifier, RDF_TYPE, SDO.PropertyValue),
               (identifier, SDO.propertyID, text("ROR")), (identifier, SDO.value, text(match.ror)),
               (identifier, KG.matchScore, decimal(round(match.score, 4))),
               (identifier, KG.matchType, text(match.matching_type))]
    if match.date:
        triples.append((identifier, KG.matchDate, Literal(match.date, XSD_DATE)))
    return triples
