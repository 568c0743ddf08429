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
import glob
import gzip
import hashlib
import io
import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

import orjson

from kg import __version__
from kg.errors import KgError
from kg.serialize import FORMATS
from kg.serialize.kgx import (
    AGGREGATOR,
    BIOLINK_VERSION,
    EDGE_COLUMNS,
    INFORES,
    NODE_COLUMNS,
    cell,
    pair_edge,
)

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
    _remove_orphans(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part",
                               dir=path.parent)
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as stream:
            yield stream
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _remove_orphans(path: Path) -> None:
    """Temporary files of ``path`` left by a writer that was killed (its process is gone): a
    run that dies by SIGKILL cannot remove its own."""
    for orphan in path.parent.glob(f".{glob.escape(path.name)}.*.part"):
        pid = orphan.name[len(path.name) + 2:].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            with contextlib.suppress(FileNotFoundError):
                orphan.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


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

    def write(self, blocks: dict[str, bytes], nct_id: str = "") -> None:
        for fmt, stream in self.streams.items():
            stream.write(blocks.get(fmt, b""))

    def __exit__(self, *exc) -> bool:
        if exc[0] is None:
            for stream in self.streams.values():
                stream.close()
        return self._stack.__exit__(*exc)


class ShardMismatch(KgError):
    """A sharded export's directory holds shards of another run: other records, other texts,
    other options. Nothing was written."""


def _block_digest(blocks: dict[str, bytes]) -> str:
    """What a record's shard lines hold, as a short digest (format names and lengths included,
    so that blocks cannot run into each other)."""
    digest = hashlib.blake2b(digest_size=16)
    for fmt in sorted(blocks):
        digest.update(f"{fmt}:{len(blocks[fmt])}:".encode())
        digest.update(blocks[fmt])
    return digest.hexdigest()


class ShardedOutputs:
    """``part-00001.nt.gz`` ... in a directory, ``shard_size`` records each.

    A shard appears only when complete, with a manifest (``.shards/00001.tsv``) naming the run's
    layout and each trial it holds with a digest of its blocks. A re-run checks its records
    against the manifests of the complete full shards, in order, and writes only what comes
    after them, so an interrupted export resumes and ends with the same files as an
    uninterrupted one. A run whose records differ from what those shards hold (the input
    changed: a record added, edited or removed; other options) stops before writing anything
    and names the first difference (:class:`ShardMismatch`); ``restart`` removes the shards and
    writes them all again. A short last shard is rewritten, since more records may follow it
    now; shards numbered past the run's last are removed when it ends.
    """

    def __init__(self, directory: str, formats: tuple[str, ...], shard_size: int,
                 compression: str | None, restart: bool = False):
        self.directory = Path(directory)
        self.formats = formats
        self.shard_size = shard_size
        self.compression = compression
        self.suffix = f".{compression}" if compression else ""
        self.layout = (f"# kg shards: formats={','.join(sorted(formats))} "
                       f"compression={compression or 'none'} shard_size={shard_size}")
        self.manifests = self.directory / ".shards"
        self.directory.mkdir(parents=True, exist_ok=True)
        for stale in self.directory.glob(".part-*.part"):
            stale.unlink()
        if restart:
            self._remove_shards_after(0)
        self.done_shards = self._complete_shards()
        self.skip = self.done_shards * shard_size
        self.expected = self._expected_entries()
        self.seen = 0
        self.current: Outputs | None = None
        self.entries: list[str] = []
        self.shard_number = self.done_shards

    def path(self, number: int, fmt: str) -> Path:
        return self.directory / f"part-{number:05d}{FORMATS[fmt].extension}{self.suffix}"

    def manifest(self, number: int) -> Path:
        return self.manifests / f"{number:05d}.tsv"

    def _read_manifest(self, number: int) -> list[str] | None:
        """The entries of a shard's manifest, None when it has none; a manifest of another
        layout is a ShardMismatch."""
        try:
            lines = self.manifest(number).read_text().splitlines()
        except FileNotFoundError:
            return None
        if not lines or lines[0] != self.layout:
            found = lines[0].removeprefix("# kg shards: ") if lines else "nothing"
            raise ShardMismatch(
                f"{self.directory}: its shards were written with {found}, this run's are "
                f"{self.layout.removeprefix('# kg shards: ')}; export into another directory "
                "or add --restart")
        return lines[1:]

    def _complete_shards(self) -> int:
        number = 0
        while True:  # a manifest of another layout is refused even where its files are gone
            entries = self._read_manifest(number + 1)
            if entries is None or len(entries) != self.shard_size or not all(
                    self.path(number + 1, fmt).exists() for fmt in self.formats):
                return number
            number += 1

    def _expected_entries(self) -> Iterator[str]:
        for number in range(1, self.done_shards + 1):
            yield from self._read_manifest(number) or []

    def _remove_shards_after(self, last: int) -> None:
        """Every shard file and manifest numbered past ``last``."""
        for path in shard_files(self.directory):
            if int(path.name[5:10]) > last:
                path.unlink()
        if self.manifests.is_dir():
            for path in self.manifests.glob("*.tsv"):
                if path.stem.isdigit() and int(path.stem) > last:
                    path.unlink()

    def __enter__(self) -> ShardedOutputs:
        return self

    def write(self, blocks: dict[str, bytes], nct_id: str = "") -> None:
        self.seen += 1
        entry = f"{nct_id}\t{_block_digest(blocks)}"
        if self.seen <= self.skip:
            expected = next(self.expected)
            if entry != expected:
                shard, place = divmod(self.seen - 1, self.shard_size)
                held = expected.split("\t")[0]
                what = "the same trial with other text" if held == nct_id else held
                raise ShardMismatch(
                    f"{self.directory}: record {self.seen:,} of this run ({nct_id}) is not what "
                    f"part-{shard + 1:05d} holds at place {place + 1} ({what}): the input "
                    "changed since; nothing written. Export into another directory or add "
                    "--restart")
            return
        if self.current is None:
            self.shard_number += 1
            self.manifest(self.shard_number).unlink(missing_ok=True)
            self.current = Outputs({fmt: str(self.path(self.shard_number, fmt))
                                    for fmt in self.formats}, self.compression).__enter__()
            self.entries = []
        self.current.write(blocks)
        self.entries.append(entry)
        if len(self.entries) == self.shard_size:
            self._commit()

    def _commit(self) -> None:
        """The current shard's files in place, then its manifest: a shard is complete only
        with both."""
        assert self.current is not None
        self.current.__exit__(None, None, None)
        self.current = None
        self.manifests.mkdir(exist_ok=True)
        with atomic_text(self.manifest(self.shard_number)) as out:
            out.write("\n".join([self.layout, *self.entries]) + "\n")

    def __exit__(self, *exc) -> bool:
        if exc[0] is not None:
            if self.current is not None:
                self.current.__exit__(*exc)
                self.current = None
            return False
        if self.seen < self.skip:
            raise ShardMismatch(
                f"{self.directory}: its complete shards hold {self.skip:,} records, this run has "
                f"{self.seen:,}: the input changed since; nothing written. Export into another "
                "directory or add --restart")
        if self.current is not None:
            self._commit()
        self._remove_shards_after(self.shard_number)
        return False


def shard_files(directory: Path) -> list[Path]:
    """The shard files of a directory, in order."""
    return sorted(p for p in directory.iterdir() if re.match(r"^part-[0-9]{5}\.", p.name))


class KgxOutputs:
    """``nodes.tsv``/``edges.tsv`` (or ``.jsonl``) and ``graph-metadata.json`` in a directory,
    written whole or not at all: each node once (the first trial to name it gives its row),
    each trial's edges in input order, then the aggregated drug-disease edges, sorted."""

    def __init__(self, directory: str, kind: str = "tsv") -> None:
        self.directory = Path(directory)
        self.kind = kind
        self.seen: set[str] = set()  # node ids written
        self.pairs: dict[tuple[str, str, str], tuple[int, set[str]]] = {}
        self.sources: set[str] = set()
        self.edge_count = 0
        self.categories: set[str] = set()
        self.predicates: set[str] = set()

    def __enter__(self) -> KgxOutputs:
        self._stack = contextlib.ExitStack().__enter__()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.nodes = self._stack.enter_context(atomic_binary(self.directory / f"nodes.{self.kind}"))
        self.edges = self._stack.enter_context(atomic_binary(self.directory / f"edges.{self.kind}"))
        if self.kind == "tsv":
            self.nodes.write(("\t".join(NODE_COLUMNS) + "\n").encode())
            self.edges.write(("\t".join(EDGE_COLUMNS) + "\n").encode())
        return self

    def _row(self, stream, columns: tuple[str, ...], row: dict) -> None:
        if self.kind == "tsv":
            stream.write(("\t".join(cell(row.get(c)) for c in columns) + "\n").encode())
        else:
            line = orjson.dumps({k: v for k, v in row.items() if v not in (None, [], "")},
                                option=orjson.OPT_SORT_KEYS)
            stream.write(line.replace(b"\xe2\x80\xa8", b"\\u2028").replace(
                b"\xe2\x80\xa9", b"\\u2029").replace(b"\xc2\x85", b"\\u0085") + b"\n")

    def write(self, blocks: dict[str, bytes], nct_id: str = "") -> None:
        block = blocks.get("kgx")
        if not block:
            return
        rows = orjson.loads(block)
        for node in rows["nodes"]:
            self.sources.update(node["provided_by"])
            if node["id"] in self.seen:
                continue
            self.seen.add(node["id"])
            self.categories.update(node["category"])
            self._row(self.nodes, NODE_COLUMNS, node)
        for row in rows["edges"]:
            self.predicates.add(row["predicate"])
            self.edge_count += 1
            self._row(self.edges, EDGE_COLUMNS, row)
        for drug, disease, rank, trial, infores in rows["pairs"]:
            best, trials = self.pairs.get((drug, disease, infores), (rank, set()))
            trials.add(trial)
            self.pairs[(drug, disease, infores)] = (max(best, rank), trials)

    def __exit__(self, *exc) -> bool:
        if exc[0] is None:
            for (drug, disease, infores), (rank, trials) in sorted(self.pairs.items()):
                self.predicates.add("biolink:in_clinical_trials_for")
                self.edge_count += 1
                self._row(self.edges, EDGE_COLUMNS,
                          pair_edge(drug, disease, rank, trials, infores))
        closed = self._stack.__exit__(*exc)
        if exc[0] is None:
            with atomic_binary(self.directory / "graph-metadata.json") as out:
                out.write(json.dumps(self.metadata(), indent=1).encode() + b"\n")
        return closed

    def metadata(self) -> dict:
        """The graph's description in the KGX ingest-metadata schema's terms."""
        main = INFORES if INFORES in self.sources or not self.sources else min(self.sources)
        return {
            "file_name": "graph-metadata.json",
            "target_name": "ClinicalTrials.gov trials graph (kg)",
            "target_format": f"kgx-{self.kind}",
            "target_model": "biolink",
            "target_model_url": "https://biolink.github.io/biolink-model/",
            "target_data_model_version": BIOLINK_VERSION,
            "target_data_version": __version__,
            "file_created_by": [f"kg {__version__}"],
            "source_infores_id": main,
            **({"other_source_infores_ids": sorted(self.sources - {main}),
                "other_source_infores_note": "registries the Translator's infores catalog does "
                "not yet name; kg names them by the catalog's rule (the source's short name)"}
               if self.sources - {main} else {}),
            "aggregator_infores": {
                "id": AGGREGATOR, "name": "kg (ctkg): clinical-trial registry records as a "
                "linked-data knowledge graph", "knowledge_level": "knowledge_assertion",
                "agent_type": "manual_agent", "url": "https://w3id.org/ctkg/",
                "description": "Aggregates ClinicalTrials.gov records; its links of conditions "
                "and drugs to MONDO, MeSH, ChEBI and ChEMBL rest on the registry's own index, "
                "the records' words and published mapping sets, each with its evidence in the "
                "RDF export."},
            "source_access_urls": ["https://clinicaltrials.gov/api/v2"],
            "license": "ClinicalTrials.gov records are public domain (US government work); "
                       "MeSH: NLM's terms; MONDO and ChEBI CC BY 4.0; ChEMBL CC BY-SA 3.0; "
                       "gilda BSD-2-Clause; Biomappings CC0",
            "total_node_count": len(self.seen),
            "total_edge_count": self.edge_count,
            "node_categories": sorted(self.categories),
            "edge_predicates": sorted(self.predicates),
        }
