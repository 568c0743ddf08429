"""The ``kg`` command: argument parsing, progress and exit codes; the work is in the library.

Exit status: 0 all records exported (and valid), 1 some record failed or violates a shape,
2 the command could not run (bad arguments, unreadable output location).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
import orjson

from kg import __version__
from kg.export import ExportOptions, RecordOutcome, export
from kg.mapping.ids import BASE_ENV, DEFAULT_BASE
from kg.outputs import COMPRESSIONS, Outputs, ShardedOutputs
from kg.serialize import FORMATS
from kg.sources.files import read_units
from kg.validate import report_graph, summary_counts

DEFAULT_OUTPUT = "output"


class Progress:
    """Records done, records/s and errors on a terminal, twice a second; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.start = self.last = time.monotonic()
        self.count = 0
        self.errors = 0

    def tick(self, outcome: RecordOutcome) -> None:
        self.count += 1
        self.errors += outcome.failed or outcome.invalid
        now = time.monotonic()
        if self.enabled and now - self.last > 0.5:
            self.last = now
            rate = self.count / (now - self.start)
            click.echo(f"\r{self.count:,} records, {rate:,.0f} records/s, {self.errors} errors",
                       err=True, nl=False)

    def done(self) -> None:
        if self.enabled and self.count:
            click.echo("", err=True)


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
        return {formats[0]: output}
    stem = Path(inputs[0]).stem if len(inputs) == 1 and inputs[0] != "-" else "kg"
    suffix = f".{compression}" if compression else ""
    return {fmt: str(Path(output) / f"{stem}{FORMATS[fmt].extension}{suffix}") for fmt in formats}


@click.group()
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Turn ClinicalTrials.gov records into a validated schema.org knowledge graph."""


@main.command("export")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(list(FORMATS)),
              help="Output format; repeat for several. Default: turtle and jsonld.")
@click.option("-o", "--output", default=DEFAULT_OUTPUT, show_default=True,
              help="Output directory, file (.gz/.zst compress), or - for standard output.")
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              help=f"Base IRI of the trials and their parts (or ${BASE_ENV}).")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Check every trial against the SHACL shapes and report like kg validate.")
@click.option("--strict", is_flag=True, help="Do not write trials that violate a shape.")
@click.option("-w", "--workers", type=click.IntRange(1), default=os.cpu_count() or 1,
              show_default=True, help="Processes that map records; output order stays the input's.")
@click.option("--shard-size", type=click.IntRange(1), default=None,
              help="Write part-00001.<ext> files of this many records into the output directory; "
                   "a re-run resumes after the last complete shard.")
@click.option("--compress", type=click.Choice(COMPRESSIONS), default=None,
              help="Compress directory or shard outputs.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no warnings.")
def export_command(inputs: tuple[str, ...], formats: tuple[str, ...], output: str, base: str,
                   validate: bool, strict: bool, workers: int, shard_size: int | None,
                   compress: str | None, quiet: bool) -> None:
    """Export study records (JSON files, pages, directories, or - for stdin) as RDF."""
    formats = formats or ("turtle", "jsonld")
    if shard_size:
        if output == "-" or Path(output).suffix:
            raise click.UsageError("--shard-size writes into a directory: give -o DIR")
        outputs = ShardedOutputs(output, formats, shard_size, compress)
        written = output
    else:
        targets = targets_for(formats, output, inputs, compress)
        outputs = Outputs(targets)
        written = ", ".join(p for p in targets.values() if p != "-")
    options = ExportOptions(formats=formats, base=base, validate=validate, strict=strict)
    progress = Progress(not quiet)

    def report(line: str) -> None:
        if not (quiet and line.startswith("warning")):
            click.echo(line, err=True)

    try:
        summary = export(read_units(inputs), outputs, options, workers=workers, report=report,
                         on_record=progress.tick)
    except OSError as exc:
        click.echo(f"kg export: cannot write output: {exc}", err=True)
        sys.exit(2)
    progress.done()
    if not quiet:
        click.echo(f"{summary.records} records, {summary.triples} triples, "
                   f"{summary.failed} failed, {summary.warnings} warnings"
                   + (f", {summary.invalid} invalid" if validate else "")
                   + (f" -> {written}" if written else ""), err=True)
    sys.exit(0 if summary.ok else 1)


@main.command("validate")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "report_format", type=click.Choice(["text", "json", "turtle"]),
              default="text", show_default=True, help="How to print the results.")
@click.option("-w", "--workers", type=int, default=os.cpu_count() or 1, show_default=True,
              help="Worker processes; trials are validated one by one in parallel.")
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              help=f"Base IRI when validating records (or ${BASE_ENV}).")
def validate_command(inputs: tuple[str, ...], report_format: str, workers: int, base: str) -> None:
    """Validate RDF files (Turtle, JSON-LD, N-Triples, N-Quads) or records against the shapes.

    Exit status: 0 conforms, 1 violations, 2 the command could not run."""
    from kg.validation_run import ValidationInputError, run_validation

    try:
        outcome = run_validation(inputs, base=base, workers=workers)
    except ValidationInputError as exc:
        click.echo(f"kg validate: {exc}", err=True)
        sys.exit(2)
    for line in outcome.problems:
        click.echo(line, err=True)
    if report_format == "json":
        click.echo(orjson.dumps([r._asdict() for r in outcome.results],
                                option=orjson.OPT_INDENT_2).decode())
    elif report_format == "turtle":
        click.echo(report_graph(outcome.results).serialize(format="turtle"))
    else:
        for result in outcome.results:
            click.echo(result.line())
    counts = summary_counts(outcome.results)
    click.echo(f"{outcome.trials} trials: {outcome.violations} violations, "
               f"{outcome.warnings} warnings", err=True)
    for (shape, severity), number in sorted(counts.items()):
        click.echo(f"  {shape} {severity.lower()}: {number}", err=True)
    sys.exit(1 if outcome.violations or outcome.failed else 0)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
