"""Stores: where the graph is loaded and queried. One named graph per trial, replaced whole.

:class:`Store` is what the loader and ``kg query`` need; :mod:`kg.stores.oxigraph` is the
embedded default and :mod:`kg.stores.remote` any SPARQL 1.1 server (Graph Store Protocol, with
SPARQL Update as the fallback).
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

DEFAULT_STORE = "output/store"  # the embedded store's directory when none is given


class StoreError(Exception):
    """A store that cannot be reached or refuses a request; carries what it said."""


class QueryResult(NamedTuple):
    """A SELECT table, an ASK boolean, or a CONSTRUCT/DESCRIBE graph as N-Triples."""

    variables: list[str]
    rows: list[list[dict | None]]  # SPARQL JSON terms: {"type", "value", "datatype"?, "xml:lang"?}
    boolean: bool | None = None
    ntriples: str | None = None


class Store(Protocol):
    def replace_graphs(self, graphs: list[tuple[str, bytes]],
                       stored: set[str] | None = None) -> None:
        """Replace each named graph ``(iri, its N-Quads lines)`` whole; create it if new.
        ``stored``: the graphs the loader's description says may be in the store already (a
        store may then skip deleting the others; None: not known)."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update."""

    def query(self, sparql: str) -> QueryResult:
        """Run a SPARQL 1.1 query."""

    def close(self) -> None:
        """Flush and release the store."""
