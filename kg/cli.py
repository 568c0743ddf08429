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

from kg import __version__
from kg.export import export
from kg.mapping import MappedRecord
from kg.mapping.ids import BASE_ENV, DEFAULT_BASE
from kg.serialize import EXTENSIONS, WRITERS
from kg.sources.files import read_inputs

DEFAULT_OUTPUT = "output"


class Progress:
    """Records done, records/s and errors on a terminal, twice a second; silent otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled and sys.stderr.isatty()
        self.start = self.last = time.monotonic()
        self.count = 0

    def tick(self, _mapped: MappedRecord) -> None:
        self.count += 1
        now = time.monotonic()
        if self.enabled and now - self.last > 0.5:
            self.last = now
            rate = self.count / (now - self.start)
            click.echo(f"\r{self.count} records, {rate:,.0f} records/s", err=True, nl=False)

    def done(self) -> None:
        if self.enabled and self.count:
            click.echo("", err=True)


def targets_for(formats: tuple[str, ...], output: str, inputs: tuple[str, ...]) -> dict[str, str]:
    """``{format: path}``: ``-`` is standard output, a path with an extension is a file,
    anything else a directory that receives ``<name>.<ext>`` per format."""
    if output == "-":
        if len(formats) != 1:
            raise click.UsageError("-o - writes one format to standard output; give one -f")
        return {formats[0]: "-"}
    suffix = Path(output).suffix
    if suffix:
        if len(formats) != 1:
            raise click.UsageError("an output file takes one format; give a directory for more")
        return {formats[0]: output}
    stem = Path(inputs[0]).stem if len(inputs) == 1 and inputs[0] != "-" else "kg"
    return {fmt: str(Path(output) / f"{stem}{EXTENSIONS[fmt]}") for fmt in formats}


@click.group()
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Turn ClinicalTrials.gov records into a validated schema.org knowledge graph."""


@main.command("export")
@click.argument("inputs", nargs=-1, required=True)
@click.option("-f", "--format", "formats", multiple=True, type=click.Choice(sorted(WRITERS)),
              help="Output format; repeat for several. Default: turtle and jsonld.")
@click.option("-o", "--output", default=DEFAULT_OUTPUT, show_default=True,
              help="Output directory, file, or - for standard output.")
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              help=f"Base IRI of the trials and their parts (or ${BASE_ENV}).")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no warnings.")
def export_command(inputs: tuple[str, ...], formats: tuple[str, ...], output: str, base: str,
                   quiet: bool) -> None:
    """Export study records (JSON files, pages, directories, or - for stdin) as RDF."""
    formats = formats or ("turtle", "jsonld")
    targets = targets_for(formats, output, inputs)
    progress = Progress(not quiet)

    def report(line: str) -> None:
        if not (quiet and line.startswith("warning")):
            click.echo(line, err=True)

    try:
        summary = export(read_inputs(inputs), targets, base=base, report=report,
                         on_record=progress.tick)
    except OSError as exc:
        click.echo(f"kg export: cannot write output: {exc}", err=True)
        sys.exit(2)
    progress.done()
    if not quiet:
        written = ", ".join(p for p in targets.values() if p != "-")
        click.echo(f"{summary.records} records, {summary.triples} triples, "
                   f"{summary.failed} failed, {summary.warnings} warnings"
                   + (f" -> {written}" if written else ""), err=True)
    sys.exit(0 if summary.ok else 1)


if __name__ == "__main__":  # pragma: no cover
    main(prog_name=os.path.basename(sys.argv[0]))
