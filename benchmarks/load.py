"""Load throughput (triples/s) into the embedded Oxigraph store and into a real Virtuoso.

Usage: python -m benchmarks.load [TRIALS]     (default 20,000)

Trials are the shared real records varied as in ``benchmarks/corpus.py``; they are mapped and
rendered first, so the figures are for loading alone (replacing one named graph per trial and
describing it). Virtuoso is started on free loopback ports with its own database directory, as
the tests do; it is skipped when ``virtuoso-t`` is not installed.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import machine, units
from kg.export import ExportOptions, outcomes
from kg.load import TrialGraph, load
from kg.mapping.ids import DEFAULT_BASE, trial_iri
from kg.stores.oxigraph import OxigraphStore
from kg.stores.remote import RemoteStore


def trial_graphs(size: int) -> list[TrialGraph]:
    options = ExportOptions(formats=("nquads",), base=DEFAULT_BASE, validate=False)
    return [TrialGraph(o.nct_id, trial_iri(DEFAULT_BASE, o.nct_id), o.blocks["nquads"],
                       o.triples, o.last_update)
            for o in outcomes(units(size), options, workers=2) if o.nct_id]


def timed(label: str, graphs: list[TrialGraph], store, batch_size: int) -> None:
    triples = sum(g.triples for g in graphs)
    start = time.perf_counter()
    summary = load(graphs, store, DEFAULT_BASE, source="benchmark", batch_size=batch_size)
    seconds = time.perf_counter() - start
    assert summary.ok, summary.error
    print(f"{label:<40} {len(graphs):>7,} trials {triples:>11,} triples {seconds:>8.1f} s "
          f"{triples / seconds:>10,.0f} triples/s {len(graphs) / seconds:>7,.0f} trials/s",
          flush=True)


def main(size: int) -> None:
    print(f"machine: {machine()}")
    graphs = trial_graphs(size)
    with tempfile.TemporaryDirectory() as directory:
        store = OxigraphStore(Path(directory) / "store")
        timed("Oxigraph (embedded), first load", graphs, store, 500)
        timed("Oxigraph (embedded), reload (replace)", graphs, store, 500)
        store.close()
    if shutil.which("virtuoso-t") is None:
        print("Virtuoso: skipped (virtuoso-t not installed)")
        return
    from tests.virtuoso import Virtuoso

    with tempfile.TemporaryDirectory() as directory:
        server = Virtuoso(Path(directory))
        server.start()
        try:
            import os

            os.environ.update(server.env())
            remote = RemoteStore(server.query_url, server.update_url, server.gsp_url)
            timed("Virtuoso (GSP PUT per trial), first load", graphs, remote, 500)
            timed("Virtuoso (GSP PUT per trial), reload", graphs, remote, 500)
        finally:
            server.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
