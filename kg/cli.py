"""The ``kg`` command: argument parsing, progress and exit codes; the work is in the library.

Exit status: 0 all records exported (and valid), 1 some record failed or violates a shape,
2 the command could not run (bad arguments, missing or unreadable inputs, unreadable output
location, a store that cannot be reached), 3 an internal error (a bug).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

import click
import orjson

from kg import __version__
from kg.errors import RecordError
from kg.export import ExportOptions, RecordOutcome, export
from kg.mapping import nct_id_of
from kg.mapping.ids import BASE_ENV, DEFAULT_BASE
from kg.outputs import (
    COMPRESSIONS,
    KgxOutputs,
    Outputs,
    ShardedOutputs,
    ShardMismatch,
    atomic_text,
)
from kg.serialize import FORMATS
from kg.sources import Selection
from kg.sources.api import API_URL, API_URL_ENV
from kg.stores import DEFAULT_STORE, StoreError
from kg.validate import DEFAULT_ENGINE, ENGINES, report_graph, summary_counts
from kg.workers import tune_gc

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
    from kg.validate import ShapesMissing, shapes_graph

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


def _with_options(command, options: list):
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
    return _with_options(command, options)


def make_enricher(base: str, mailto: str | None, cache_dir: str, offline: bool,
                  crossref_url: str | None, doi_url: str | None, eutils_url: str | None):
    from kg.http import HttpClient
    from kg.publications import enrich

    client = HttpClient(cache_dir=Path(cache_dir), offline=offline)
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
    return _with_options(command, options)


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
    client = client or HttpClient(cache_dir=Path(cache_dir), offline=offline, per_second=2.0)
    linkers = []
    sites = "ror-sites" in links
    if ror_dump:
        try:
            linkers.append(RorDumpLinker(Path(ror_dump), Path(cache_dir) / "ror", sites=sites))
        except DumpError as exc:
            raise click.BadParameter(str(exc), param_hint="--ror-dump") from exc
    elif "ror" in links or sites:
        try:
            linkers.append(RorLinker(client, ror_url or ROR_URL, sites=sites))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--ror-url") from exc
    if "wikidata" in links:
        linkers.append(WikidataLinker(client, wikidata_url or WDQS_URL))
    return linkers


class KgGroup(click.Group):
    """Unexpected exceptions end with exit 3 and one line, never with a traceback that exits 1
    (the code of "a record failed"); ``KG_DEBUG=1`` shows the traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("KG_DEBUG"):
                import traceback

                traceback.print_exc()
            first = str(exc).strip().split("\n", 1)[0][:300]
            click.echo(f"kg: internal error ({type(exc).__name__}: {first}); this is a bug, "
                       "please report it (KG_DEBUG=1 shows the traceback)", err=True)
            sys.exit(3)


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def say(line: str) -> None:
    """A report line on standard error, record text in it made harmless: control characters
    (terminal escapes, carriage returns that would overwrite a line, line breaks that would
    forge one) are written as escapes."""
    click.echo(_UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode(),
                                line.replace("\n", "\\n")), err=True)


@click.group(cls=KgGroup)
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Turn ClinicalTrials.gov records into a validated schema.org knowledge graph."""
    tune_gc()  # this process maps and checks records too (-w 1)


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
    return _with_options(command, options)


def selection(inputs, nct_ids, nct_file, query, condition, filter_advanced, statuses,
              since_date, limit, api_url, rate, retries) -> Selection:
    """The records the source options ask for, or a usage error saying what is missing."""
    from kg.http import HttpClient
    from kg.sources.api import RegistryClient, Search

    if since_date and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", since_date):
        raise click.UsageError(f"--since takes a date as YYYY-MM-DD, not {since_date!r}")
    ids = list(nct_ids) + ([line.strip() for line in nct_file if line.strip()]
                           if nct_file else [])
    searching = any((query, condition, filter_advanced, statuses, since_date))
    if not (inputs or ids or searching):
        raise click.UsageError("give INPUTS, --nct ids, or a search (--query, --condition, "
                               "--filter-advanced, --status, --since)")
    client = RegistryClient(api_url, HttpClient(
        user_agent=f"kg/{__version__} (clinical-trial knowledge graph exporter)",
        per_second=rate, retries=retries, backoff=0.5))
    search = Search(query, condition, filter_advanced, tuple(statuses), since_date)
    return Selection(client, inputs, ids, search if searching else None, limit)


@main.command("export")
@click.argument("inputs", nargs=-1)
@source_options
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(FORMATS)),
              help="Output format; repeat for several. Default: turtle and jsonld.")
@click.option("-o", "--output", default=DEFAULT_OUTPUT, show_default=True,
              help="Output directory, file (.gz/.zst compress), or - for standard output.")
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              callback=check_base,
              help=f"Base IRI of the trials and their parts (or ${BASE_ENV}).")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Check every trial against the SHACL shapes and report like kg validate.")
@click.option("--strict", is_flag=True, help="Do not write trials that violate a shape.")
@click.option("-w", "--workers", type=click.IntRange(1), default=os.cpu_count() or 1,
              show_default=True, help="Processes that map records; output order stays the input's.")
@click.option("--shard-size", type=click.IntRange(1), default=None,
              help="Write part-00001.<ext> files of this many records into the output directory; "
                   "a re-run of the same input resumes after the last complete shard.")
@click.option("--restart", is_flag=True,
              help="With --shard-size: remove the directory's shards and write them all again.")
@click.option("--compress", type=click.Choice(COMPRESSIONS), default=None,
              help="Compress directory or shard outputs.")
@click.option("--kgx-format", type=click.Choice(["tsv", "jsonl"]), default="tsv", show_default=True,
              help="With -f kgx: nodes/edges as TSV or JSON Lines.")
@click.option("--enrich", is_flag=True,
              help="Add article metadata from Crossref, DataCite and NCBI (one process).")
@enrich_options
@click.option("-q", "--quiet", is_flag=True, help="No progress and no warnings.")
@click.option("-v", "--verbose", is_flag=True, help="A line for every record exported.")
@click.option("--engine", type=click.Choice(ENGINES), default=DEFAULT_ENGINE,
              show_default=True, help="SHACL engine for --validate (same results).")
@link_options
def export_command(inputs: tuple[str, ...], nct_ids, nct_file, query, condition,
                   filter_advanced, statuses, since_date, limit, api_url, rate, retries,
                   formats: tuple[str, ...], output: str, base: str,
                   validate: bool, strict: bool, workers: int, shard_size: int | None,
                   restart: bool, kgx_format: str, compress: str | None, enrich: bool,
                   mailto: str | None, cache_dir: str,
                   offline: bool, crossref_url: str | None, doi_url: str | None,
                   eutils_url: str | None, quiet: bool, verbose: bool, engine: str,
                   links: tuple[str, ...], ror_url: str | None, ror_dump: str | None,
                   wikidata_url: str | None) -> None:
    """Export study records as RDF: JSON files, /studies pages, directories, bulk archives
    (.zip), - for stdin, or live from the registry by --nct id or by search."""
    from kg.sources.api import SearchError

    sources = selection(inputs, nct_ids, nct_file, query, condition, filter_advanced, statuses,
                        since_date, limit, api_url, rate, retries)
    require_inputs("export", inputs)
    formats = formats or format_of_output(output, compress) or ("turtle", "jsonld")
    if "kgx" in formats:
        if len(formats) > 1 or shard_size or compress or output == "-" or Path(output).suffix:
            raise click.UsageError("-f kgx writes nodes and edges files into a directory, alone: "
                                   "give -o DIR, without other formats, --shard-size or --compress")
        outputs = KgxOutputs(output, kgx_format)
        written = output
    elif shard_size:
        if output == "-" or Path(output).suffix or (Path(output).exists()
                                                    and not Path(output).is_dir()):
            raise click.UsageError("--shard-size writes into a directory: give -o DIR")
        try:
            outputs = ShardedOutputs(output, formats, shard_size, compress, restart)
        except ShardMismatch as exc:
            click.echo(f"kg export: {exc}", err=True)
            sys.exit(2)
        written = output
    else:
        targets = targets_for(formats, output, inputs, compress)
        for target in targets.values():  # found now, not after mapping the whole input
            if target != "-" and Path(target).is_dir():
                raise click.UsageError(f"{target} is a directory; the output file cannot "
                                       "take its place")
        outputs = Outputs(targets, compress)
        written = ", ".join(p for p in targets.values() if p != "-")
    if validate:
        require_shapes("export")
    options = ExportOptions(formats=formats, base=base, validate=validate, strict=strict,
                            engine=engine, compression=compress)
    progress = Progress(not quiet and not verbose, lambda: sources.total)

    def report(line: str) -> None:
        if not (quiet and line.startswith("warning")):
            say(line)

    def on_record(outcome: RecordOutcome) -> None:
        progress.tick(outcome)
        if verbose and outcome.nct_id:
            click.echo(f"{outcome.nct_id}: {outcome.triples} triples", err=True)

    try:
        from kg.links import Chain

        articles = make_enricher(base, mailto, cache_dir, offline, crossref_url, doi_url,
                                 eutils_url) if enrich else None
        linkers = make_linkers(links, cache_dir, offline, ror_url, wikidata_url, ror_dump)
        enricher = Chain(articles, *linkers) if articles or linkers else None
        summary = export(sources.units(), outputs, options, workers=workers, report=report,
                         on_record=on_record, enricher=enricher)
    except SearchError as exc:
        progress.done()
        click.echo(f"kg export: {exc}", err=True)
        sys.exit(1)
    except ShardMismatch as exc:
        progress.done()
        click.echo(f"kg export: {exc}", err=True)
        sys.exit(2)
    except OSError as exc:
        click.echo(f"kg export: cannot write output: {exc}", err=True)
        sys.exit(2)
    progress.done()
    if inputs and not summary.records and not summary.failed:
        click.echo(f"kg export: no study records in {', '.join(inputs)}", err=True)
        sys.exit(2)
    if not quiet:
        click.echo(f"{summary.records} records, {summary.triples} triples, "
                   f"{summary.failed} failed, {summary.warnings} warnings"
                   + (f", {summary.invalid} invalid" if validate else "")
                   + (f" -> {written}" if written else ""), err=True)
    sys.exit(0 if summary.ok else 1)


@main.command("fetch")
@click.argument("inputs", nargs=-1)
@source_options
@click.option("-o", "--output", required=True, help="Directory for one NCTxxxxxxxx.json per study.")
@click.option("-q", "--quiet", is_flag=True, help="No progress.")
def fetch_command(inputs, nct_ids, nct_file, query, condition, filter_advanced, statuses,
                  since_date, limit, api_url, rate, retries, output: str, quiet: bool) -> None:
    """Save raw registry records, one JSON file per NCT id (written atomically), so exports can
    be re-run offline and audited."""
    from kg.sources.api import SearchError

    sources = selection(inputs, nct_ids, nct_file, query, condition, filter_advanced, statuses,
                        since_date, limit, api_url, rate, retries)
    directory = Path(output)
    saved = failed = 0
    try:
        for unit in sources.units():
            for item in unit.items():
                error = item.error
                if error is None:
                    try:  # the one NCT id rule; an id from an answer names a file, so it is
                        nct_id = nct_id_of(item.record, item.origin)  # never trusted as a path
                    except RecordError as exc:
                        error = exc
                if error is not None:
                    failed += 1
                    click.echo(f"error: {error.line()}", err=True)
                    continue
                with atomic_text(directory / f"{nct_id}.json") as out:
                    out.write(orjson.dumps(item.record, option=orjson.OPT_INDENT_2).decode())
                saved += 1
    except SearchError as exc:
        click.echo(f"kg fetch: {exc}", err=True)
        sys.exit(1)
    if not quiet:
        click.echo(f"saved {saved} records to {directory}, {failed} failed", err=True)
    sys.exit(1 if failed else 0)


@main.command("validate")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "report_format", type=click.Choice(["text", "json", "turtle"]),
              default="text", show_default=True, help="How to print the results.")
@click.option("-w", "--workers", type=int, default=os.cpu_count() or 1, show_default=True,
              help="Worker processes; trials are validated one by one in parallel.")
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              callback=check_base,
              help=f"Base IRI when validating records (or ${BASE_ENV}).")
@click.option("--engine", type=click.Choice(ENGINES), default=DEFAULT_ENGINE,
              show_default=True,
              help="SHACL engine: native (kg's shapes compiled to Python), turbo (pyshacl-turbo, "
                   "Rust) or pyshacl (the reference); same results.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings and no summary; results only.")
def validate_command(inputs: tuple[str, ...], report_format: str, workers: int, base: str,
                     engine: str, quiet: bool) -> None:
    """Validate RDF files (Turtle, JSON-LD, N-Triples, N-Quads) or records against the shapes.

    Exit status: 0 conforms, 1 violations, 2 the command could not run."""
    from kg.validation_run import ValidationInputError, run_validation

    require_shapes("validate")
    try:
        outcome = run_validation(inputs, base=base, workers=workers, engine=engine)
    except ValidationInputError as exc:
        click.echo(f"kg validate: {exc}", err=True)
        sys.exit(2)
    for line in outcome.problems:
        if not (quiet and line.startswith("warning")):
            say(line)
    if report_format == "json":
        click.echo(orjson.dumps([r._asdict() for r in outcome.results],
                                option=orjson.OPT_INDENT_2).decode())
    elif report_format == "turtle":
        click.echo(report_graph(outcome.results).serialize(format="turtle"))
    else:
        for result in outcome.results:
            click.echo(result.line())
    counts = summary_counts(outcome.results)
    if not quiet:
        click.echo(f"{outcome.trials} trials: {outcome.violations} violations, "
                   f"{outcome.warnings} warnings", err=True)
        for (shape, severity), number in sorted(counts.items()):
            click.echo(f"  {shape} {severity.lower()}: {number}", err=True)
    sys.exit(1 if outcome.violations or outcome.failed else 0)


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
    return _with_options(command, options)


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


@main.command("load")
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
    store could not be opened."""
    from itertools import chain

    from kg.load import (
        RDF_SUFFIXES,
        InputError,
        LoadSummary,
        graphs_from_rdf,
        graphs_from_records,
        load,
        load_nquads_file,
    )

    if bulk_dir:
        store = open_bulk_store(endpoint, update_endpoint, bulk_dir, server_dir, isql_address,
                                loaders)
    else:
        store = open_store(store_dir, endpoint, update_endpoint, gsp_endpoint)
    summary = LoadSummary()
    rdf_files = [Path(i) for i in inputs if Path(i).suffix.lower() in RDF_SUFFIXES]
    records = [i for i in inputs if Path(i).suffix.lower() not in RDF_SUFFIXES]
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

    def readable(path: Path):
        """The file's trial graphs; one that cannot be read is reported, the others go on."""
        try:
            yield from graphs_from_rdf(path)
        except InputError as exc:
            report(f"error: {exc}")
            summary.failed_inputs += 1

    result = LoadSummary()
    source = " ".join(inputs)
    try:
        streamed = []
        for path in rdf_files:  # an export's N-Quads: read by the store itself where it can
            try:
                done = None if since or path.suffix.lower() != ".nq" else load_nquads_file(
                    path, store, base, source, progress, batch_size)
            except InputError as exc:
                report(f"error: {exc}")
                summary.failed_inputs += 1
                continue
            if done is None:
                streamed.append(path)
                continue
            result.add(done)
            if done.error:
                result.not_loaded.extend(f"{p} (not read)" for p in rdf_files[rdf_files.index(path)
                                                                               + 1:])
                break
        if not result.error:
            graphs = chain(*(readable(p) for p in streamed),
                           graphs_from_records(records, base, workers, report, summary))
            result.add(load(graphs, store, base, source=source, since=since,
                            batch_size=batch_size, on_batch=progress))
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
    result.failed_inputs += summary.failed_inputs
    if result.error:
        click.echo(f"kg load: store failed: {result.error}", err=True)
    for nct_id in result.not_loaded:
        click.echo(f"not loaded: {nct_id}", err=True)
    where = endpoint or store_dir or DEFAULT_STORE
    click.echo(f"loaded {len(result.loaded)} trials into {where}"
               + (f", {len(result.unchanged)} unchanged" if result.unchanged else "")
               + (f", skipped {len(result.skipped)} current" if since else "")
               + (f"; NOT loaded {len(result.not_loaded)}" if result.not_loaded else "")
               + (f"; {result.failed_inputs} inputs failed" if result.failed_inputs else ""),
               err=True)
    # A store that failed before taking a single trial could not be used at all (down,
    # unreachable, refusing): exit 2 as for one that cannot be opened.
    sys.exit(0 if result.ok else 2 if result.error and not result.loaded else 1)


@main.command("query")
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
    from kg.query import render_result

    if bool(sparql) == bool(query_file):
        raise click.UsageError("give a query or --file, not both")
    text = Path(query_file).read_text() if query_file else sparql
    if data_files:
        import pyoxigraph as ox

        from kg.load import RDF_SUFFIXES
        from kg.stores.oxigraph import OxigraphStore

        store = OxigraphStore(None, union_default_graph=True)
        for path in data_files:
            fmt = RDF_SUFFIXES.get(Path(path).suffix.lower(), ox.RdfFormat.TURTLE)
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


@main.command("sync")
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
    from kg.sources.api import RegistryClient
    from kg.sync import sync

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


@main.command("link")
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


@main.command("serve")
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
@click.option("--max-connections", type=click.IntRange(1), default=512, show_default=True,
              help="Connections and requests a server process takes at once; more get a 503.")
@click.option("--max-queue", type=click.IntRange(0), default=64, show_default=True,
              help="SPARQL queries a server process lets wait for a worker; more get a 503 at "
                   "once (the wait counts against --timeout).")
def serve_command(inputs: tuple[str, ...], store_dir: str | None, host: str, port: int,
                  base: str | None, timeout: float, max_rows: int, query_workers: int,
                  processes: int, allowed_services: tuple[str, ...], query_memory: int,
                  request_timeout: float, max_connections: int, max_queue: int) -> None:
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
                  query_memory, request_timeout, max_connections, max_queue)
        except ServeError as exc:
            click.echo(f"kg serve: {exc}", err=True)
            sys.exit(2)


@main.command("enrich")
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

    formats = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".nq": "nquads"}
    try:
        data = rdflib_graph(Path(graph), formats.get(Path(graph).suffix, "turtle"))
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
        out.write(result.serialize(format=formats.get(Path(output).suffix, "turtle")))
    return len(added)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
