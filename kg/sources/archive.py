"""The registry's bulk download (``ctg-studies.json.zip``): one JSON file per study, read one
member at a time without extracting, so memory stays flat whatever the archive's size."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from kg.errors import RecordError
from kg.sources.files import RawUnit


def archive_units(path: Path) -> Iterator[RawUnit]:
    """The archive's JSON members in archive order; a corrupt member becomes a RecordError."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        yield RawUnit(str(path), None, RecordError(f"not a readable zip archive: {exc}",
                                                   origin=str(path)))
        return
    with archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.endswith((".json", ".xml")):
                continue
            origin = f"{path}:{member.filename}"
            try:
                yield RawUnit(origin, archive.read(member))
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                yield RawUnit(origin, None, RecordError(f"corrupt archive member: {exc}",
                                                        origin=origin))
