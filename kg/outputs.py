"""Output files that are never left half-written, optionally compressed, optionally sharded.

A file is written to a temporary name and renamed only when complete: a run that dies leaves
either the previous complete file or nothing. Compression follows the file name (``.gz``,
``.zst``) and is deterministic (no time stamp in the gzip header), so the same input still gives
byte-identical files.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from kg.serialize import FORMATS

COMPRESSIONS = ("gz", "zst")


@contextlib.contextmanager
def atomic_text(path: Path | str) -> Iterator[TextIO]:
    """A text stream for ``path`` (``-`` is standard output), renamed into place on success."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw, _compressed(raw, path.suffix) as binary, \
                io.TextIOWrapper(binary, encoding="utf-8", newline="\n",
                                 write_through=False) as stream:
            yield stream
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def _compressed(raw, suffix: str):
    if suffix == ".gz":
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            yield gz
    elif suffix == ".zst":
        import zstandard  # optional: pip install 'kg[zstd]'

        with zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=False) as zst:
            yield zst
    else:
        yield _Unclosable(raw)


class _Unclosable(io.RawIOBase):
    """Lets TextIOWrapper close its view without closing the file it writes through."""

    def __init__(self, raw):
        self.raw = raw

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


def _umask() -> int:
    """The process umask (mkstemp creates files 0600; finished outputs get the usual mode)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


class FormatStream:
    """One open output of one format: header, blocks with the format's separator, footer."""

    def __init__(self, fmt: str, stream: TextIO):
        self.format = FORMATS[fmt]
        self.stream = stream
        self.empty = True
        stream.write(self.format.header())

    def write(self, block: str) -> None:
        if not block:
            return
        if not self.empty:
            self.stream.write(self.format.separator)
        self.stream.write(block)
        self.empty = False

    def close(self) -> None:
        self.stream.write(self.format.footer())


class Outputs:
    """Every ``{format: path}`` target of one run, opened together and committed together."""

    def __init__(self, targets: dict[str, str]):
        self.targets = targets

    def __enter__(self) -> Outputs:
        self._stack = contextlib.ExitStack().__enter__()
        self.streams = {fmt: FormatStream(fmt, self._stack.enter_context(atomic_text(path)))
                        for fmt, path in self.targets.items()}
        return self

    def write(self, blocks: dict[str, str]) -> None:
        for fmt, stream in self.streams.items():
            stream.write(blocks.get(fmt, ""))

    def __exit__(self, *exc) -> bool:
        if exc[0] is None:
            for stream in self.streams.values():
                stream.close()
        return self._stack.__exit__(*exc)


class ShardedOutputs:
    """``part-00001.nt.gz`` ... in a directory, ``shard_size`` records each.

    A shard appears only when complete. A re-run finds the complete shards, drops the records
    they hold, and writes the rest, so an interrupted export resumes and ends with the same
    files as an uninterrupted one.
    """

    def __init__(self, directory: str, formats: tuple[str, ...], shard_size: int,
                 compression: str | None):
        self.directory = Path(directory)
        self.formats = formats
        self.shard_size = shard_size
        self.suffix = f".{compression}" if compression else ""
        self.directory.mkdir(parents=True, exist_ok=True)
        for stale in self.directory.glob(".part-*.part"):
            stale.unlink()
        self.done_shards = self._complete_shards()
        self.skip = self.done_shards * shard_size
        self.seen = 0
        self.current: Outputs | None = None
        self.in_current = 0
        self.shard_number = self.done_shards

    def path(self, number: int, fmt: str) -> Path:
        return self.directory / f"part-{number:05d}{FORMATS[fmt].extension}{self.suffix}"

    def _complete_shards(self) -> int:
        number = 0
        while all(self.path(number + 1, fmt).exists() for fmt in self.formats):
            number += 1
        return number

    def __enter__(self) -> ShardedOutputs:
        return self

    def write(self, blocks: dict[str, str]) -> None:
        self.seen += 1
        if self.seen <= self.skip:
            return
        if self.current is None:
            self.shard_number += 1
            self.current = Outputs({fmt: str(self.path(self.shard_number, fmt))
                                    for fmt in self.formats}).__enter__()
            self.in_current = 0
        self.current.write(blocks)
        self.in_current += 1
        if self.in_current == self.shard_size:
            self.current.__exit__(None, None, None)
            self.current = None

    def __exit__(self, *exc) -> bool:
        if self.current is not None:
            self.current.__exit__(*exc)
            self.current = None
        return False


def shard_files(directory: Path) -> list[Path]:
    """The shard files of a directory, in order."""
    return sorted(p for p in directory.iterdir() if re.match(r"^part-[0-9]{5}\.", p.name))
