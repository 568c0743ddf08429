"""Export: raw inputs -> records -> mapping -> rendered blocks -> outputs, in input order.

The work on each input (parse, map, validate, render every format) is one pure function,
:func:`process_unit`, run in-process for one worker and in a pool of processes for more. Results
come back in input order through a bounded window, so memory stays flat whatever the number of
records and the output is byte-identical whatever the number of workers.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from kg.errors import RecordError
from kg.ids import is_nct_id
from kg.mapping import map_record, nct_id_of
from kg.mapping.fields import module
from kg.pipeline.outputs import encode_block
from kg.serialize import FORMATS
from kg.sources.readers import unit_items
from kg.sources.units import RawUnit, SourceItem
from kg.workers import pool as worker_pool


@dataclass(frozen=True)
class ExportOptions:
    formats: tuple[str, ...]
    base: str
    validate: bool = True
    strict: bool = False
    engine: str = "native"  # SHACL engine: native (default), turbo or pyshacl (the reference)
    compression: str | None = None  # "gz" or "zst": blocks are compressed where rendered


class RecordOutcome(NamedTuple):
    """What became of one record: its rendered blocks, or why there are none."""

    nct_id: str
    blocks: dict[str, bytes]  # per format, encoded (and compressed) for its output file
    triples: int
    lines: list[str]  # problems and validation results, one line each, for standard error
    failed: bool  # unreadable or malformed: counts against the exit status
    invalid: bool  # violates a shape
    warnings: int
    shape_counts: Counter
    last_update: str | None = None  # the record's last update post date, for loaders
    origin: str = ""


@dataclass
class ExportSummary:
    records: int = 0
    failed: int = 0
    invalid: int = 0
    triples: int = 0
    warnings: int = 0
    shape_counts: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.invalid == 0


def process_unit(unit: RawUnit, options: ExportOptions, enricher=None) -> list[RecordOutcome]:
    """Every record of one input file, mapped, checked and rendered. No I/O, unless an
    :class:`~kg.links.publications.Enricher` is given to add what outside services know."""
    outcomes = []
    items = unit_items(unit)
    while True:
        try:
            item = next(items)
        except StopIteration:
            break
        except Exception as exc:  # a reader's defect must not lose the other files
            outcomes.append(_failure(RecordError(f"cannot be read ({_describe(exc)})",
                                                 origin=unit.origin)))
            break
        if item.registry == "skipped":  # a document beside the records (a schema): said, not failed
            outcomes.append(RecordOutcome("", {}, 0, [f"warning: {item.error.line()}"], False,
                                          False, 1, Counter()))
            continue
        if item.error is not None:
            outcomes.append(_failure(item.error))
            continue
        try:
            outcomes.append(_process_item(item, options, enricher))
        except RecordError as exc:
            outcomes.append(_failure(exc))
        except Exception as exc:  # one record's defect must not lose the others
            outcomes.append(_failure(RecordError(
                f"cannot be mapped ({_describe(exc)})", origin=item.origin,
                nct_id=_nct_id_or_blank(item.record))))
    return outcomes


def _describe(exc: Exception) -> str:
    first = str(exc).strip().split("\n", 1)[0][:200]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _nct_id_or_blank(record: object) -> str:
    try:
        return nct_id_of(record)
    except RecordError:
        return ""


def _process_item(item: SourceItem, options: ExportOptions, enricher) -> RecordOutcome:
    """One record mapped, enriched, validated and rendered."""
    mapped = map_record(item.record, base=options.base, origin=item.origin,
                        registry=item.registry)
    lines = [problem.line(item.origin) for problem in mapped.problems]
    if enricher is not None:
        extra, notes = enricher.enrich(mapped.triples)
        mapped = mapped._replace(triples=mapped.triples + extra)
        lines.extend(f"warning: {item.origin}: {mapped.nct_id}: {note}" for note in notes)
    failed = any(p.severity == "error" for p in mapped.problems)
    warnings = len(lines) - sum(p.severity == "error" for p in mapped.problems)
    invalid = False
    counts: Counter = Counter()
    if options.validate:
        from kg.validation.results import summary_counts
        from kg.validation.validate import validate_mapped

        results = validate_mapped(mapped, options.engine)
        counts = summary_counts(results)
        lines.extend(r.line() for r in results)
        invalid = any(r.severity == "Violation" for r in results)
    blocks = {} if invalid and options.strict else {
        fmt: encode_block(FORMATS[fmt].render(mapped), options.compression)
        for fmt in options.formats}
    return RecordOutcome(mapped.nct_id, blocks, len(mapped.triples), lines, failed, invalid,
                         warnings, counts, last_update_of(item.record), item.origin)


def _failure(error: RecordError) -> RecordOutcome:
    return RecordOutcome("", {}, 0, [f"error: {error.line()}"], True, False, 0, Counter())


def last_update_of(record: dict) -> str | None:
    """The record's last update post date, which a loader compares with the stored one."""
    status = module(record, "protocolSection", "statusModule")
    struct = status.get("lastUpdatePostDateStruct")
    date = struct.get("date") if isinstance(struct, dict) else None
    return date if isinstance(date, str) else None


def _process_chunk(task: tuple[list[RawUnit], ExportOptions]) -> list[list[RecordOutcome]]:
    units, options = task
    return [process_unit(unit, options) for unit in units]


def _chunks(units: Iterable[RawUnit], size: int,
            max_bytes: int = 2_000_000) -> Iterator[list[RawUnit]]:
    """Chunks of at most ``size`` units and about ``max_bytes`` of input, so that a run of very
    large records (thousands of sites) holds no more in flight than a run of small ones."""
    chunk: list[RawUnit] = []
    held = 0
    for unit in units:
        chunk.append(unit)
        held += len(unit.data or b"")
        if len(chunk) == size or held >= max_bytes:
            yield chunk
            chunk = []
            held = 0
    if chunk:
        yield chunk


class SeenIds:
    """Registrations met so far: an NCT id as one bit per possible id (12.5 MB, whatever the
    number of records, so a run over the whole registry costs no memory that grows with it);
    another registry's key in a set (those registries are a small fraction of the records)."""

    def __init__(self) -> None:
        self.bits = bytearray(100_000_000 // 8)
        self.others: set[str] = set()

    def check_and_add(self, nct_id: str) -> bool:
        """True if the id was seen before; records it either way."""
        if not is_nct_id(nct_id):
            seen = nct_id in self.others
            self.others.add(nct_id)
            return seen
        number = int(nct_id[3:])
        byte, bit = divmod(number, 8)
        seen = bool(self.bits[byte] & (1 << bit))
        self.bits[byte] |= 1 << bit
        return seen


def outcomes(units: Iterable[RawUnit], options: ExportOptions, workers: int = 1,
             chunk_size: int = 64, enricher=None, each_once: bool = True
             ) -> Iterator[RecordOutcome]:
    """Record outcomes in input order, each trial once: a later record with an NCT id already
    seen in the run (a page repeating a study file) is reported and left out, so a file never
    merges two versions of one trial into one graph. (``each_once`` False: every copy, for a
    caller that chooses between them, as ``kg sync`` keeps the newer.)"""
    seen = SeenIds()
    if enricher is not None:  # one polite HTTP client: requests stay in this process
        produced = (o for unit in units for o in process_unit(unit, options, enricher))
    else:
        produced = _all_outcomes(units, options, workers, chunk_size)
    for outcome in produced:
        if each_once and outcome.nct_id and seen.check_and_add(outcome.nct_id):
            yield RecordOutcome("", {}, 0, [f"warning: {outcome.origin}: {outcome.nct_id}: "
                                            "appears again in the input; the first is kept"],
                                False, False, 1, Counter())
            continue
        yield outcome


def _all_outcomes(units: Iterable[RawUnit], options: ExportOptions, workers: int,
                  chunk_size: int) -> Iterator[RecordOutcome]:
    """Record outcomes in input order; with workers, at most a few chunks in flight per worker."""
    if workers <= 1:
        for unit in units:
            yield from process_unit(unit, options)
        return
    window = workers * 2
    with worker_pool(workers) as pool:
        pending: deque = deque()
        for chunk in _chunks(units, chunk_size):
            pending.append(pool.apply_async(_process_chunk, ((chunk, options),)))
            if len(pending) >= window:
                for unit_outcomes in pending.popleft().get():
                    yield from unit_outcomes
        while pending:
            for unit_outcomes in pending.popleft().get():
                yield from unit_outcomes


def export(
    units: Iterable[RawUnit],
    outputs,
    options: ExportOptions,
    workers: int = 1,
    report: Callable[[str], None] = lambda line: None,
    on_record: Callable[[RecordOutcome], None] | None = None,
    enricher=None,
) -> ExportSummary:
    """Write every record's blocks to ``outputs`` (an :class:`~kg.pipeline.outputs.Outputs` or
    :class:`~kg.pipeline.outputs.ShardedOutputs`), reporting each problem line; returns the counts."""
    summary = ExportSummary()
    with outputs:
        for outcome in outcomes(units, options, workers, enricher=enricher):
            for line in outcome.lines:
                report(line)
            summary.failed += outcome.failed
            summary.invalid += outcome.invalid
            summary.warnings += outcome.warnings
            summary.shape_counts.update(outcome.shape_counts)
            if outcome.nct_id:
                summary.records += 1
                summary.triples += outcome.triples
                outputs.write(outcome.blocks, outcome.nct_id)
            if on_record is not None:
                on_record(outcome)
    return summary
