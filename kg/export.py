"""Export: records from sources, through the mapping, into one or more writers.

This is the library entry point the CLI wraps: it maps each record once, feeds every writer,
and reports each problem through a callback instead of printing, so callers choose how.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import RecordError
from kg.mapping import MappedRecord, map_record
from kg.mapping.ids import DEFAULT_BASE
from kg.outputs import atomic_text
from kg.serialize import WRITERS
from kg.sources.files import SourceItem


@dataclass
class ExportSummary:
    records: int = 0
    failed: int = 0
    triples: int = 0
    warnings: int = 0
    invalid: int = 0
    trials: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.invalid == 0


Report = Callable[[str], None]


def map_items(
    items: Iterable[SourceItem], base: str, report: Report, summary: ExportSummary
) -> Iterable[MappedRecord]:
    """Mapped records, in input order; each failure is reported once and skipped or flagged."""
    for item in items:
        if item.error is not None:
            summary.failed += 1
            report(f"error: {item.error.line()}")
            continue
        try:
            mapped = map_record(item.record, base=base, origin=item.origin)
        except RecordError as exc:
            summary.failed += 1
            report(f"error: {exc.line()}")
            continue
        summary.records += 1
        summary.triples += len(mapped.triples)
        summary.trials.append(mapped.nct_id)
        errors = [p for p in mapped.problems if p.severity == "error"]
        summary.warnings += len(mapped.problems) - len(errors)
        if errors:
            summary.failed += 1
        for problem in mapped.problems:
            report(problem.line(item.origin))
        yield mapped


def export(
    items: Iterable[SourceItem],
    targets: dict[str, Path | str],
    base: str = DEFAULT_BASE,
    report: Report = lambda line: None,
    on_record: Callable[[MappedRecord], None] | None = None,
    check: Callable[[MappedRecord], bool] | None = None,
    strict: bool = False,
) -> ExportSummary:
    """Write every record to every ``{format: path}`` target; returns what was done.

    ``check`` (validation) says whether a record is valid; an invalid record counts as failed
    and, with ``strict``, is not written.
    """
    summary = ExportSummary()
    with contextlib.ExitStack() as stack:
        writers = []
        for fmt, path in targets.items():
            writer = WRITERS[fmt](stack.enter_context(atomic_text(path)))
            writer.start()
            writers.append(writer)
        for mapped in map_items(items, base, report, summary):
            if check is not None and not check(mapped):
                summary.invalid += 1
                if strict:
                    continue
            for writer in writers:
                writer.write(mapped)
            if on_record is not None:
                on_record(mapped)
        for writer in writers:
            writer.finish()
    return summary
