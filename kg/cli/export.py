"""``kg export`` and ``kg fetch``: records in, RDF (or raw records) out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import orjson

from kg.cli.options import (
    DEFAULT_OUTPUT,
    Progress,
    check_base,
    enrich_options,
    format_of_output,
    isrctn_options,
    link_options,
    make_enricher,
    make_linkers,
    require_inputs,
    require_shapes,
    say,
    selection,
    source_options,
    targets_for,
)
from kg.errors import RecordError
from kg.ids import BASE_ENV, DEFAULT_BASE
from kg.mapping import nct_id_of
from kg.pipeline.export import ExportOptions, RecordOutcome, export
from kg.pipeline.outputs import (
    COMPRESSIONS,
    KgxOutputs,
    Outputs,
    ShardedOutputs,
    ShardMismatch,
    atomic_text,
)
from kg.serialize import FORMATS
from kg.sources.readers import unit_items
from kg.validation.engines import DEFAULT_ENGINE, ENGINES


@click.command("export")
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
@click.option("--engine", type=click.Choice(list(ENGINES)), default=DEFAULT_ENGINE,
              show_default=True, help="SHACL engine for --validate (same results).")
@link_options
@isrctn_options
def export_command(inputs: tuple[str, ...], nct_ids, nct_file, query, condition,
                   filter_advanced, statuses, since_date, limit, api_url, rate, retries,
                   formats: tuple[str, ...], output: str, base: str,
                   validate: bool, strict: bool, workers: int, shard_size: int | None,
                   restart: bool, kgx_format: str, compress: str | None, enrich: bool,
                   mailto: str | None, cache_dir: str,
                   offline: bool, crossref_url: str | None, doi_url: str | None,
                   eutils_url: str | None, quiet: bool, verbose: bool, engine: str,
                   links: tuple[str, ...], ror_url: str | None, ror_dump: str | None,
                   wikidata_url: str | None, isrctn_ids: tuple[str, ...],
                   isrctn_query: str | None, isrctn_url: str) -> None:
    """Export trial records as RDF: files of any registry kg reads (ClinicalTrials.gov JSON
    and retired XML, EU CTIS, EU CTR, ISRCTN, DRKS, the WHO ICTRP export, ctrdata databases),
    directories, bulk archives (.zip), - for stdin, or live from ClinicalTrials.gov by --nct
    id or by search and from ISRCTN by --isrctn or --isrctn-query."""
    from kg.sources.api import SearchError

    sources = selection(inputs, nct_ids, nct_file, query, condition, filter_advanced, statuses,
                        since_date, limit, api_url, rate, retries, isrctn_ids, isrctn_query,
                        isrctn_url)
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


@click.command("fetch")
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
            for item in unit_items(unit):
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
