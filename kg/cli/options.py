"""What the commands share: options, the progress line, checks of arguments, how
sources, stores, enrichers and linkers are made from options, and how a line of
record text is reported."""

from __future__ import annotations

import contextlib
import re
import sys
import time
from pathlib import Path

import click

from kg import __version__
from kg.pipeline.export import RecordOutcome
from kg.serialize import FORMATS
from kg.sources import Selection
from kg.sources.api import API_URL, API_URL_ENV
from kg.stores import DEFAULT_STORE, StoreError

DEFAULT_OUTPUT = "output"


DEFAULT_CACHE = "output/http-cache"


class Progress:
    """Progress of a long run: on a terminal a bar with rate and ETA (tqdm); on a pipe or a log
    file a plain line every ``interval`` seconds, so a log shows the run is alive and how fast
    it goes; nothing when disabled (-q, -v)."""

    def __init__(self, enabled: bool, total=lambda: None, interval: float = 30.0):
        self.enabled = enabled
        self.terminal = sys.stderr.isatty()
        self.total = total
        self.interval = interval
        self.start = self.last = time.monotonic()
        self.count = 0
        self.errors = 0
        self.bar = None

    def tick(self, outcome: RecordOutcome) -> None:
        self.count += 1
        self.errors += outcome.failed or outcome.invalid
        if not self.enabled:
            return
        if self.terminal:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=self.total(), unit=" records", file=sys.stderr,
                                dynamic_ncols=True, smoothing=0.1)
            self.bar.update(1)
            if outcome.failed or outcome.invalid:
                self.bar.set_postfix(errors=self.errors, refresh=False)
            return
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            click.echo(self.line(now), err=True)

    def line(self, now: float) -> str:
        rate = self.count / max(now - self.start, 1e-9)
        total = self.total()
        done = f"{self.count:,}/{total:,}" if total else f"{self.count:,}"
        eta = (f", about {(total - self.count) / rate / 60:,.0f} min left"
               if total and rate and total > self.count else "")
        return f"progress: {done} records, {rate:,.0f} records/s, {self.errors} errors{eta}"

    def done(self) -> None:
        if self.bar is not None:
            self.bar.close()


def format_of_output(output: str, compression: str | None) -> tuple[str, ...]:
    """The format an output file's name asks for (``all.nt`` -> ntriples), if any."""
    name = output.removesuffix(f".{compression}") if compression else output
    return tuple(fmt for fmt, writer in FORMATS.items() if name.endswith(writer.extension))[:1]


def require_inputs(command: str, inputs: tuple[str, ...]) -> None:
    """Stop with exit 2, before any output is opened, when an input path does not exist."""
    missing = [name for name in inputs if name != "-" and not Path(name).exists()]
    if missing:
        click.echo(f"kg {command}: no such input: {', '.join(missing)}", err=True)
        sys.exit(2)


def check_base(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """--base must be an absolute IRI ending in / or #, so every IRI made from it is valid."""
    from kg.iri import checked_iri

    if not value.endswith(("/", "#")) or checked_iri(value + "trial/NCT00000000") is None:
        raise click.BadParameter(f"{value!r} is not an absolute IRI ending in / or #")
    return value


def require_shapes(command: str) -> None:
    """Stop with exit 2 when the SHACL shapes cannot be read: without them every graph would
    pass, which is worse than not running."""
    from kg.validation.results import ShapesMissing, shapes_graph

    try:
        shapes_graph()
    except ShapesMissing as exc:
        click.echo(f"kg {command}: {exc}", err=True)
        sys.exit(2)


def targets_for(formats: tuple[str, ...], output: str, inputs: tuple[str, ...],
                compression: str | None) -> dict[str, str]:
    """``{format: path}``: ``-`` is standard output, a path with an extension is a file,
    anything else a directory that receives ``<name>.<ext>`` per format."""
    if output == "-":
        if len(formats) != 1 or compression:
            raise click.UsageError("-o - writes one uncompressed format; give one -f")
        return {formats[0]: "-"}
    if Path(output).suffix:
        if len(formats) != 1:
            raise click.UsageError("an output file takes one format; give a directory for more")
        expected = FORMATS[formats[0]].extension + (f".{compression}" if compression else "")
        if not output.endswith(expected):
            raise click.UsageError(f"-f {formats[0]} writes {expected} files, not {output!r}; "
                                   "name the file for its format or give a directory")
        return {formats[0]: output}
    stem = Path(inputs[0]).stem if len(inputs) == 1 and inputs[0] != "-" else "kg"
    stem = stem.removesuffix(".json")
    suffix = f".{compression}" if compression else ""
    return {fmt: str(Path(output) / f"{stem}{FORMATS[fmt].extension}{suffix}") for fmt in formats}


def with_options(command, options: list):
    """``command`` with ``options`` in the order given (decorators apply bottom-up)."""
    for option in reversed(options):
        command = option(command)
    return command


def enrich_options(command):
    """Where enrichment asks, how politely, and where it keeps the answers."""
    options = [
        click.option("--mailto", envvar="KG_MAILTO", default=None,
                     help="Contact address for Crossref's polite pool and NCBI (or $KG_MAILTO)."),
        click.option("--cache", "cache_dir", envvar="KG_HTTP_CACHE", default=DEFAULT_CACHE,
                     show_default=True, help="On-disk cache of answers (or $KG_HTTP_CACHE)."),
        click.option("--offline", is_flag=True, help="Answer from the cache only; ask nothing."),
        click.option("--crossref-url", envvar="KG_CROSSREF_URL", default=None,
                     help="Crossref REST API base (or $KG_CROSSREF_URL)."),
        click.option("--doi-url", envvar="KG_DOI_URL", default=None,
                     help="DOI resolver for content negotiation (or $KG_DOI_URL)."),
        click.option("--eutils-url", envvar="KG_EUTILS_URL", default=None,
                     help="NCBI E-utilities esummary (or $KG_EUTILS_URL)."),
    ]
    return with_options(command, options)


def make_enricher(base: str, mailto: str | None, cache_dir: str, offline: bool,
                  crossref_url: str | None, doi_url: str | None, eutils_url: str | None):
    from kg.http import HttpClient
    from kg.links import publications as enrich

    client = HttpClient(cache_dir=Path(cache_dir), offline=offline, warn=say)
    return enrich.Enricher(client, base, mailto=mailto,
                           crossref_url=crossref_url or enrich.CROSSREF_URL,
                           doi_url=doi_url or enrich.DOI_URL,
                           eutils_url=eutils_url or enrich.EUTILS_URL)


LINKS = ("ror", "ror-sites", "wikidata")


def link_options(command):
    """Which outside identifiers to link to, and where to ask."""
    options = [
        click.option("--link", "links", multiple=True, type=click.Choice(LINKS),
                     help="Link organisations to ROR (ror; ror-sites: site facilities too) "
                          "and trials to Wikidata items (wikidata); repeatable."),
        click.option("--ror-url", envvar="KG_ROR_URL", default=None,
                     help="ROR API v2 base (or $KG_ROR_URL); a client id is read from "
                          "$KG_ROR_CLIENT_ID (2,000 requests per 5 minutes instead of 50)."),
        click.option("--ror-dump", envvar="KG_ROR_DUMP", default=None,
                     type=click.Path(exists=True, dir_okay=False),
                     help="Match organisations offline against ROR's data dump (its .zip or "
                          "*_schema_v2.json; or $KG_ROR_DUMP) instead of asking ROR's API; "
                          "implies --link ror. Its index is built once and cached under --cache."),
        click.option("--wikidata-url", envvar="KG_WDQS_URL", default=None,
                     help="Wikidata Query Service SPARQL endpoint (or $KG_WDQS_URL)."),
    ]
    return with_options(command, options)


NOTES_SHOWN = 20  # the dump's skipped records named on standard error; the rest counted


def make_linkers(links: tuple[str, ...], cache_dir: str, offline: bool, ror_url: str | None,
                 wikidata_url: str | None, ror_dump: str | None = None, client=None) -> list:
    from kg.http import HttpClient
    from kg.links.ror import ROR_URL, RorDumpLinker, RorLinker
    from kg.links.ror_dump import DumpError
    from kg.links.wikidata import WDQS_URL, WikidataLinker

    if ror_dump and not {"ror", "ror-sites"} & set(links):
        links = (*links, "ror")
    if not links:
        return []
    client = client or HttpClient(cache_dir=Path(cache_dir), offline=offline, per_second=2.0,
                                  warn=say)
    linkers = []
    sites = "ror-sites" in links
    if ror_dump:
        try:
            linker = RorDumpLinker(Path(ror_dump), Path(cache_dir) / "ror", sites=sites)
        except DumpError as exc:
            raise click.BadParameter(str(exc), param_hint="--ror-dump") from exc
        for note in linker.notes[:NOTES_SHOWN]:
            say(f"warning: --ror-dump {ror_dump}: {note}")
        if len(linker.notes) > NOTES_SHOWN:
            say(f"warning: --ror-dump {ror_dump}: {len(linker.notes) - NOTES_SHOWN:,} more "
                "records skipped")
        linkers.append(linker)
    elif "ror" in links or sites:
        try:
            linkers.append(RorLinker(client, ror_url or ROR_URL, sites=sites))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--ror-url") from exc
    if "wikidata" in links:
        linkers.append(WikidataLinker(client, wikidata_url or WDQS_URL))
    return linkers


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def say(line: str) -> None:
    """A report line on standard error, record text in it made harmless: control characters
    (terminal escapes, carriage returns that would overwrite a line, line breaks that would
    forge one) are written as escapes."""
    click.echo(_UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(),
                                line.replace("\n", "\\n")), err=True)


def source_options(command):
    """Where records come from besides INPUTS: the registry's API v2, by id or by search."""
    options = [
        click.option("--nct", "nct_ids", multiple=True, help="An NCT id to fetch; repeatable."),
        click.option("--nct-file", type=click.File("r"), default=None,
                     help="A file of NCT ids, one per line (- for stdin)."),
        click.option("--query", default=None, help="Search: query.term (Essie expression)."),
        click.option("--condition", default=None, help="Search: query.cond."),
        click.option("--filter-advanced", default=None, help="Search: filter.advanced."),
        click.option("--status", "statuses", multiple=True,
                     help="Search: overall status (RECRUITING, COMPLETED...); repeatable."),
        click.option("--since", "since_date", default=None, metavar="YYYY-MM-DD",
                     help="Search: only records whose last update was posted on or after."),
        click.option("--max", "limit", type=click.IntRange(1), default=None,
                     help="Stop a search after this many records."),
        click.option("--api-url", envvar=API_URL_ENV, default=API_URL, show_default=True,
                     help=f"Registry API v2 base URL (or ${API_URL_ENV})."),
        click.option("--rate", type=float, default=1.0, show_default=True,
                     help="Requests per second to the registry."),
        click.option("--retries", type=click.IntRange(0), default=4, show_default=True,
                     help="Retries of a failed request (connection errors, 429, 5xx)."),
    ]
    return with_options(command, options)


def isrctn_options(command):
    """ISRCTN's API, by ISRCTN or by search (``kg export``)."""
    from kg.sources.isrctn_api import ISRCTN_URL, ISRCTN_URL_ENV

    options = [
        click.option("--isrctn", "isrctn_ids", multiple=True,
                     help="An ISRCTN to fetch from ISRCTN's API; repeatable."),
        click.option("--isrctn-query", default=None,
                     help="A search of ISRCTN's API (its q= syntax); --max caps it."),
        click.option("--isrctn-url", envvar=ISRCTN_URL_ENV, default=ISRCTN_URL,
                     show_default=True, help=f"ISRCTN API base URL (or ${ISRCTN_URL_ENV})."),
    ]
    return with_options(command, options)


def selection(inputs, nct_ids, nct_file, query, condition, filter_advanced, statuses,
              since_date, limit, api_url, rate, retries, isrctn_ids=(), isrctn_query=None,
              isrctn_url=None) -> Selection:
    """The records the source options ask for, or a usage error saying what is missing."""
    from kg.http import HttpClient
    from kg.sources.api import RegistryClient, Search

    if since_date and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", since_date):
        raise click.UsageError(f"--since takes a date as YYYY-MM-DD, not {since_date!r}")
    ids = list(nct_ids) + ([line.strip() for line in nct_file if line.strip()]
                           if nct_file else [])
    searching = any((query, condition, filter_advanced, statuses, since_date))
    if not (inputs or ids or searching or isrctn_ids or isrctn_query):
        raise click.UsageError("give INPUTS, --nct ids, or a search (--query, --condition, "
                               "--filter-advanced, --status, --since)")
    http = HttpClient(user_agent=f"kg/{__version__} (clinical-trial knowledge graph exporter)",
                      per_second=rate, retries=retries, backoff=0.5)
    client = RegistryClient(api_url, http)
    search = Search(query, condition, filter_advanced, tuple(statuses), since_date)
    isrctn = None
    if isrctn_ids or isrctn_query:
        from kg.sources.isrctn_api import IsrctnClient

        isrctn = IsrctnClient(isrctn_url, http)
    return Selection(client, inputs, ids, search if searching else None, limit, isrctn,
                     list(isrctn_ids), isrctn_query)


def store_options(command):
    """--store / --endpoint / --update-endpoint / --gsp-endpoint, shared by load and query."""
    options = [
        click.option("--store", "store_dir", default=None,
                     help=f"Embedded Oxigraph store directory (default {DEFAULT_STORE})."),
        click.option("--endpoint", envvar="KG_SPARQL_ENDPOINT", default=None,
                     help="A SPARQL 1.1 query endpoint instead (or $KG_SPARQL_ENDPOINT)."),
        click.option("--update-endpoint", envvar="KG_SPARQL_UPDATE", default=None,
                     help="Its SPARQL Update endpoint, if not the same (or $KG_SPARQL_UPDATE)."),
        click.option("--gsp-endpoint", envvar="KG_GSP_ENDPOINT", default=None,
                     help="Its Graph Store Protocol endpoint (or $KG_GSP_ENDPOINT); without it "
                          "graphs are replaced by SPARQL Update."),
    ]
    return with_options(command, options)


def open_store(store_dir: str | None, endpoint: str | None, update_endpoint: str | None,
               gsp_endpoint: str | None):

    try:
        if endpoint:
            from kg.stores.remote import RemoteStore

            return RemoteStore(endpoint, update_endpoint, gsp_endpoint)
        from kg.stores.oxigraph import OxigraphStore

        return OxigraphStore(store_dir or DEFAULT_STORE)
    except StoreError as exc:
        click.echo(f"kg: {exc}", err=True)
        sys.exit(2)


def close_quietly(store) -> None:
    """Release a store after a failure that is being reported already."""
    with contextlib.suppress(StoreError, OSError):
        store.close()


def open_bulk_store(endpoint: str | None, update_endpoint: str | None, bulk_dir: str,
                    server_dir: str | None, isql_address: str | None, loaders: int):
    from urllib.parse import urlsplit

    from kg.stores.virtuoso import VirtuosoBulkStore

    if not endpoint:
        raise click.UsageError("--virtuoso-bulk needs --endpoint (queries and the description "
                               "graph go through it)")
    address = isql_address or f"{urlsplit(endpoint).hostname}:1111"
    try:
        return VirtuosoBulkStore(endpoint, update_endpoint, bulk_dir, address, loaders, server_dir)
    except StoreError as exc:
        click.echo(f"kg: {exc}", err=True)
        sys.exit(2)
