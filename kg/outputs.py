"""Output files that are never left half-written, optionally compressed, optionally sharded.

A file is written to a temporary name and renamed only when complete: a run that dies leaves
either the previous complete file or nothing. The writer takes blocks already encoded, and
compressed when the output is: each block is compressed on its own where it was rendered (a
worker process), as one gzip member or zstd frame, so compression runs on every core and the
file is still one valid ``.gz``/``.zst`` (both formats read concatenated members as one
stream). Compression is deterministic (no time stamp in the gzip header), so the same input
still gives byte-identical files.
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
from typing import BinaryIO, TextIO

from kg.serialize import FORMATS

COMPRESSIONS = ("gz", "zst")


def encode_block(text: str, compression: str | None) -> bytes:
    """A rendered block as the bytes its output file holds."""
    data = text.encode("utf-8")
    if not data or compression is None:
        return data
    if compression == "gz":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if compression == "zst":
        import zstandard  # optional: pip install 'ctkg[zstd]'

        return zstandard.ZstdCompressor(level=3).compress(data)
    raise ValueError(f"unknown compression {compression!r}")


@contextlib.contextmanager
def atomic_binary(path: Path | str) -> Iterator[BinaryIO]:
    """A byte stream for ``path`` (``-`` is standard output), renamed into place on success."""
    if str(path) == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as stream:
            yield stream
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_text(path: Path | str) -> Iterator[TextIO]:
    """A UTF-8 text stream for ``path`` (``-`` is standard output), renamed into place on
    success."""
    if str(path) == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    with atomic_binary(path) as binary, _compressing(binary, Path(path).suffix) as raw, \
            io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as stream:
        yield stream


@contextlib.contextmanager
def _compressing(raw: BinaryIO, suffix: str) -> Iterator[BinaryIO]:
    """A stream compressing into ``raw`` when the file name asks for it (``kg enrich -o
    x.ttl.gz``); closing it leaves ``raw`` open for the atomic rename."""
    if suffix == ".gz":
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6) as gz:
            yield gz
    elif suffix == ".zst":
        import zstandard  # optional: pip install 'ctkg[zstd]'

        with zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=False) as zst:
            yield zst
    else:
        yield _Unclosable(raw)


class _Unclosable(io.RawIOBase):
    """Lets TextIOWrapper close its view without closing the file it writes through."""

    def __init__(self, raw: BinaryIO) -> None:
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

    def __init__(self, fmt: str, stream: BinaryIO, compression: str | None):
        self.format = FORMATS[fmt]
        self.stream = stream
        self.compression = compression
        self.empty = True
        self.separator = encode_block(self.format.separator, compression)
        stream.write(encode_block(self.format.header(), compression))

    def write(self, block: bytes) -> None:
        if not block:
            return
        if not self.empty:
            self.stream.write(self.separator)
        self.stream.write(block)
        self.empty = False

    def close(self) -> None:
        self.stream.write(encode_block(self.format.footer(), self.compression))


class Outputs:
    """Every ``{format: path}`` target of one run, opened together and committed together;
    blocks come encoded (and compressed, ``compression``) by :func:`encode_block`."""

    def __init__(self, targets: dict[str, str], compression: str | None = None):
        self.targets = targets
        self.compression = compression

    def __enter__(self) -> Outputs:
        self._stack = contextlib.ExitStack().__enter__()
        self.streams = {fmt: FormatStream(fmt, self._stack.enter_context(atomic_binary(path)),
                                          self.compression)
                        for fmt, path in self.targets.items()}
        return self

    def write(self, blocks: dict[str, bytes]) -> None:
        for fmt, stream in self.streams.items():
            stream.write(blocks.get(fmt, b""))

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
        self.compression = compression
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

    def write(self, blocks: dict[str, bytes]) -> None:
        self.seen += 1
        if self.seen <= self.skip:
            return
        if self.current is None:
            self.shard_number += 1
            self.current = Outputs({fmt: str(self.path(self.shard_number, fmt))
                                    for fmt in self.formats}, self.compression).__enter__()
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
