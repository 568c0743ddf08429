"""``kg load``, ``kg query`` and ``kg sync``: the stores."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from kg import __version__
from kg.cli.options import (
    DEFAULT_CACHE,
    check_base,
    close_quietly,
    link_options,
    make_linkers,
    open_bulk_store,
    open_store,
    require_inputs,
    say,
    store_options,
)
from kg.ids import BASE_ENV, DEFAULT_BASE
from kg.pipeline.export import ExportOptions
from kg.sources.api import API_URL, API_URL_ENV
from kg.stores import DEFAULT_STORE, StoreError


@click.command("load")
@click.argument("inputs", nargs=-1, required=True)
@store_options
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              callback=check_base,
              help=f"Base IRI (or ${BASE_ENV}).")
@click.option("--since", is_flag=True,
              help="Skip trials whose stored version is as recent as the record.")
@click.option("-w", "--workers", type=click.IntRange(1), default=os.cpu_count() or 1,
              show_default=True, help="Processes that map records.")
@click.option("--batch-size", type=click.IntRange(1), default=1000, show_default=True,
              help="Trial graphs sent to the store at a time (at most 16 MB of them).")
@click.option("--virtuoso-bulk", "bulk_dir", default=None, metavar="DIR",
              help="With --endpoint: load through Virtuoso's bulk loader, writing batch files "
                   "into DIR, a directory the server reads (in its DirsAllowed).")
@click.option("--virtuoso-dir", "server_dir", default=None, metavar="PATH",
              help="DIR as the Virtuoso server sees it, if it is mounted elsewhere there.")
@click.option("--isql", "isql_address", envvar="KG_VIRTUOSO_ISQL", default=None,
              metavar="HOST:PORT",
              help="Virtuoso's SQL port for the bulk loader (or $KG_VIRTUOSO_ISQL; default the "
                   "endpoint's host, port 1111).")
@click.option("--loaders", type=click.IntRange(1), default=2, show_default=True,
              help="Bulk loader threads run in parallel.")
@click.option("-q", "--quiet", is_flag=True, help="No progress.")
def load_command(inputs: tuple[str, ...], store_dir: str | None, endpoint: str | None,
                 update_endpoint: str | None, gsp_endpoint: str | None, base: str, since: bool,
                 workers: int, batch_size: int, bulk_dir: str | None, server_dir: str | None,
                 isql_address: str | None, loaders: int, quiet: bool) -> None:
    """Load records or RDF files into a store, one named graph per trial, replacing old copies.

    Exit status: 0 all loaded; 1 some trial or input was not loaded (each is named); 2 the
    store could not be opened, or an input holds a trial no store can take (named; the other
    trials are loaded)."""
    from kg.pipeline.load import load_inputs

    if bulk_dir:
        store = open_bulk_store(endpoint, update_endpoint, bulk_dir, server_dir, isql_address,
                                loaders)
    else:
        store = open_store(store_dir, endpoint, update_endpoint, gsp_endpoint)
    require_inputs("load", inputs)

    def report(line: str) -> None:
        if not (quiet and line.startswith("warning")):
            say(line)

    loaded = 0

    def progress(batch) -> None:
        nonlocal loaded
        loaded += len(batch)
        if not quiet and sys.stderr.isatty():
            click.echo(f"\r{loaded:,} trials loaded", err=True, nl=False)

    try:
        result = load_inputs(list(inputs), store, base, since=since, workers=workers,
                             batch_size=batch_size, report=report, on_batch=progress)
    except (StoreError, OSError) as exc:  # OSError: the disk full, a file too large
        click.echo(f"kg load: {exc}", err=True)
        close_quietly(store)
        sys.exit(2)
    try:
        store.close()
    except (StoreError, OSError) as exc:
        click.echo(f"kg load: {exc}", err=True)
        sys.exit(2)
    if not quiet and sys.stderr.isatty() and loaded:
        click.echo("", err=True)
    say_loaded(result, endpoint or store_dir or DEFAULT_STORE, since)
    # A store that failed before taking a single trial could not be used at all (down,
    # unreachable, refusing): exit 2 as for one that cannot be opened; so is an input holding
    # a trial no store can take (not RDF, a text past 16 MiB), as kg validate says of it.
    sys.exit(0 if result.ok else 2 if (result.error and not result.loaded) or result.refused
             else 1)


def say_loaded(result, where: str, since: bool) -> None:
    """What a load did, on standard error: the store's failure, each trial not loaded, and one
    line of counts."""
    if result.error:
        click.echo(f"kg load: store failed: {result.error}", err=True)
    for nct_id in result.not_loaded:
        why = result.refused.get(nct_id)
        click.echo(f"not loaded: {nct_id}" + (f": {why}" if why else ""), err=True)
    click.echo(f"loaded {len(result.loaded)} trials into {where}"
               + (f", {len(result.unchanged)} unchanged" if result.unchanged else "")
               + (f", skipped {len(result.skipped)} current" if since else "")
               + (f"; NOT loaded {len(result.not_loaded)}" if result.not_loaded else "")
               + (f"; {result.failed_inputs} inputs failed" if result.failed_inputs else ""),
               err=True)


@click.command("query")
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.Path(exists=True, dir_okay=False),
              help="Read the query from a .rq file.")
@click.option("--format", "result_format", type=click.Choice(["table", "csv", "json", "turtle"]),
              default="table", show_default=True)
@click.option("--data", "data_files", multiple=True, type=click.Path(exists=True),
              help="Query these RDF files (in memory, each its own graph) instead of a store.")
@store_options
def query_command(sparql: str | None, query_file: str | None, result_format: str,
                  data_files: tuple[str, ...], store_dir: str | None, endpoint: str | None,
                  update_endpoint: str | None, gsp_endpoint: str | None) -> None:
    """Run a SPARQL query against the store, an endpoint, or RDF files."""
    from kg.pipeline.query import render_result

    if bool(sparql) == bool(query_file):
        raise click.UsageError("give a query or --file, not both")
    text = Path(query_file).read_text() if query_file else sparql
    if data_files:
        import pyoxigraph as ox

        from kg.serialize.rdf_formats import rdf_format_of
        from kg.stores.oxigraph import OxigraphStore

        store = OxigraphStore(None, union_default_graph=True)
        for path in data_files:
            known = rdf_format_of(path)
            fmt = known.oxigraph if known else ox.RdfFormat.TURTLE
            graph = None if fmt.supports_datasets else ox.NamedNode(Path(path).resolve().as_uri())
            try:
                store.store.load(path=path, format=fmt, to_graph=graph)
            except (SyntaxError, ValueError, OSError) as exc:
                first = str(exc).strip().split("\n", 1)[0][:300]
                click.echo(f"kg query: {path}: cannot read as {fmt.name}: {first}", err=True)
                sys.exit(2)
    else:
        store = open_store(store_dir, endpoint, update_endpoint, gsp_endpoint)
    try:
        result = store.query(text)
    except StoreError as exc:
        click.echo(f"kg query: {exc}", err=True)
        sys.exit(2)
    finally:
        store.close()
    click.echo(render_result(result, result_format), nl=False)


@click.command("sync")
@store_options
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              callback=check_base, help=f"Base IRI of the store's trials (or ${BASE_ENV}).")
@click.option("--since", "since_date", default=None, metavar="YYYY-MM-DD",
              help="Ask for records updated since this day instead of the day the store's "
                   "description graph says it is up to date through.")
@click.option("--prune", is_flag=True,
              help="Also remove the trials the registry no longer lists (reads its whole list "
                   "of NCT ids; an empty or self-contradicting list removes nothing).")
@click.option("--prune-max", type=click.IntRange(0), default=None, metavar="N",
              help="Remove at most N trials, else remove none and exit 1 "
                   "[default: the larger of 10 and 1% of the store].")
@click.option("--force", is_flag=True, help="Prune past --prune-max.")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.option("--api-url", envvar=API_URL_ENV, default=API_URL, show_default=True,
              help=f"Registry API v2 base URL (or ${API_URL_ENV}).")
@click.option("--rate", type=float, default=1.0, show_default=True,
              help="Requests per second to the registry.")
@click.option("--retries", type=click.IntRange(0), default=4, show_default=True,
              help="Retries of a failed request (connection errors, 429, 5xx).")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Check every trial against the SHACL shapes.")
@click.option("-w", "--workers", type=click.IntRange(1), default=os.cpu_count() or 1,
              show_default=True, help="Processes that map records.")
@click.option("--cache", "cache_dir", envvar="KG_HTTP_CACHE", default=DEFAULT_CACHE,
              show_default=True, help="On-disk cache of --link answers (or $KG_HTTP_CACHE).")
@click.option("--offline", is_flag=True, help="--link from the cache only.")
@link_options
@click.option("-q", "--quiet", is_flag=True, help="No warnings and no progress.")
def sync_command(store_dir: str | None, endpoint: str | None, update_endpoint: str | None,
                 gsp_endpoint: str | None, base: str, since_date: str | None, prune: bool,
                 prune_max: int | None, force: bool, dry_run: bool, api_url: str, rate: float,
                 retries: int, validate: bool, workers: int, cache_dir: str, offline: bool,
                 links: tuple[str, ...], ror_url: str | None, ror_dump: str | None,
                 wikidata_url: str | None, quiet: bool) -> None:
    """Bring a store up to date with the registry: records updated since the store's last
    sync are mapped, validated and loaded; with --prune, trials the registry no longer lists
    are removed. Exit status: 0 up to date; 1 some record failed or was not loaded, or the
    registry's list was not trusted for pruning; 2 the store or the registry could not be
    used."""
    from kg.http import HttpClient
    from kg.links import Chain
    from kg.pipeline.sync import sync
    from kg.sources.api import RegistryClient

    if since_date and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", since_date):
        raise click.UsageError(f"--since takes a date as YYYY-MM-DD, not {since_date!r}")
    linkers = make_linkers(links, cache_dir, offline, ror_url, wikidata_url, ror_dump)
    store = open_store(store_dir, endpoint, update_endpoint, gsp_endpoint)
    registry = RegistryClient(api_url, HttpClient(
        user_agent=f"kg/{__version__} (clinical-trial knowledge graph sync)", per_second=rate,
        retries=retries, backoff=0.5))
    seen = 0

    def report(line: str) -> None:
        if not (quiet and line.startswith("warning")):
            say(line)

    def progress(nct_id: str) -> None:
        nonlocal seen
        seen += 1
        if not quiet and sys.stderr.isatty():
            click.echo(f"\r{seen:,} records read", err=True, nl=False)

    options = ExportOptions(formats=("nquads",), base=base, validate=validate)
    try:
        summary = sync(store, registry, base, options, workers=workers, since=since_date,
                       prune=prune, dry_run=dry_run, report=report, on_trial=progress,
                       enricher=Chain(*linkers) if linkers else None, prune_max=prune_max,
                       force=force)
    except StoreError as exc:
        click.echo(f"kg sync: {exc}", err=True)
        sys.exit(2)
    finally:
        store.close()
    if not quiet and sys.stderr.isatty() and seen:
        click.echo("", err=True)
    for nct_id in summary.removed:
        click.echo(f"{'would remove' if dry_run else 'removed'}: {nct_id}", err=True)
    for nct_id in summary.not_loaded:
        click.echo(f"not loaded: {nct_id}", err=True)
    for nct_id, date in summary.future:
        report(f"warning: {nct_id}: last update posted {date}, after today: loaded, but the "
               "sync cursor does not follow it")
    if summary.prune_refused:
        click.echo(f"kg sync: not pruned: {summary.prune_refused}", err=True)
    if summary.error:
        click.echo(f"kg sync: {summary.error}", err=True)
    since = f"records updated since {summary.since}" if summary.since else "every record"
    click.echo(f"{'dry run: ' if dry_run else ''}{since}: {summary.line()}"
               + (f"; up to date through {summary.through}" if summary.through else ""), err=True)
    touched = summary.added or summary.updated or summary.unchanged or summary.removed
    sys.exit(0 if summary.ok else 2 if summary.error and not touched else 1)
