"""An N-Quads file read whole by a store's own loader (:class:`~kg.stores.FileLoading`), with
no Python between the file and the store's parser: the registry-scale path."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from kg.pipeline.load_description import (
    StoredTrial,
    describe_batch,
    describe_dataset,
    load_time,
    stored_trials,
)
from kg.pipeline.trial_graphs import InputError, LoadSummary, TrialGraph, digest_of, trial_of
from kg.rdf import overlong, refused_line
from kg.serialize.quads import QuadsError, Reading, graph_blocks
from kg.stores import FileLoading, Store, StoreError


class _Survey:
    """What the first pass over an N-Quads file finds: the trials to load, those stored with
    the same digest, the stored graphs to remove first, and the lines not in kg's form."""

    def __init__(self) -> None:
        self.trials: list[TrialGraph] = []
        self.unchanged: list[TrialGraph] = []
        self.replaced: list[str] = []
        self.reading = Reading()
        self.error: QuadsError | None = None
        # a trial the store's loader would refuse, failing the whole file: the file is then
        # streamed, where that trial alone is refused and named
        self.refusing = False

    def run(self, path: Path, current: dict[str, StoredTrial], store: Store | None) -> None:
        """``store`` None: no graph to look for (the store held nothing when the load began,
        or cannot be asked)."""
        try:
            for block in graph_blocks(path, self.reading):
                if overlong(block.data) or refused_line(block.data):
                    self.refusing = True
                    return
                trial = trial_of(block, b"", digest_of(block.data))
                stored = current.get(trial.graph)
                if stored and stored.digest == trial.digest:
                    self.unchanged.append(trial)  # reloaded as it is: the store keeps one copy
                else:
                    self.trials.append(trial)
                    if stored or (store is not None and store.has_graph(trial.graph)):
                        self.replaced.append(trial.graph)
        except QuadsError as exc:
            self.error = exc


def load_nquads_file(path: Path, store: FileLoading, base: str, source: str,
                     on_batch: Callable[[list[TrialGraph]], None] | None = None,
                     batch_size: int = 1000) -> LoadSummary | None:
    """An N-Quads file loaded by the store's own reader, when the store has one (Oxigraph's
    bulk loader; Virtuoso's, given the file in parts in its shared directory).

    A first pass reads the graphs (names, sizes, update dates and content digests, and that
    the file is well formed); changed graphs that are stored already are removed; the store
    bulk-loads the file itself, with no Python between the file and its parser; the trials are
    described. A graph stored with the same digest is left as it is: the load writes the same
    quads again, which changes nothing. None when the file is not for this path (a line not in
    the form ``kg export`` writes, or more than half of the trials unchanged, where streaming
    only the changed ones is faster): the caller streams it instead. An unreadable file raises
    InputError, the store as it was before.

    Into an empty store (a first load, the registry-scale case) the first pass runs in a thread
    while the store loads, since there is nothing to remove first (measured: a tenth off the
    load); if the pass then finds the file unreadable or not in kg's form, or the store fails,
    the store is put back as it was (``discard``: Oxigraph emptied, a Virtuoso rid of the
    graphs under ``base``, since the server may hold other data). A store without
    ``reloads_files`` (Virtuoso) takes only first loads this way: into a store holding trials,
    the caller's batches replace each graph beside its stored copy, so that a failure leaves
    the store as it was, where removing the stored graphs first could not."""
    if not store.reloads_files:
        try:
            if not store.is_empty(base):  # the description graph is under the base too
                return None  # batches; load() reads the stored trials, once
        except StoreError:
            return None  # load() meets the same error and names every trial
    try:
        current, error = stored_trials(store, base), ""
    except StoreError as exc:  # the trials are still read, to name them as not loaded
        current, error = {}, str(exc)
    survey = _Survey()
    if not error and not current and store.is_empty(base):
        return _load_into_empty(path, store, base, source, survey, on_batch, batch_size)
    survey.run(path, current, None if error else store)
    if survey.error is not None:
        raise InputError(str(survey.error)) from survey.error
    if error:
        return LoadSummary(not_loaded=[t.nct_id for t in survey.trials + survey.unchanged],
                           error=error)
    if survey.reading.other_lines or survey.refusing or \
            len(survey.unchanged) > len(survey.trials):
        return None  # not in kg's form, a trial to refuse alone, or mostly stored already
    summary = LoadSummary(unchanged=[t.nct_id for t in survey.unchanged])
    try:
        store.remove_graphs(survey.replaced)
        store.load_file(path)
    except StoreError as exc:
        return _failed(summary, survey.trials, exc)
    return _described(store, base, source, survey.trials, summary, on_batch, batch_size)


def _load_into_empty(path: Path, store: Store, base: str, source: str, survey: _Survey,
                     on_batch: Callable[[list[TrialGraph]], None] | None,
                     batch_size: int) -> LoadSummary | None:
    surveying = threading.Thread(target=survey.run, args=(path, {}, None), daemon=True)
    surveying.start()
    try:
        store.load_file(path)  # the store's loader lets go of the GIL (a thread or a process)
        failure = None
    except StoreError as exc:
        failure = exc
    surveying.join()
    if survey.error is not None or survey.reading.other_lines or survey.refusing or \
            failure is not None:
        try:
            store.discard(base)
        except StoreError as exc:  # a server gone down: it keeps nothing past its checkpoint
            failure = failure or exc
    if survey.error is not None:
        raise InputError(str(survey.error)) from survey.error
    if survey.reading.other_lines or survey.refusing:
        return None
    if failure is not None:
        return _failed(LoadSummary(), survey.trials, failure)
    return _described(store, base, source, survey.trials, LoadSummary(), on_batch, batch_size)


def _failed(summary: LoadSummary, trials: list[TrialGraph], exc: StoreError) -> LoadSummary:
    summary.error = str(exc)
    summary.not_loaded.extend(t.nct_id for t in trials if t.nct_id not in summary.loaded)
    return summary


def _described(store: Store, base: str, source: str, trials: list[TrialGraph],
               summary: LoadSummary, on_batch: Callable[[list[TrialGraph]], None] | None,
               batch_size: int) -> LoadSummary:
    """The loaded trials described in the description graph, in batches."""
    now = load_time()
    try:
        for start in range(0, len(trials), batch_size):
            part = trials[start:start + batch_size]
            describe_batch(store, base, part, now)
            summary.loaded.extend(t.nct_id for t in part)
            if on_batch is not None:
                on_batch(part)
        describe_dataset(store, base, source, now)
    except StoreError as exc:
        return _failed(summary, trials, exc)
    return summary
