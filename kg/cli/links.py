"""``kg link`` and ``kg enrich``: an existing graph given what outside services know."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli.options import (
    DEFAULT_CACHE,
    check_base,
    enrich_options,
    link_options,
    make_enricher,
    make_linkers,
    say,
)
from kg.ids import BASE_ENV, DEFAULT_BASE
from kg.pipeline.outputs import (
    atomic_text,
)


@click.command("link")
@click.argument("graph", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True,
              help="Where to write the linked graph (format from the extension).")
@click.option("--cache", "cache_dir", envvar="KG_HTTP_CACHE", default=DEFAULT_CACHE,
              show_default=True, help="On-disk cache of answers (or $KG_HTTP_CACHE).")
@click.option("--offline", is_flag=True, help="Answer from the cache only; ask nothing.")
@link_options
def link_command(graph: str, output: str, cache_dir: str, offline: bool,
                 links: tuple[str, ...], ror_url: str | None, ror_dump: str | None,
                 wikidata_url: str | None) -> None:
    """Link the organisations and trials of an RDF graph to ROR (offline with --ror-dump, or
    through ROR's API) and to Wikidata."""
    if not links and not ror_dump:
        raise click.UsageError("say what to link: --ror-dump FILE, --link ror, --link ror-sites, "
                               "--link wikidata")
    linkers = make_linkers(links, cache_dir, offline, ror_url, wikidata_url, ror_dump)
    from kg.links import Chain

    added = rewrite_graph("link", graph, output, Chain(*linkers))
    clients = {id(c): c for c in (getattr(lk, "client", None) for lk in linkers) if c}
    requests = sum(c.requests_made for c in clients.values())
    click.echo(f"{added} triples added from {requests} requests -> {output}", err=True)


@click.command("enrich")
@click.argument("graph", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True,
              help="Where to write the enriched graph (format from the extension).")
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              callback=check_base,
              help=f"Base IRI for new nodes (or ${BASE_ENV}).")
@enrich_options
def enrich_command(graph: str, output: str, base: str, mailto: str | None, cache_dir: str,
                   offline: bool, crossref_url: str | None, doi_url: str | None,
                   eutils_url: str | None) -> None:
    """Add what Crossref, DataCite and NCBI know about the articles an RDF graph cites."""
    enricher = make_enricher(base, mailto, cache_dir, offline, crossref_url, doi_url, eutils_url)
    added = rewrite_graph("enrich", graph, output, enricher)
    click.echo(f"{added} triples added from {enricher.client.requests_made} requests "
               f"-> {output}", err=True)


def rewrite_graph(command: str, graph: str, output: str, enricher) -> int:
    """An RDF file with what ``enricher`` adds, written to ``output``; returns how many triples
    were added."""
    import rdflib

    from kg.rdf import from_rdflib, to_rdflib
    from kg.serialize.rdf_files import ContextRefused, rdflib_graph
    from kg.serialize.rdf_formats import rdf_format_of

    try:
        data = rdflib_graph(Path(graph))
    except ContextRefused as exc:
        click.echo(f"kg {command}: {exc}", err=True)
        sys.exit(2)
    except Exception as exc:  # rdflib raises many kinds for malformed input
        click.echo(f"kg {command}: {graph}: not valid RDF ({str(exc).splitlines()[0][:200]})",
                   err=True)
        sys.exit(2)
    # The enricher reads and adds IRI-named nodes only; the graph it adds to keeps every
    # triple as parsed, blank nodes included (kg's own graphs have none, other graphs may).
    named = rdflib.Graph()
    for triple in data:
        if not any(isinstance(term, rdflib.BNode) for term in triple):
            named.add(triple)
    added, warnings = enricher.enrich(from_rdflib(named))
    for warning in warnings:
        say(f"warning: {warning}")
    result = data
    for triple in to_rdflib(added):
        result.add(triple)
    result.bind("schema", "https://schema.org/")
    result.bind("kg", "https://w3id.org/ctkg/vocab#")
    with atomic_text(output) as out:
        out.write(result.serialize(format=getattr(rdf_format_of(output), "name", "turtle")))
    return len(added)
