"""``kg validate`` over many inputs: RDF files or records, trial by trial, in worker processes.

Work is sent to workers as plain data (record dicts, or a trial's N-Triples), and results come
back in input order, so the report is the same whatever the number of workers.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import rdflib

from kg.errors import RecordError
from kg.mapping import map_record
from kg.serialize.quads import QuadsError
from kg.serialize.rdf_files import ContextRefused, rdflib_graph
from kg.serialize.trial_blocks import trial_blocks
from kg.sources.files import read_inputs
from kg.validation.validate import (
    DEFAULT_ENGINE,
    ValidationResult,
    trial_subgraphs,
    validate_mapped,
    validate_nquads,
)
from kg.workers import pool as worker_pool

RDF_FORMATS = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads", ".jsonld": "json-ld",
               ".trig": "trig"}


class ValidationInputError(Exception):
    """An input that cannot be validated at all (not RDF, unreadable)."""


@dataclass
class ValidationOutcome:
    results: list[ValidationResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    trials: int = 0
    failed: int = 0

    @property
    def violations(self) -> int:
        return sum(r.severity == "Violation" for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(r.severity != "Violation" for r in self.results)


def _validate_nquads(task: tuple[list[tuple[str, str]], str]) -> list[list[ValidationResult]]:
    trials, engine = task
    return [validate_nquads(text, nct_id, engine) for nct_id, text in trials]


def _batches(trials: Iterable[tuple[str, str]], engine: str, size: int = 16,
             max_chars: int = 2_000_000) -> Iterator[tuple[list[tuple[str, str]], str]]:
    """Trials in groups, so that handing work to a process costs little beside checking it
    (a group is also bounded in size: a few trials can be megabytes)."""
    batch: list[tuple[str, str]] = []
    held = 0
    for trial in trials:
        batch.append(trial)
        held += len(trial[1])
        if len(batch) == size or held >= max_chars:
            yield batch, engine
            batch, held = [], 0
    if batch:
        yield batch, engine


def _validate_record(task: tuple[str, dict, str, str]
                     ) -> tuple[list[ValidationResult], list[str]]:
    origin, record, base, engine = task
    try:
        mapped = map_record(record, base=base, origin=origin)
    except RecordError as exc:
        return [], [f"error: {exc.line()}"]
    return validate_mapped(mapped, engine), [p.line(origin) for p in mapped.problems]


def _graph_tasks(path: Path) -> Iterator[tuple[str, str]]:
    """One task per trial, streamed a trial at a time where the file is N-Quads or kg's own
    N-Triples, Turtle or JSON-LD, or parsed by Oxigraph where it is other N-Triples or Turtle
    (:mod:`kg.serialize.trial_blocks`); JSON-LD and TriG that kg did not write are parsed whole
    by rdflib (remote contexts refused), since a trial's nodes may be anywhere in them."""
    fmt = RDF_FORMATS[path.suffix.lower()]
    try:
        blocks = trial_blocks(path)
        if blocks is not None:
            for block in blocks:
                yield block.graph.rsplit("/", 1)[-1], block.data.decode()
            return
    except (QuadsError, OSError, UnicodeDecodeError) as exc:
        first_line = str(exc).strip().split("\n", 1)[0] or type(exc).__name__
        raise ValidationInputError(f"{path}: not valid {fmt} ({first_line})") from exc
    try:
        if fmt == "trig":
            dataset = rdflib.Dataset()
            dataset.parse(path, format=fmt)
            graph = rdflib.Graph()
            for s, p, o, _ in dataset.quads():
                graph.add((s, p, o))
        else:
            graph = rdflib_graph(path, fmt)
    except ContextRefused as exc:
        raise ValidationInputError(str(exc)) from exc
    except Exception as exc:  # rdflib raises many kinds for malformed input
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValidationInputError(f"{path}: not valid {fmt} ({first_line})") from exc
    for nct_id, _, sub in trial_subgraphs(graph):
        yield nct_id, sub.serialize(format="nt")


def _map(function, tasks: Iterable, workers: int) -> Iterator:
    """``function`` over ``tasks`` in order, with at most a few tasks per worker in flight, so
    memory holds a window of trials, not the run (``Pool.imap`` would read every task ahead)."""
    if workers <= 1:
        yield from map(function, tasks)
        return
    window: deque = deque()
    with worker_pool(workers) as pool:
        for task in tasks:
            window.append(pool.apply_async(function, (task,)))
            if len(window) >= workers * 3:
                yield window.popleft().get()
        while window:
            yield window.popleft().get()


def run_validation(inputs: Iterable[str], base: str, workers: int = 1,
                   engine: str = DEFAULT_ENGINE) -> ValidationOutcome:
    outcome = ValidationOutcome()
    rdf_files = [Path(i) for i in inputs if Path(i).suffix.lower() in RDF_FORMATS]
    record_inputs = [i for i in inputs if Path(i).suffix.lower() not in RDF_FORMATS]
    for path in rdf_files:
        if not path.is_file():
            raise ValidationInputError(f"{path}: no such file")
        before = outcome.trials
        for batch in _map(_validate_nquads, _batches(_graph_tasks(path), engine), workers):
            for results in batch:
                outcome.trials += 1
                outcome.results.extend(results)
        if outcome.trials == before:
            outcome.problems.append(f"warning: {path}: no schema:MedicalStudy in the graph")

    def record_tasks() -> Iterator[tuple[str, dict, str]]:
        for item in read_inputs(record_inputs):
            if item.error is not None:
                outcome.failed += 1
                outcome.problems.append(f"error: {item.error.line()}")
            else:
                yield item.origin, item.record, base, engine

    for results, problems in _map(_validate_record, record_tasks(), workers):
        outcome.trials += 1
        outcome.results.extend(results)
        outcome.problems.extend(problems)
    return outcome
