"""The ``kg`` command: argument parsing, progress and exit codes; the work is in the library.

Exit status: 0 all records exported (and valid), 1 some record failed or violates a shape,
2 the command could not run (bad arguments, missing or unreadable inputs, unreadable output
location, a store that cannot be reached), 3 an internal error (a bug).

One module per command group (:mod:`~kg.cli.export`, :mod:`~kg.cli.validate`,
:mod:`~kg.cli.store`, :mod:`~kg.cli.links`, :mod:`~kg.cli.serve`), what they share in
:mod:`~kg.cli.options`; this one holds the ``kg`` group itself.
"""

from __future__ import annotations

import os
import signal
import sys

import click

from kg import __version__
from kg.cli.export import export_command, fetch_command
from kg.cli.links import enrich_command, link_command
from kg.cli.serve import serve_command
from kg.cli.store import load_command, query_command, sync_command
from kg.cli.validate import validate_command
from kg.workers import tune_gc


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


@click.group(cls=KgGroup)
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Turn ClinicalTrials.gov records into a validated schema.org knowledge graph."""
    tune_gc()  # this process maps and checks records too (-w 1)
    # SIGTERM (a service manager, a CI runner, `timeout`) ends a run as an error does: files
    # half written are removed, never left as if complete.
    signal.signal(signal.SIGTERM, _stopped)
    signal.signal(signal.SIGHUP, _stopped)


def _stopped(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


main.add_command(export_command)
main.add_command(fetch_command)
main.add_command(validate_command)
main.add_command(load_command)
main.add_command(query_command)
main.add_command(sync_command)
main.add_command(link_command)
main.add_command(enrich_command)
main.add_command(serve_command)
