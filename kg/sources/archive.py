"""The registry's bulk download (``ctg-studies.json.zip``): one JSON file per study, read one
member at a time without extracting, so memory stays flat whatever the archive's size."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from kg.errors import RecordError
from kg.sources.readers import RECORD_SUFFIXES
from kg.sources.units import RawUnit

# The registry's largest study records are a few MB of JSON; a member that expands past this is
# refused (a zip bomb, or not a study), not read into memory.
MAX_MEMBER_BYTES = 64 * 1024 * 1024
# What a whole archive may inflate to, as a multiple of its own size (the registry's archive
# grows about 4 times; a zip whose entries all point at one member grows thousands of times).
MAX_RATIO = 100


def _read_capped(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The member's bytes, read in pieces and given up on past the limit (the size a member
    declares can lie)."""
    if member.file_size > MAX_MEMBER_BYTES:
        raise _TooLarge(member.file_size)
    pieces, total = [], 0
    with archive.open(member) as stream:
        while piece := stream.read(1 << 20):
            total += len(piece)
            if total > MAX_MEMBER_BYTES:
                raise _TooLarge(total)
            pieces.append(piece)
    return b"".join(pieces)


class _TooLarge(Exception):
    def __init__(self, size: int):
        super().__init__(f"expands past {MAX_MEMBER_BYTES // (1024 * 1024)} MB "
                         f"({size:,} bytes or more); refused")


def archive_units(path: Path) -> Iterator[RawUnit]:
    """The archive's JSON members in archive order; a corrupt member becomes a RecordError."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        yield RawUnit(str(path), None, RecordError(f"not a readable zip archive: {exc}",
                                                   origin=str(path)))
        return
    budget = max(MAX_RATIO * path.stat().st_size, MAX_MEMBER_BYTES)
    inflated = 0
    offsets: dict[int, str] = {}
    with archive:
        for member in archive.infolist():
            if member.is_dir() or not member.filename.endswith(RECORD_SUFFIXES):
                continue
            origin = f"{path}:{member.filename}"
            if member.header_offset in offsets:  # the same data listed again: never inflated twice
                first = offsets[member.header_offset]
                yield RawUnit(origin, None, RecordError(
                    f"archive member points at the data of {first!r} again; refused",
                    origin=origin))
                continue
            offsets[member.header_offset] = member.filename
            if inflated > budget:
                yield RawUnit(origin, None, RecordError(
                    f"the archive has inflated to {inflated:,} bytes, {MAX_RATIO} times its "
                    "size; the rest of it is refused", origin=origin))
                return
            try:
                data = _read_capped(archive, member)
                inflated += len(data)
            except _TooLarge as exc:
                yield RawUnit(origin, None, RecordError(f"archive member {exc}", origin=origin))
                continue
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
                yield RawUnit(origin, None, RecordError(f"corrupt archive member: {exc}",
                                                        origin=origin))
                continue
            yield RawUnit(origin, data)
