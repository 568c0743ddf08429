"""Inputs from the local disk: record files, directories of them, bulk archives, or stdin.

A source never maps and never stops at a bad file: each unreadable file or non-study item is
yielded as a :class:`RecordError` in its place, so the caller reports it and carries on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import RecordError
from kg.sources.archive import archive_units
from kg.sources.readers import RECORD_SUFFIXES, unit_items
from kg.sources.units import RawUnit, SourceItem


def record_files(path: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The record files below a directory (by the suffixes of :mod:`kg.sources.readers`), in a
    stable order, and the links among them that are not read, with why: a link to a directory
    is not followed (it could loop, or lead out of the tree given), a link to nothing has
    nothing to read."""
    files, skipped = [], []
    for entry in sorted(path.rglob("*")):
        if entry.is_symlink() and not entry.exists():
            skipped.append((entry, "a link to nothing; not read"))
        elif entry.is_symlink() and entry.is_dir():
            skipped.append((entry, "a link to a directory, not followed (give its target as an "
                                   "input of its own)"))
        elif entry.is_file() and entry.suffix in RECORD_SUFFIXES:
            files.append(entry)
    return files, skipped


def read_units(inputs: Iterable[str]) -> Iterator[RawUnit]:
    """The files given, the JSON files of directories given, the members of ``.zip`` bulk
    archives, or ``-`` (stdin), in order."""
    for name in inputs:
        if name == "-":
            yield RawUnit("<stdin>", sys.stdin.buffer.read())
            continue
        path = Path(name)
        if path.suffix.lower() == ".zip":
            yield from archive_units(path)
            continue
        files, skipped = record_files(path) if path.is_dir() else ([path], [])
        for link, why in skipped:
            yield RawUnit(str(link), None, RecordError(why, origin=str(link)))
        for file in files:
            try:
                yield RawUnit(str(file), file.read_bytes())
            except OSError as exc:
                yield RawUnit(str(file), None, RecordError(
                    f"cannot read: {exc.strerror or exc}", origin=str(file)))


def read_inputs(inputs: Iterable[str]) -> Iterator[SourceItem]:
    """Records from files, directories of files, or ``-`` for standard input, in order."""
    for unit in read_units(inputs):
        yield from unit_items(unit)
