"""Query results as a table, CSV, SPARQL JSON or Turtle, the same whatever the store."""

from __future__ import annotations

import csv
import io

import orjson

from kg.stores import QueryResult


def cell(term: dict | None) -> str:
    """A term as plain text: IRIs and literal values, no quotes or datatypes."""
    return "" if term is None else term["value"]


def render_result(result: QueryResult, fmt: str) -> str:
    if result.boolean is not None:
        return ("true" if result.boolean else "false") + "\n"
    if result.ntriples is not None:
        if fmt != "turtle" and fmt != "table":
            return result.ntriples
        import rdflib

        graph = rdflib.Graph().parse(data=result.ntriples, format="nt")
        graph.bind("schema", "https://schema.org/")
        graph.bind("kg", "https://w3id.org/ctkg/vocab#")
        return graph.serialize(format="turtle")
    if fmt == "json":
        return orjson.dumps({"head": {"vars": result.variables}, "results": {"bindings": [
            {v: t for v, t in zip(result.variables, row, strict=True) if t is not None}
            for row in result.rows]}}, option=orjson.OPT_INDENT_2).decode() + "\n"
    rows = [[cell(t) for t in row] for row in result.rows]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows(rows)
        return out.getvalue()
    widths = [max([len(v)] + [min(len(r[i]), 80) for r in rows])
              for i, v in enumerate(result.variables)]
    lines = [" | ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    for row in rows:
        lines.append(" | ".join(c[:80].ljust(w) for c, w in zip(row, widths, strict=True)))
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines) + "\n"
