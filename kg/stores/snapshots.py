"""Read-only snapshots of an Oxigraph store, so that ``kg serve`` reads a store that ``kg load``
and ``kg sync`` keep writing.

RocksDB, under Oxigraph, has one writer; a read-only instance opened beside it is undefined
behaviour (Oxigraph's own words): the writer's compactions remove files the reader still lists,
and every page fails with an IO error until the server restarts. So a writer, when it closes a
store it changed, publishes a checkpoint of it (``Store.backup``: hard links on the same file
system, so it costs a flush and a directory of links) as ``<store>.snapshots/<number>`` and then
points ``<store>.snapshots/CURRENT`` at it, atomically. A server opens only snapshots, which
nobody writes, and moves to the newest one as soon as ``CURRENT`` changes, pages and SPARQL
workers alike, so both always answer from the same data.

A snapshot superseded for longer than :data:`GRACE` seconds is removed by the next writer (the
server has long moved on: it checks ``CURRENT`` at every request, and its longest query is
bounded by its deadline). What a snapshot costs on disk is the files compaction has removed from
the store since it was taken.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

import pyoxigraph as ox

GRACE = 600.0  # seconds a superseded snapshot is kept for readers still on it
POINTER = "CURRENT"

T = TypeVar("T")


def snapshot_dir(store_path: str | Path) -> Path:
    path = Path(store_path)
    return path.with_name(path.name + ".snapshots")


def publish(store: ox.Store, store_path: str | Path) -> Path:
    """A checkpoint of ``store`` (open read-write at ``store_path``) made the current snapshot;
    snapshots superseded more than :data:`GRACE` seconds ago removed."""
    directory = snapshot_dir(store_path)
    directory.mkdir(exist_ok=True)
    existing = _snapshots(directory)
    number = max(int(time.time() * 1000), (existing[-1][0] + 1) if existing else 0)
    target = directory / f"{number:015d}"
    staging = directory / f".{number:015d}.part"
    if staging.exists():
        shutil.rmtree(staging)
    store.flush()
    store.backup(str(staging))
    os.replace(staging, target)
    pointer = directory / f".{POINTER}.part"
    pointer.write_text(target.name + "\n")
    os.replace(pointer, directory / POINTER)
    _remove_superseded(directory, time.time())
    return target


def _snapshots(directory: Path) -> list[tuple[int, Path]]:
    return sorted((int(p.name), p) for p in directory.iterdir() if p.name.isdigit() and p.is_dir())


def _remove_superseded(directory: Path, now: float) -> None:
    """Every snapshot whose successor was published more than GRACE seconds ago (the
    snapshot's number is its publication time in milliseconds), and leftovers of a writer that
    died while publishing."""
    found = _snapshots(directory)
    for (_, older), (successor, _) in zip(found, found[1:], strict=False):
        if now - successor / 1000 > GRACE:
            shutil.rmtree(older, ignore_errors=True)
    for leftover in directory.glob(".*.part"):
        if leftover.is_dir() and now - leftover.stat().st_mtime > GRACE:
            shutil.rmtree(leftover, ignore_errors=True)


def current(store_path: str | Path) -> Path | None:
    """The current snapshot's directory, or None when none was published."""
    directory = snapshot_dir(store_path)
    try:
        name = (directory / POINTER).read_text().strip()
    except FileNotFoundError:
        return None
    return directory / name if name.isdigit() and (directory / name).is_dir() else None


def ensure(store_path: str | Path) -> Path:
    """The current snapshot, made now from the store if it has none (a store written by an
    older kg or another tool); OSError when the store cannot be opened for it (a writer has
    it: the snapshot comes when that writer closes it)."""
    found = current(store_path)
    if found is not None:
        return found
    store = ox.Store(str(store_path))
    try:
        return publish(store, store_path)
    finally:
        del store


class Following(Generic[T]):
    """What is made of the newest snapshot of a store (``make(opened read-only store)``),
    made again whenever a writer publishes a newer one. ``get()`` costs one ``stat`` when
    nothing changed."""

    def __init__(self, store_path: str | Path, make: Callable[[ox.Store], T]) -> None:
        self.pointer = snapshot_dir(store_path) / POINTER
        self.store_path = store_path
        self.make = make
        self._seen: tuple[int, int] | None = None
        self._path: Path | None = None
        self._value: T | None = None

    def get(self) -> tuple[Path, T]:
        """The current snapshot's path and what was made of it."""
        stat = self.pointer.stat()
        seen = (stat.st_ino, stat.st_mtime_ns)
        if seen != self._seen or self._value is None:
            path = current(self.store_path)
            if path is None:
                raise FileNotFoundError(f"no snapshot of {self.store_path}")
            if path != self._path:
                self._value = self.make(ox.Store.read_only(str(path)))
                self._path = path
            self._seen = seen
        assert self._path is not None and self._value is not None
        return self._path, self._value
