"""``kg validate`` over many inputs: RDF files or records, trial by trial, in worker processes.

Work is sent to workers as plain data (record dicts, or a trial's N-Triples), and results come
back in input order, so the report is the same whatever the number of workers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import rdflib

from kg.errors import RecordError
from kg.mapping import map_record
from kg.rdf import overlong, refused_line
from kg.serialize.quads import QuadsError
from kg.serialize.rdf_files import ContextRefused, rdflib_graph
from kg.serialize.rdf_formats import rdf_format_of
from kg.serialize.trial_blocks import TrialText, trial_texts
from kg.serialize.trial_cut import ntriples_trials
from kg.sources.files import read_inputs
from kg.validation.engines import DEFAULT_ENGINE
from kg.validation.results import ValidationResult
from kg.validation.validate import validate_mapped, validate_nquads
from kg.workers import bounded_map


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


def _validate_nquads(task: tuple[list[TrialText], str]) -> list[list[ValidationResult]]:
    """A batch of trials, each parsed here (a worker) where the file is Turtle or JSON-LD."""
    trials, engine = task
    return [_validate_trial(text, engine) for text in trials]


def _validate_trial(text: TrialText, engine: str) -> list[ValidationResult]:
    try:
        lines = text.lines()
        if why := overlong(lines) or refused_line(lines):  # refused as kg load refuses it
            raise QuadsError(f"trial {text.label}: {why}")
        return validate_nquads(lines, text.label, engine)
    except UnicodeDecodeError as exc:  # a file's bytes, not a bug: one line naming the trial
        raise QuadsError(f"trial {text.label}: not UTF-8 ({exc.reason}, byte "
                         f"{exc.object[exc.start:exc.start + 1]!r})") from None
    except SyntaxError as exc:  # Oxigraph refused a line kg's readers passed on to it
        first = str(exc).strip().split("\n", 1)[0][:300]
        raise QuadsError(f"trial {text.label}: not RDF ({first})") from None


def _batches(trials: Iterable[TrialText], engine: str, workers: int, size: int = 16,
             max_bytes: int = 2_000_000) -> Iterator[tuple[list[TrialText], str]]:
    """Trials in groups, so that handing work to a process costs little beside checking it
    (a group is also bounded in size: a few trials can be megabytes). Worker processes are
    sent where a trial's bytes are in the file rather than the bytes, where they can be."""
    batch: list[TrialText] = []
    held = 0
    for trial in trials:
        batch.append(trial.sendable() if workers > 1 else trial)
        held += len(trial.data)
        if len(batch) == size or held >= max_bytes:
            yield batch, engine
            batch, held = [], 0
    if batch:
        yield batch, engine


def _validate_record(task: tuple[str, dict, str, str, str]
                     ) -> tuple[list[ValidationResult], list[str]]:
    origin, record, base, engine, registry = task
    try:
        mapped = map_record(record, base=base, origin=origin, registry=registry)
    except RecordError as exc:
        return [], [f"error: {exc.line()}"]
    return validate_mapped(mapped, engine), [p.line(origin) for p in mapped.problems]


def _graph_tasks(path: Path) -> Iterator[TrialText]:
    """One task per trial, streamed a trial at a time where the file is N-Quads or kg's own
    N-Triples, Turtle or JSON-LD (whose records the workers parse), or parsed by Oxigraph where
    it is other N-Triples or Turtle (:mod:`kg.serialize.trial_blocks`); JSON-LD and TriG that kg
    did not write are parsed whole by rdflib (remote contexts refused), since a trial's nodes
    may be anywhere in them."""
    fmt = rdf_format_of(path).name
    try:
        texts = trial_texts(path)
        if texts is not None:
            yield from texts
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
    for block in ntriples_trials(graph.serialize(format="nt", encoding="utf-8")):
        yield TrialText(block.graph.rsplit("/", 1)[-1], "nquads", block.data, str(path))


def run_validation(inputs: Iterable[str], base: str, workers: int = 1,
                   engine: str = DEFAULT_ENGINE) -> ValidationOutcome:
    outcome = ValidationOutcome()
    rdf_files = [Path(i) for i in inputs if rdf_format_of(i)]
    record_inputs = [i for i in inputs if not rdf_format_of(i)]
    for path in rdf_files:
        if not path.is_file():
            raise ValidationInputError(f"{path}: no such file")
        before = outcome.trials
        try:
            for batch in bounded_map(_validate_nquads, _batches(_graph_tasks(path), engine, workers),
                                     workers):
                for results in batch:
                    outcome.trials += 1
                    outcome.results.extend(results)
        except QuadsError as exc:  # a record a worker could not parse
            first_line = str(exc).strip().split("\n", 1)[0]
            raise ValidationInputError(f"{path}: not valid {rdf_format_of(path).name} "
                                       f"({first_line})") from exc
        if outcome.trials == before:
            outcome.problems.append(f"warning: {path}: no schema:MedicalStudy in the graph")

    def record_tasks() -> Iterator[tuple[str, dict, str, str, str]]:
        for item in read_inputs(record_inputs):
            if item.registry == "skipped":  # a document beside the records (a schema)
                outcome.problems.append(f"warning: {item.error.line()}")
            elif item.error is not None:
                outcome.failed += 1
                outcome.problems.append(f"error: {item.error.line()}")
            else:
                yield item.origin, item.record, base, engine, item.registry

    for results, problems in bounded_map(_validate_record, record_tasks(), workers):
        outcome.trials += 1
        outcome.results.extend(results)
        outcome.problems.extend(problems)
    return outcome
