"""Query results as a table, CSV, SPARQL JSON or Turtle, the same whatever the store."""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

import orjson

from kg.stores import QueryResult


@cache
def term_labels() -> dict[str, str]:
    """IRI -> ``rdfs:label`` of every term the ontology declares (enum members, classes...),
    read once from the packaged ``kg.ontologies/kg.ttl``."""
    import pyoxigraph as ox

    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    data = resources.files("kg.ontologies").joinpath("kg.ttl").read_bytes()
    return {t.subject.value: t.object.value for t in ox.parse(data, ox.RdfFormat.TURTLE)
            if t.predicate == label and isinstance(t.subject, ox.NamedNode)}


def shown(term: dict | None) -> str:
    """A term as a person reads it in a table: an ontology term by its label, another term of a
    known vocabulary as ``prefix:name`` (``schema:Recruiting``), anything else as text."""
    if term is not None and term.get("type") == "uri":
        from kg.serialize.prefixes import compact

        iri = term["value"]
        return term_labels().get(iri) or compact(iri) or iri
    return cell(term)


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
    if fmt == "csv":  # for programs: IRIs stay IRIs
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(result.variables)
        writer.writerows([cell(t) for t in row] for row in result.rows)
        return out.getvalue()
    rows = [[shown(t) for t in row] for row in result.rows]
    widths = [max([len(v)] + [min(len(r[i]), 80) for r in rows])
              for i, v in enumerate(result.variables)]
    lines = [" | ".join(v.ljust(w) for v, w in zip(result.variables, widths, strict=True)),
             "-+-".join("-" * w for w in widths)]
    for row in rows:
        lines.append(" | ".join(c[:80].ljust(w) for c, w in zip(row, widths, strict=True)))
    lines.append(f"({len(rows)} rows)")
    return "\n".join(lines) + "\n"
