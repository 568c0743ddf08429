"""``kg serve``: a store served as linked data."""

from __future__ import annotations

import os
import sys

import click

from kg.cli.options import (
    check_base,
    require_inputs,
    say,
)
from kg.stores import DEFAULT_STORE


@click.command("serve")
@click.argument("inputs", nargs=-1)
@click.option("--store", "store_dir", default=None,
              help=f"The Oxigraph store to serve (default {DEFAULT_STORE}), opened read-only.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback unless told otherwise).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--base", default=None, callback=lambda c, p, v: v and check_base(c, p, v),
              help="Base IRI of the served trials (default: read from the store's description "
                   "graph). Served at /id/: export with --base http://HOST:PORT/id/ so that "
                   "the IRIs themselves open here.")
@click.option("--timeout", type=click.FloatRange(0.1), default=10.0, show_default=True,
              help="Seconds a SPARQL query may run.")
@click.option("--max-rows", type=click.IntRange(1), default=10_000, show_default=True,
              help="Rows (or triples) a SPARQL answer holds at most.")
@click.option("--query-workers", type=click.IntRange(1), default=2, show_default=True,
              help="Processes that answer SPARQL queries (shared among the server processes).")
@click.option("--processes", type=click.IntRange(1), default=os.cpu_count() or 1,
              show_default=True, help="Server processes sharing the port (pages are rendered "
                                      "in Python: one process uses one core).")
@click.option("--allow-service", "allowed_services", multiple=True, metavar="HOST[:PORT]",
              help="An endpoint host SPARQL SERVICE may call (repeatable); without it federated "
                   "queries are refused, so the endpoint cannot be made to fetch other URLs.")
@click.option("--query-memory", type=click.IntRange(0), default=2048, show_default=True,
              metavar="MB", help="Address space a query worker may use (0: no limit); a "
                                 "query past it is stopped with a 503.")
@click.option("--request-timeout", type=click.FloatRange(0.5), default=10.0, show_default=True,
              help="Seconds a client has to send a whole request (headers and body); slower "
                   "connections are closed.")
@click.option("--header-timeout", type=click.FloatRange(0.5), default=5.0, show_default=True,
              help="Seconds a client has to send a request's headers; slower connections are "
                   "closed.")
@click.option("--max-connections", type=click.IntRange(1), default=512, show_default=True,
              help="Connections and requests a server process takes at once; more get a 503.")
@click.option("--max-per-client", type=click.IntRange(1), default=64, show_default=True,
              help="Connections one client address may hold on a server process; more are "
                   "closed at once.")
@click.option("--max-queue", type=click.IntRange(0), default=64, show_default=True,
              help="SPARQL queries a server process lets wait for a worker; more get a 503 at "
                   "once (the wait counts against --timeout).")
def serve_command(inputs: tuple[str, ...], store_dir: str | None, host: str, port: int,
                  base: str | None, timeout: float, max_rows: int, query_workers: int,
                  processes: int, allowed_services: tuple[str, ...], query_memory: int,
                  request_timeout: float, header_timeout: float, max_connections: int,
                  max_per_client: int, max_queue: int) -> None:
    """Serve a store (or RDF files and records, loaded into a temporary store) as linked data:
    a page per trial at its IRI path, content negotiation, search, and a read-only SPARQL
    endpoint."""
    import tempfile

    from kg.serve.run import ServeError, serve

    require_inputs("serve", inputs)
    with tempfile.TemporaryDirectory(prefix="kg-serve-") as scratch:
        try:
            serve(inputs, store_dir, scratch, host, port, base, timeout, max_rows, query_workers,
                  say, processes, allowed_services,
                  query_memory, request_timeout, max_connections, max_queue,
                  header_timeout=header_timeout, max_per_client=max_per_client)
        except ServeError as exc:
            click.echo(f"kg serve: {exc}", err=True)
            sys.exit(2)
