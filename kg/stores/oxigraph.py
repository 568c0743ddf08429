"""The embedded default: an Oxigraph store on disk through pyoxigraph."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from kg.stores import FileLoading, QueryResult, StoreError, StreamLoading


def term_json(term) -> dict | None:
    """A pyoxigraph term in SPARQL 1.1 JSON results form."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    result = {"type": "literal", "value": term.value}
    if term.language:
        result["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        result["datatype"] = term.datatype.value
    return result


def _refused(what: str, exc: SyntaxError) -> StoreError:
    """The loader's parse error as one line naming what it was given."""
    first = str(exc).strip().split("\n", 1)[0][:300]
    return StoreError(f"the store refused {what}: {first}")


class _Feed(io.RawIOBase):
    """The N-Quads of graphs as one stream for the bulk loader, each graph's old copy removed
    just before its lines are read (a graph comes once in the stream)."""

    def __init__(self, store: ox.Store, graphs: Iterator[tuple[str, bytes]],
                 limit: int | None, fresh: bool = False) -> None:
        self.store = store
        self.fresh = fresh  # the store held none of these graphs: nothing to remove
        self.graphs = graphs
        self.limit = limit
        self.sent = 0
        self.taken = 0
        self.pending = memoryview(b"")
        self.error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            while not self.pending:
                if self.limit is not None and self.sent >= self.limit:
                    return 0
                graph = next(self.graphs, None)
                if graph is None:
                    return 0
                iri, nquads = graph
                if not self.fresh:
                    name = ox.NamedNode(iri)
                    if self.store.contains_named_graph(name):
                        self.store.remove_graph(name)
                self.pending = memoryview(nquads)
                self.sent += len(nquads)
                self.taken += 1
        except BaseException as exc:  # raised again once the loader has stopped
            self.error = exc
            return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

class OxigraphStore(StreamLoading, FileLoading):
    reloads_files = True  # a file into a store holding some of its graphs: those removed first

    def __init__(self, path: str | Path | None, union_default_graph: bool = False):
        """``path`` None is an in-memory store; ``union_default_graph`` lets queries without
        ``GRAPH`` see every named graph (for querying files directly)."""
        self.union_default_graph = union_default_graph
        self.path = path
        self.changed = False  # a store written is published as a snapshot when closed
        try:
            self.store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the Oxigraph store at {path}: {exc}") from exc

    def replace_graphs(self, graphs: list[tuple[str, bytes]],
                       stored: set[str] | None = None) -> None:
        """Replace each graph whole (one bulk load for the list; Oxigraph knows cheaply which
        graphs it holds, so ``stored`` is not needed)."""
        self.replace_stream(iter(graphs), limit=None)

    def replace_stream(self, graphs: Iterator[tuple[str, bytes]], limit: int | None,
                       fresh: bool = False) -> int:
        """Replace graphs taken from ``graphs`` until ``limit`` bytes of them (or the end) in
        one call of Oxigraph's bulk loader, which reads them as they come: one call of it costs
        far less than many small ones (measured: 16 MB calls made a load 1.5 times slower than
        one call for the whole file), and its memory is its own, whatever the input's size.
        Returns how many graphs were taken.

        A graph already in the store is removed first (the loader gives only changed trials:
        removing quads is Oxigraph's slow operation, about 15 ms a trial); ``fresh``: the store
        holds none of them, so none is looked for (0.2 ms a trial). The bulk loader is
        not transactional: a crash mid-call can leave part of a graph, which the next load
        replaces whole (the loader reports the call's graphs as not loaded).
        """
        feed = _Feed(self.store, graphs, limit, fresh)
        self.changed = True
        try:
            self.store.bulk_load(io.BufferedReader(feed, 1 << 20), ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise _refused("the N-Quads of a batch", exc) from exc
        if feed.error is not None:
            raise feed.error
        return feed.taken

    def is_empty(self, base: str) -> bool:
        """Whether the store holds no quad at all, in any graph (not only none under ``base``:
        a failed first load is undone by emptying the store, the one fast removal Oxigraph
        has)."""
        return next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None

    def discard(self, base: str) -> None:
        """Undo a failed load into an empty store: remove every quad and graph."""
        self.changed = True
        self.store.clear()

    def has_graph(self, iri: str) -> bool:
        return self.store.contains_named_graph(ox.NamedNode(iri))

    def remove_graphs(self, iris: list[str]) -> None:
        self.changed = True
        for iri in iris:
            self.store.remove_graph(ox.NamedNode(iri))

    def load_file(self, path: Path) -> None:
        """Bulk-load an N-Quads file as it is, read by Oxigraph itself."""
        self.changed = True
        try:
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise _refused(str(path), exc) from exc

    def update(self, sparql: str) -> None:
        self.changed = True
        self.store.update(sparql)

    def query(self, sparql: str) -> QueryResult:
        try:
            result = self.store.query(sparql,
                                      use_default_graph_as_union=self.union_default_graph)
        except SyntaxError as exc:
            raise StoreError(f"query does not parse: {exc}") from exc
        if isinstance(result, ox.QueryBoolean):
            return QueryResult([], [], boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [[term_json(solution[v]) for v in variables] for solution in result]
            return QueryResult(variables, rows)
        text = "".join(f"{t} .\n" for t in result)
        return QueryResult([], [], ntriples=text)

    def close(self) -> None:
        """Flush and drop the store, which releases its lock on the directory; a store that
        was written is first published as the snapshot a server reads (kg.stores.snapshots)."""
        try:
            self.store.flush()
            if self.changed and self.path is not None:
                from kg.stores.snapshots import publish

                publish(self.store, self.path)
        except OSError as exc:
            raise StoreError(f"the store at {self.path} was written, but its snapshot for "
                             f"kg serve could not be made: {exc}") from exc
        finally:
            del self.store
