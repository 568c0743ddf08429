"""Organisations linked to ROR (the Research Organization Registry), offline against ROR's data
dump or through its affiliation-matching API.

Each organisation's name (a lead sponsor, collaborator, registering organisation, an
official's affiliation; and, when asked, a site's facility with its city and country) is
matched. With a dump (:class:`RorDumpLinker`) the rules of :mod:`kg.links.ror_match` choose at
most one active record. Without one (:class:`RorLinker`) the name is sent to ``GET
/v2/organizations?affiliation=...`` and only a match the API marks ``chosen`` is kept, as ROR
asks (its score alone is not meant for choosing); ROR's public API is asked at its documented
limit (a ror-api run by the user at kg's usual pace), 50 requests per 5 minutes, or 2,000 with a
client id (``KG_ROR_CLIENT_ID``, sent as
``Client-Id``), and over it ROR answers 429 without ``Retry-After``, so kg waits out the
5-minute window once before giving up on ROR for the run. The organisation node gets the ROR
IRI as ``schema:sameAs`` and a ``schema:PropertyValue`` identifier carrying the match's score,
type and date (the day ROR answered, from the cached answer, or the day of the dump, so a
second run writes the same bytes).

Organisations with the same ROR id stay separate nodes tied by ``sameAs`` to one ROR IRI:
their IRIs are minted from names so that every record maps alone and the same way whatever a
network service says; merging them would make a trial's graph depend on ROR and rewrite other
trials' graphs. A query groups by the ROR IRI instead (``queries/trials-per-ror-organization.rq``).
"""

from __future__ import annotations

import email.utils
import os
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from kg.http import HttpClient, HttpError
from kg.iri import checked_iri
from kg.links.ror_dump import load_index
from kg.links.ror_match import Matcher, Refusal
from kg.rdf import RDF_TYPE, XSD_DATE, Literal, Triple, decimal, text
from kg.vocab import KG, SDO

ROR_URL = "https://api.ror.org/v2"
CLIENT_ID_ENV = "KG_ROR_CLIENT_ID"
WINDOW = 300.0  # seconds of ROR's rate-limit window
LIMITS = (50, 2000)  # requests a window allows without and with a client id
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


class _OrganisationLinker:
    """What both ways of linking share: which nodes are organisations, what their names (and a
    site's city and country) are, and the triples a match adds."""

    sites = False

    def match(self, name: str, city: str | None,
              country: str | None) -> tuple[Match | None, str | None]:
        raise NotImplementedError

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
            names = [o.lexical for o in facts[node].get(SDO.name, ()) if isinstance(o, Literal)]
            if not names:
                continue
            city, country = place_of(node, facts)
            match, warning = self.match(names[0], city, country)
            if warning:
                warnings.append(warning)
            if match is not None:
                added.extend(link_triples(node, match))
        return added, warnings


def place_of(node: str, facts: dict) -> tuple[str | None, str | None]:
    """A node's city and country, from its address (sites have one)."""
    found: dict[str, str] = {}
    for address in facts[node].get(SDO.address, ()):
        for predicate in (SDO.addressLocality, SDO.addressCountry):
            for o in facts.get(address, {}).get(predicate, ()):
                if isinstance(o, Literal):
                    found.setdefault(predicate, o.lexical)
    return found.get(SDO.addressLocality), found.get(SDO.addressCountry)


class RorLinker(_OrganisationLinker):
    """Matching through ROR's API (v2), at its documented rate."""

    def __init__(self, client: HttpClient, url: str = ROR_URL, sites: bool = False,
                 client_id: str | None = None) -> None:
        self.client = client
        self.url = url.rstrip("/")
        if urlsplit(self.url).path.rstrip("/").endswith("/v1"):
            raise ValueError(f"{url}: ROR retired API v1 in December 2025; give a v2 base")
        self.sites = sites
        self.client_id = client_id if client_id is not None else os.environ.get(CLIENT_ID_ENV)
        self.headers = {"Client-Id": self.client_id} if self.client_id else {}
        if urlsplit(self.url).netloc == urlsplit(ROR_URL).netloc:  # not a ror-api of one's own
            per_window = LIMITS[1] if self.client_id else LIMITS[0]
            client.host_rates[urlsplit(self.url).netloc] = per_window / WINDOW
        self.stopped: str | None = None  # why ROR is not asked again in this run

    def match(self, name: str, city: str | None,
              country: str | None) -> tuple[Match | None, str | None]:
        """(the chosen match or None, a warning or None) for a name; a site's facility is sent
        with its city and country, which ROR's matcher reads."""
        affiliation = ", ".join(p for p in (name, city, country) if p)
        if self.stopped:
            return None, f"ROR not asked about {affiliation!r}: {self.stopped}"
        try:
            answer = self._ask(affiliation)
        except HttpError as exc:
            return None, f"ROR not asked about {affiliation!r}: {exc}"
        if answer.status != 200:
            return None, f"ROR answered HTTP {answer.status} for {affiliation!r}"
        try:
            return chosen_match(answer.json(), _day(answer.date)), None
        except (ValueError, TypeError, AttributeError) as exc:
            return None, f"malformed ROR answer for {affiliation!r}: {str(exc)[:120]}"

    def _ask(self, affiliation: str):
        """ROR's answer; over its limit ROR answers 429 with no ``Retry-After``, so the rest of
        its window is waited out once, and a second 429 stops asking ROR in this run."""
        params = {"affiliation": affiliation}
        try:
            return self.client.get(f"{self.url}/organizations", params=params,
                                   headers=self.headers)
        except HttpError as exc:
            if exc.status != 429:
                raise
        self.client.sleep(WINDOW)
        try:
            return self.client.get(f"{self.url}/organizations", params=params,
                                   headers=self.headers)
        except HttpError as exc:
            if exc.status == 429:
                self.stopped = (f"ROR still answered 429 after waiting {WINDOW:g} s; answers "
                                "so far are cached, run again later"
                                + ("" if self.client_id else f" or set {CLIENT_ID_ENV}"))
            raise


class RorDumpLinker(_OrganisationLinker):
    """Matching against ROR's data dump, offline: the index is built once per dump and cached
    (:mod:`kg.links.ror_dump`); a refusal (no name, several records left) links nothing."""

    def __init__(self, dump: Path, cache_dir: Path | None, sites: bool = False) -> None:
        self.index, _ = load_index(dump, cache_dir)
        self.notes = self.index.skipped  # records the dump could not give, a cache not kept
        self.matcher = Matcher(self.index)
        self.sites = sites

    def match(self, name: str, city: str | None,
              country: str | None) -> tuple[Match | None, str | None]:
        found = self.matcher.match_name(name, city, country)
        if isinstance(found, Refusal):
            return None, None
        return Match(found.ror, found.name, found.score, found.rule,
                     self.index.date or None), None


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
