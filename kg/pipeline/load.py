"""``kg load``: every input into a store, one named graph per trial (the trial's IRI), replaced
whole, so loading twice leaves one copy and an updated record replaces the old one. Which path
an input takes is decided here, and only here, from the input's format and what the store
declares it can do (:mod:`kg.stores`):

- **An N-Quads file** (``.nq``), without ``--since``, into a :class:`~kg.stores.FileLoading`
  store (Oxigraph; Virtuoso's bulk loader while it holds none of kg's graphs): the store's own
  loader reads the whole file (:mod:`kg.pipeline.load_file`). Where that path declines (lines
  not in kg's form, most trials unchanged, a Virtuoso holding trials) the file is streamed.
- **Every other RDF file** (N-Triples, Turtle, JSON-LD, TriG), into any store: read a trial at
  a time (:func:`~kg.pipeline.trial_graphs.graphs_from_rdf`), then streamed.
- **Records** (JSON, legacy XML, bulk archives, stdin), into any store: mapped in worker
  processes (:func:`~kg.pipeline.trial_graphs.graphs_from_records`), then streamed.
- **The stream** (:mod:`kg.pipeline.load_stream`), into a :class:`~kg.stores.StreamLoading`
  store (Oxigraph): one bulk-load call a 512 MB segment, the whole stream in one call into an
  empty store; into any other (Graph Store Protocol, SPARQL Update, Virtuoso's bulk loader):
  batches of ``--batch-size`` trials and at most the store's ``batch_bytes``, each graph
  replaced whole (Virtuoso: staged beside its stored copy and swapped).

So a Turtle file into Virtuoso: kg's Turtle is read a record at a time (in C where it is in
kg's form, by Oxigraph otherwise), each trial becomes its N-Quads lines, and batches of them go
to :meth:`kg.stores.virtuoso.VirtuosoBulkStore.replace_graphs`.

A trial met again in the same load (in another input, or twice in one) is one trial: the last
copy is kept, and said on standard error. The store's description graph
(:mod:`kg.pipeline.load_description`) says what was loaded; a load that fails part-way names
every trial it did not load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path

from kg.pipeline.load_file import load_nquads_file
from kg.pipeline.load_stream import load_stream
from kg.pipeline.trial_graphs import (
    InputError,
    LoadSummary,
    TrialGraph,
    graphs_from_rdf,
    graphs_from_records,
)
from kg.pipeline.trial_groups import regroup
from kg.serialize.rdf_formats import rdf_format_of
from kg.stores import FileLoading, Store


def load_inputs(inputs: list[str], store: Store, base: str, *, since: bool = False,
                workers: int = 1, batch_size: int = 1000,
                report: Callable[[str], None] = lambda line: None,
                on_batch: Callable[[list[TrialGraph]], None] | None = None) -> LoadSummary:
    """Load every input (RDF files first, then records, each in the order given) by the path
    the table above gives it. An input that cannot be read is reported and counted; the others
    go on. Stops at the first failure of the store, naming the trials not loaded; the store's
    own errors on opening or closing are the caller's."""
    rdf_files = [Path(name) for name in inputs if rdf_format_of(name)]
    records = [name for name in inputs if not rdf_format_of(name)]
    source = " ".join(inputs)
    result, failed = LoadSummary(), LoadSummary()

    def readable(path: Path) -> Iterator[TrialGraph]:
        try:
            yield from graphs_from_rdf(path)
        except InputError as exc:
            report(f"error: {exc}")
            failed.failed_inputs += 1

    seen = _LastCopies(report)
    streamed = []
    for number, path in enumerate(rdf_files):
        # Once a file is streamed, those after it are too, so that trials go to the store in
        # the order of the inputs (the last copy of a trial met twice is the one kept).
        whole_file = (not since and not streamed and isinstance(store, FileLoading)
                      and rdf_format_of(path).name == "nquads")
        try:
            done = load_nquads_file(path, store, base, source, on_batch, batch_size) \
                if whole_file else None
        except InputError as exc:
            report(f"error: {exc}")
            failed.failed_inputs += 1
            continue
        if done is None:
            streamed.append(path)
            continue
        seen.met_whole(done)
        result.add(done)
        if done.error:
            result.not_loaded.extend(f"{p} (not read)" for p in rdf_files[number + 1:])
            break
    # The rest streamed; a run whose files all went whole to the store was described there
    # (an empty pass would ask the store for every trial again: 11 s at 50,000).
    if not result.error and (streamed or records or not result.loaded):
        graphs = chain(*(readable(p) for p in streamed),
                       graphs_from_records(records, base, workers, report, failed))
        result.add(load_stream(seen.first_copies(graphs), store, base, source=source,
                               since=since, batch_size=batch_size, on_batch=on_batch))
        if seen.later and not result.error:  # each replaces the copy loaded before it
            result.add(load_stream(iter(seen.later.values()), store, base, source=source,
                                   batch_size=batch_size, on_batch=on_batch))
    result.failed_inputs += failed.failed_inputs
    if result.loaded and not result.error:
        regroup(store, base)
    return result.counted_once()


class _LastCopies:
    """The trials a load has met, so that a trial met again is one trial whose last copy is
    kept: a later copy in a stream is held back (``later``, one per trial) and loaded after the
    stream, replacing the first; a whole file's copy has replaced the earlier one already."""

    def __init__(self, report: Callable[[str], None]) -> None:
        self.report = report
        self.met: set[str] = set()
        self.later: dict[str, TrialGraph] = {}

    def again(self, nct_id: str) -> None:
        self.report(f"warning: {nct_id}: appears again in the inputs; the last copy is kept")

    def met_whole(self, done: LoadSummary) -> None:
        for nct_id in done.loaded + done.unchanged:
            if nct_id in self.met:
                self.again(nct_id)
            self.met.add(nct_id)

    def first_copies(self, graphs: Iterable[TrialGraph]) -> Iterator[TrialGraph]:
        for trial in graphs:
            if trial.nct_id in self.met:
                self.again(trial.nct_id)
                self.later[trial.nct_id] = trial
                continue
            self.met.add(trial.nct_id)
            yield trial
