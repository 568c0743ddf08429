"""Links to the identifiers the rest of the graph world uses: organisations to ROR, trials to
Wikidata. Each linker reads a graph's triples and gives the triples to add (and warnings), like
:class:`kg.links.publications.Enricher`; all of them ask through one
:class:`kg.http.HttpClient` (rate-limited, cached on disk, offline-capable)."""

from __future__ import annotations

from collections.abc import Iterable

from kg.rdf import Triple


class Chain:
    """Several enrichers and linkers as one: each sees the graph with what the ones before it
    added."""

    def __init__(self, *parts) -> None:
        self.parts = [p for p in parts if p is not None]

    def enrich(self, triples: Iterable[Triple]) -> tuple[list[Triple], list[str]]:
        graph = list(triples)
        added: list[Triple] = []
        warnings: list[str] = []
        for part in self.parts:
            more, said = part.enrich(graph + added)
            added.extend(more)
            warnings.extend(said)
        return list(dict.fromkeys(added)), warnings
