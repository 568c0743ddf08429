"""A stream of trial graphs into a store: one bulk-load call a segment into a store that loads
streams (Oxigraph), else batches of graphs each replaced whole; the graphs described as they
are loaded, and a failure naming every trial not loaded."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator

from kg.pipeline.load_description import (
    StoredTrial,
    announce_batch,
    describe_batch,
    describe_dataset,
    load_time,
    stored_trials,
)
from kg.pipeline.trial_graphs import LoadSummary, TrialGraph
from kg.rdf import overlong, refused_line
from kg.stores import FileLoading, Store, StoreError, StreamLoading

# Of a store that loads a stream (Oxigraph): the bytes one bulk-load call takes. Loaded trials
# are described after each call, so a crash loses the record of at most one segment.
SEGMENT_BYTES = 512 * 1024 * 1024


_DONE = object()


def read_ahead(items: Iterable, size: int = 64) -> Iterator:
    """``items``, produced by a thread of their own up to ``size`` ahead, so that reading and
    mapping the next trials overlap a store's loading of the current batch (Oxigraph's bulk
    loader and Virtuoso's, run as another process, do not hold the interpreter). An error of
    the producer is raised where the item would have been."""
    ready: queue.Queue = queue.Queue(maxsize=size)
    stopped = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stopped.is_set():
                    try:
                        ready.put((item, None), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stopped.is_set():
                    return
            ready.put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, which raises it
            ready.put((_DONE, exc))

    thread = threading.Thread(target=produce, name="kg-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item, error = ready.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stopped.set()


def _fed(trials: Iterator[TrialGraph], taken: list[TrialGraph]) -> Iterator[tuple[str, bytes]]:
    """The trials as (graph, N-Quads) for a store's stream, each noted in ``taken`` as it goes."""
    for trial in trials:
        taken.append(trial)
        yield trial.graph, trial.nquads


def load_stream(graphs: Iterable[TrialGraph], store: Store, base: str, source: str,
                since: bool = False, batch_size: int = 1000,
                on_batch: Callable[[list[TrialGraph]], None] | None = None) -> LoadSummary:
    """Replace each trial's graph in ``store``; stop at the first store failure and name the
    trials that were not loaded. A store that can take a stream (Oxigraph) gets segments of
    ``SEGMENT_BYTES`` in one bulk-load call each; others get batches of ``batch_size`` trials
    (and at most the store's ``batch_bytes``). Trials are described once they are loaded."""
    summary = LoadSummary()
    now = load_time()
    current: dict[str, StoredTrial] = {}

    def wanted(trials: Iterable[TrialGraph]) -> Iterator[TrialGraph]:
        for trial in trials:
            stored = current.get(trial.graph)
            if why := overlong(trial.nquads) or refused_line(trial.nquads):
                # the one trial refused, the others loaded (Oxigraph would refuse the batch)
                summary.refused[trial.nct_id] = why
                summary.not_loaded.append(trial.nct_id)
            elif since and stored and stored.modified and trial.modified \
                    and trial.modified <= stored.modified:
                summary.skipped.append(trial.nct_id)
            elif stored and stored.digest == trial.content_digest():
                summary.unchanged.append(trial.nct_id)
            else:
                yield trial

    iterator = read_ahead(wanted(graphs))
    batch: list[TrialGraph] = []

    def loaded(trials: list[TrialGraph]) -> None:
        for start in range(0, len(trials), batch_size):
            describe_batch(store, base, trials[start:start + batch_size], now)
        summary.loaded.extend(t.nct_id for t in trials)
        if on_batch is not None:
            on_batch(trials)

    try:
        current.update(stored_trials(store, base))
        # Graphs under the base with none described: a first load stopped part-way (kg
        # killed while the store loaded a file); any trial may be there, half written. (A
        # store that loads no files replaces every graph it is given whole: nothing to know.)
        undescribed = not current and isinstance(store, FileLoading) and not store.is_empty(base)
        if isinstance(store, StreamLoading):
            # Into an empty store (a first load), the whole stream in one call, as an N-Quads
            # file is loaded, and no graph to look for; else a segment a call, so that what
            # is loaded is described as the load goes.
            fresh = not current and not undescribed
            while True:
                batch = []
                if not store.replace_stream(_fed(iterator, batch),
                                            None if fresh else SEGMENT_BYTES, fresh):
                    break
                loaded(batch)
        else:
            limit = store.batch_bytes
            held = 0

            def replace(batch: list[TrialGraph]) -> None:
                announce_batch(store, base, batch)
                store.replace_graphs([(t.graph, t.nquads) for t in batch],
                                     stored=None if undescribed else
                                     {t.graph for t in batch if t.graph in current})
                loaded(batch)

            for trial in iterator:
                batch.append(trial)
                held += len(trial.nquads)
                if len(batch) >= batch_size or held >= limit:
                    replace(batch)
                    batch, held = [], 0
            if batch:
                replace(batch)
                batch = []
        describe_dataset(store, base, source, now)
    except StoreError as exc:
        summary.error = str(exc)
        summary.not_loaded.extend(t.nct_id for t in batch if t.nct_id not in summary.loaded)
        summary.not_loaded.extend(t.nct_id for t in iterator)
    return summary


