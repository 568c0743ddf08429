"""Trials linked to their Wikidata items, which carry the ClinicalTrials.gov id as P3098.

The mapping from NCT id to item is read from the Wikidata Query Service in a few large queries
(one per leading digits of the id, ``NCT00``, ``NCT01``...), each cached on disk like any answer,
so linking 600,000 trials asks WDQS about ten times, not once a trial, and a run from the cache
asks nothing. A trial gets ``schema:sameAs <http://www.wikidata.org/entity/Q...>`` (the entity
IRIs WDQS and Wikidata's RDF use).
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.http import HttpClient, HttpError
from kg.ids import is_nct_id
from kg.rdf import RDF_TYPE, Literal, Triple
from kg.vocab import SDO

WDQS_URL = "https://query.wikidata.org/sparql"
ENTITY = "http://www.wikidata.org/entity/Q"
SPARQL_JSON = "application/sparql-results+json"


def partition_query(prefix: str) -> str:
    return ("SELECT ?item ?nct WHERE { ?item <http://www.wikidata.org/prop/direct/P3098> ?nct . "
            f'FILTER(STRSTARTS(?nct, "{prefix}")) }}')


class WikidataLinker:
    def __init__(self, client: HttpClient, url: str = WDQS_URL) -> None:
        self.client = client
        self.url = url
        self.items: dict[str, dict[str, list[str]]] = {}  # partition -> NCT id -> items

    def partition(self, prefix: str) -> tuple[dict[str, list[str]], str | None]:
        if prefix in self.items:
            return self.items[prefix], None
        try:
            answer = self.client.get(self.url, params={"query": partition_query(prefix)},
                                     headers={"Accept": SPARQL_JSON})
        except HttpError as exc:
            return {}, f"Wikidata not asked for {prefix}…: {exc}"
        if answer.status != 200:
            return {}, f"the Wikidata Query Service answered HTTP {answer.status} for {prefix}…"
        found: dict[str, list[str]] = {}
        try:
            for row in answer.json()["results"]["bindings"]:
                item, nct = row["item"]["value"], row["nct"]["value"].strip().upper()
                if item.startswith(ENTITY) and item[len(ENTITY):].isdigit() and is_nct_id(nct):
                    found.setdefault(nct, []).append(item)
        except (ValueError, KeyError, TypeError) as exc:
            return {}, f"malformed WDQS answer for {prefix}…: {str(exc)[:120]}"
        self.items[prefix] = found
        return found, None

    def enrich(self, triples: Iterable[Triple]) -> tuple[list[Triple], list[str]]:
        triples = list(triples)
        trials = {s for s, p, o in triples if p == RDF_TYPE and o == SDO.MedicalStudy}
        codes = {s: o.lexical for s, p, o in triples
                 if p == SDO.codeValue and isinstance(o, Literal) and is_nct_id(o.lexical)}
        nct_of = {}
        for s, p, o in triples:
            if s in trials and p == SDO.code and o in codes:
                nct_of[s] = codes[o]
        added, warnings = [], []
        for trial, nct in sorted(nct_of.items()):
            items, warning = self.partition(nct[:5])
            if warning and warning not in warnings:
                warnings.append(warning)
            added += [(trial, SDO.sameAs, item) for item in sorted(items.get(nct, ()))]
        return added, warnings
