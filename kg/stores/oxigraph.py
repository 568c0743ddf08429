"""The embedded default: an Oxigraph store on disk through pyoxigraph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.stores import QueryResult, StoreError


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


class OxigraphStore:
    def __init__(self, path: str | Path | None, union_default_graph: bool = False):
        """``path`` None is an in-memory store; ``union_default_graph`` lets queries without
        ``GRAPH`` see every named graph (for querying files directly)."""
        self.union_default_graph = union_default_graph
        try:
            self.store = ox.Store(str(path)) if path is not None else ox.Store()
        except OSError as exc:
            raise StoreError(f"cannot open the Oxigraph store at {path}: {exc}") from exc

    def replace_graphs(self, graphs: list[tuple[str, str]]) -> None:
        """Drop the graphs being replaced, then bulk-load the batch as one N-Quads document.

        Oxigraph's bulk loader is several times faster than its transactional one but not
        atomic: a crash mid-batch can leave part of a graph, which the next load replaces whole
        (the loader reports the batch as not loaded, so a re-run redoes it).
        """
        for iri, _ in graphs:
            if self.store.contains_named_graph(ox.NamedNode(iri)):
                self.store.remove_graph(ox.NamedNode(iri))
        quads = "".join(f"{line[:-1]}<{iri}> .\n"
                        for iri, ntriples in graphs for line in ntriples.split("\n") if line)
        self.store.bulk_load(quads.encode(), ox.RdfFormat.N_QUADS)

    def update(self, sparql: str) -> None:
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
        """Flush and drop the store, which releases its lock on the directory."""
        self.store.flush()
        del self.store
