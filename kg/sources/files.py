"""Records from local API v2 JSON: a study file, a ``/studies`` page, a directory, or stdin.

A source never maps and never stops at a bad file: each unreadable file or non-study item is
yielded as a :class:`RecordError` in its place, so the caller reports it and carries on.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import orjson

from kg.errors import RecordError


class SourceItem(NamedTuple):
    """One record, or the error that stands where a record should have been."""

    origin: str
    record: dict | None
    error: RecordError | None = None


def records_from_bytes(data: bytes, origin: str) -> Iterator[SourceItem]:
    """The study records in one JSON document: a study, or a page ``{"studies": [...]}``."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield SourceItem(origin, None, RecordError(f"not valid JSON ({exc})", origin=origin))
        return
    if isinstance(document, dict) and isinstance(document.get("studies"), list):
        for index, study in enumerate(document["studies"]):
            yield SourceItem(f"{origin}#studies[{index}]", study)
    elif isinstance(document, dict) and "protocolSection" in document:
        yield SourceItem(origin, document)
    else:
        kind = type(document).__name__
        yield SourceItem(origin, None, RecordError(
            f"JSON is neither a study nor a page of studies (a {kind})", origin=origin))


def json_files(path: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The record files (API v2 JSON, legacy XML) below a directory, in a stable order, and the
    links among them that are not read, with why: a link to a directory is not followed (it
    could loop, or lead out of the tree given), a link to nothing has nothing to read."""
    files, skipped = [], []
    for entry in sorted(path.rglob("*")):
        if entry.is_symlink() and not entry.exists():
            skipped.append((entry, "a link to nothing; not read"))
        elif entry.is_symlink() and entry.is_dir():
            skipped.append((entry, "a link to a directory, not followed (give its target as an "
                                   "input of its own)"))
        elif entry.is_file() and entry.suffix in (".json", ".xml"):
            files.append(entry)
    return files, skipped


class RawUnit(NamedTuple):
    """The bytes of one input file (a study or a page), not yet parsed, or why it has none.

    Parsing happens where the mapping happens, in worker processes: the reader only moves bytes.
    """

    origin: str
    data: bytes | None
    error: RecordError | None = None

    def items(self) -> Iterator[SourceItem]:
        if self.error is not None:
            yield SourceItem(self.origin, None, self.error)
        elif self.origin.endswith(".xml"):
            from kg.sources.legacy_xml import legacy_items

            yield from legacy_items(self.origin, self.data)
        else:
            yield from records_from_bytes(self.data, self.origin)


def read_units(inputs: Iterable[str]) -> Iterator[RawUnit]:
    """The files given, the JSON files of directories given, the members of ``.zip`` bulk
    archives, or ``-`` (stdin), in order."""
    for name in inputs:
        if name == "-":
            yield RawUnit("<stdin>", sys.stdin.buffer.read())
            continue
        path = Path(name)
        if path.suffix.lower() == ".zip":
            from kg.sources.archive import archive_units

            yield from archive_units(path)
            continue
        files, skipped = json_files(path) if path.is_dir() else ([path], [])
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
        yield from unit.items()
