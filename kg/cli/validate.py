"""``kg validate``: RDF files or records checked against the shapes."""

from __future__ import annotations

import os
import sys

import click
import orjson

from kg.cli.options import (
    check_base,
    require_shapes,
    say,
)
from kg.ids import BASE_ENV, DEFAULT_BASE
from kg.validation.engines import DEFAULT_ENGINE, ENGINES
from kg.validation.results import report_graph, summary_counts


@click.command("validate")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "report_format", type=click.Choice(["text", "json", "turtle"]),
              default="text", show_default=True, help="How to print the results.")
@click.option("-w", "--workers", type=int, default=os.cpu_count() or 1, show_default=True,
              help="Worker processes; trials are validated one by one in parallel.")
@click.option("--base", envvar=BASE_ENV, default=DEFAULT_BASE, show_default=True,
              callback=check_base,
              help=f"Base IRI when validating records (or ${BASE_ENV}).")
@click.option("--engine", type=click.Choice(list(ENGINES)), default=DEFAULT_ENGINE,
              show_default=True,
              help="SHACL engine: native (kg's shapes compiled to Python), turbo (pyshacl-turbo, "
                   "Rust) or pyshacl (the reference); same results.")
@click.option("-q", "--quiet", is_flag=True, help="No warnings and no summary; results only.")
def validate_command(inputs: tuple[str, ...], report_format: str, workers: int, base: str,
                     engine: str, quiet: bool) -> None:
    """Validate RDF files (Turtle, JSON-LD, N-Triples, N-Quads) or records against the shapes.

    Exit status: 0 conforms, 1 violations, 2 the command could not run."""
    from kg.validation.runs import ValidationInputError, run_validation

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
