"""Stores: where the graph is loaded and queried. One named graph per trial, replaced whole.

:class:`Store` is what the loader and ``kg query`` need of every store; a store declares what
more it can do by the classes it subclasses (checked by class, never by attribute), and
:mod:`kg.pipeline.load` routes by them:
:class:`StreamLoading` (a stream of trial graphs in one bulk-load call) and
:class:`FileLoading` (a whole N-Quads file read by the store's own loader).
:mod:`kg.stores.oxigraph` is the embedded default (both); :mod:`kg.stores.remote` any SPARQL
1.1 server (Graph Store Protocol, with SPARQL Update as the fallback; neither);
:mod:`kg.stores.virtuoso` a Virtuoso through its bulk loader (file loading).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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
    # The bytes of one batch of trial graphs at most (a store's loader may take larger ones).
    batch_bytes: int = 16 * 1024 * 1024

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


class StreamLoading(Store):
    """A store that loads a stream of trial graphs through its own bulk loader (Oxigraph)."""

    def replace_stream(self, graphs: Iterator[tuple[str, bytes]], limit: int | None,
                       fresh: bool) -> bool:
        """Replace the graphs of the stream, up to ``limit`` bytes of it (None: all) in one
        bulk-load call; ``fresh``: the store holds none of them, nothing to remove first.
        False when the stream was already at its end."""


class FileLoading(Store):
    """A store with a loader of its own for a whole N-Quads file (Oxigraph; Virtuoso's bulk
    loader), which can also say whether it holds kg's graphs and put itself back."""

    # Whether a file goes whole into a store that holds some of its graphs (those removed
    # first); False: only into one holding none of kg's graphs, reloads go in batches.
    reloads_files: bool

    def load_file(self, path: Path) -> None:
        """Load every quad of an N-Quads file."""

    def is_empty(self, base: str) -> bool:
        """Whether no graph under ``base`` holds a quad."""

    def discard(self, base: str) -> None:
        """Undo a failed first load: remove every graph under ``base``."""

    def has_graph(self, iri: str) -> bool:
        """Whether the named graph holds a quad."""

    def remove_graphs(self, iris: list[str]) -> None:
        """Remove these named graphs."""
