"""Virtuoso's own bulk loader, for a Virtuoso that can read files kg writes.

The Graph Store Protocol sends every triple through HTTP and Virtuoso's SPARQL layer; the bulk
loader parses files itself, several at a time (``TTLP_V``, the parser ``rdf_loader_run`` runs,
called over ``isql``). Files go into a directory both sides see (``--virtuoso-bulk DIR``, in
Virtuoso's ``DirsAllowed``), at most one per loader at a time, and are removed once loaded.

- A first load of an N-Quads file (no graph under the base in the store) takes the file whole,
  cut at line ends into parts the loaders share out, with one checkpoint at the end: Virtuoso's
  own loader's rate. A failure removes the graphs under the base again: the store as it was.
- Anything else comes in batches, each written as one file per loader. A graph that may be
  stored is loaded under a staging name beside its stored copy; after a checkpoint each stored
  copy is replaced by its staged one, and a second checkpoint ends the batch. A failure
  removes what the batch loaded and leaves every stored graph as it was.

A checkpoint makes loaded data durable before the loader describes it, since the bulk loader
writes no transaction log. Queries and the description graph go through the SPARQL endpoint as
for any remote store.

``isql`` reports SQL errors on its standard error and exits 0, so every call is checked for
them; credentials come from the environment (``KG_ISQL_USER``/``KG_ISQL_PASSWORD``, else
``KG_STORE_USER``/``KG_STORE_PASSWORD``).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path

from kg.serialize.ntriples import iri as iri_term
from kg.serialize.ntriples import string
from kg.stores import FileLoading, StoreError
from kg.stores.remote import RemoteStore

ISQL_ENV = "KG_VIRTUOSO_ISQL"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class VirtuosoBulkStore(RemoteStore, FileLoading):
    """A remote Virtuoso whose graphs are replaced through its bulk loader."""

    batch_bytes = 256 * 1024 * 1024  # the loader's own figure of merit is whole files
    part_bytes = 256 * 1024 * 1024  # of a file loaded whole: each loader takes a part at a time
    reloads_files = False  # files go whole into a store without kg's graphs; reloads in batches

    def __init__(self, query_url: str, update_url: str | None, directory: str | Path,
                 isql_address: str, loaders: int = 2, server_directory: str | None = None,
                 isql: str | None = None) -> None:
        super().__init__(query_url, update_url, None)
        self.directory = Path(directory)
        self.server_directory = server_directory or str(self.directory.resolve())
        self.isql_address = isql_address
        self.loaders = loaders
        self.isql = isql or shutil.which("isql-vt") or shutil.which("isql")
        if self.isql is None:
            raise StoreError("Virtuoso's isql (isql-vt) is not installed; it runs the bulk loader")
        self.user = os.environ.get("KG_ISQL_USER") or os.environ.get("KG_STORE_USER") or "dba"
        self.password = (os.environ.get("KG_ISQL_PASSWORD") or os.environ.get("KG_STORE_PASSWORD")
                         or "dba")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot use {self.directory} for bulk files: {exc}") from exc
        self.sql("select 1;")  # fail now, and clearly, when isql cannot log in

    def sql(self, statements: str) -> str:
        """Run SQL through isql; its standard output, or a StoreError with Virtuoso's words."""
        try:  # the statements on standard input: a batch's graph list is too long for argv
            done = subprocess.run(
                [self.isql, self.isql_address, self.user, self.password, "VERBOSE=OFF",
                 "BANNER=OFF", "PROMPT=OFF", "ECHO=OFF"],
                input=statements, capture_output=True, text=True, timeout=24 * 3600)
        except OSError as exc:
            raise StoreError(f"cannot run {self.isql}: {exc}") from exc
        errors = [line for line in (done.stderr + done.stdout).splitlines()
                  if line.startswith("*** Error")]
        if errors or done.returncode:
            said = errors[0] if errors else f"isql exited with {done.returncode}"
            kind = Deadlock if said.startswith("*** Error 40001") else StoreError
            raise kind(f"Virtuoso at {self.isql_address}: {said.removeprefix('*** ')}")
        return done.stdout

    def replace_graphs(self, graphs: list[tuple[str, bytes]],
                       stored: set[str] | None = None) -> None:
        """Replace a batch's graphs so that a failure leaves each as it was.

        The graphs that may be stored (all of them when ``stored`` is None) are loaded under
        staging names beside the stored copies; the batch is written as one file per loader,
        loaded in parallel and checkpointed; only then is each stored graph made its staged
        copy (``_swap``), and a second checkpoint ends the batch. A failed load removes what
        it loaded (the staged copies and the batch's new graphs) and raises; the stored
        graphs are untouched. A crash leaves the state of the last checkpoint: before the
        swap, the stored graphs and staged copies; after it, the new graphs (the loader
        announces a batch before loading it, so a next load replaces it). Safety costs time
        here: about 50 ms a changed trial, against 19 for deleting first (docs/performance.md)."""
        if not graphs:
            return
        stem = f"kg-{uuid.uuid4().hex}"
        staged = {iri: f"urn:kg:staging:{stem}:{n}" for n, (iri, _) in enumerate(graphs)
                  if stored is None or iri in stored}
        count = min(self.loaders, len(graphs))

        def write(number: int, part: Path) -> None:
            with part.open("wb") as out:
                for iri, nquads in graphs[number::count]:
                    out.write(_renamed(nquads, iri, staged[iri]) if iri in staged else nquads)

        try:
            self._load_parts(stem, count, write)
            self.sql("checkpoint;\n")  # the staged copies durable before a stored graph goes
        except StoreError:
            with contextlib.suppress(StoreError):  # a server that is down kept nothing anyway
                self.remove_graphs([staged.get(iri, iri) for iri, _ in graphs])
            raise
        if staged:
            self.sql("log_enable(2, 1);\n"
                     + "".join(_swap(staging, iri) for iri, staging in staged.items())
                     + "checkpoint;\n")

    def load_file(self, path: Path) -> None:
        """Bulk-load an N-Quads file whole, as Virtuoso's own loader would, then checkpoint once.

        The file is cut at line ends into parts of about ``part_bytes``; each loader copies its
        next part into the shared directory (in the kernel: ``copy_file_range``), has Virtuoso
        load it, and removes it: the shared directory holds at most one part per loader, not a
        copy of the file. Measured at 50,000 records: batches of 1,000 trials, each loaded and
        checkpointed, took 2.1 times Virtuoso's own loader's time on the same file; the file
        whole 1.11 and 1.18 times (docs/performance.md)."""
        try:
            cuts = _line_cuts(path, self.part_bytes)
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc}") from exc

        def write(number: int, part: Path) -> None:
            with path.open("rb") as source, part.open("wb") as target:
                _copy_range(source.fileno(), target.fileno(), cuts[number],
                            cuts[number + 1] - cuts[number])

        self._load_parts(f"kg-{uuid.uuid4().hex}", len(cuts) - 1, write)
        self.sql("checkpoint;\n")

    def _load_parts(self, stem: str, count: int, write: Callable[[int, Path], None]) -> None:
        """Parts ``0..count-1``, each written by ``write`` into the shared directory just
        before Virtuoso loads it, ``loaders`` at a time, and removed once loaded; the first
        failure stops the rest and is raised. Virtuoso parses each with ``TTLP_V``, what
        ``rdf_loader_run`` calls for a ``.nq`` file, called here directly, so that an error is
        the call's own (``rdf_loader_run`` records it in ``DB.DBA.LOAD_LIST`` and returns)."""

        def load_part(number: int) -> None:
            part = self.directory / f"{stem}-{number}.nq"
            try:
                try:
                    write(number, part)
                except OSError as exc:
                    raise StoreError(f"cannot write {part}: {exc}") from exc
                served = _sql_string(f"{self.server_directory}/{part.name}")
                for attempt in range(DEADLOCK_RETRIES + 1):
                    try:
                        self.sql(f"log_enable(2, 1);\nTTLP_V(file_open({served}), '', "
                                 f"'urn:kg:unused', {NQUADS_FLAGS});\n")
                        break
                    except Deadlock as exc:  # loading again adds nothing twice: quads are a set
                        if attempt == DEADLOCK_RETRIES:
                            raise StoreError(f"{exc} (loading {part.name})") from exc
                        time.sleep(random.uniform(0.1, 1.0))
                    except StoreError as exc:
                        raise StoreError(f"{exc} (loading {part.name})") from exc
            finally:
                part.unlink(missing_ok=True)

        with ThreadPoolExecutor(max(1, min(self.loaders, count))) as pool:
            futures = [pool.submit(load_part, number) for number in range(count)]
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = next((f.exception() for f in done if f.exception()), None)
            if failed is not None:
                pool.shutdown(cancel_futures=True)
                raise failed

    def is_empty(self, base: str) -> bool:
        """Whether no graph under ``base`` holds a quad (the server may hold other data; the
        question costs a scan of that, once, on a load into a store with no trial described)."""
        return not self.query(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} "
                              f"FILTER(STRSTARTS(STR(?g), {string(base)})) }}").boolean

    def has_graph(self, iri: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {iri_term(iri)} {{ ?s ?p ?o }} }}").boolean)

    def remove_graphs(self, iris: list[str]) -> None:
        """Remove the graphs in one ``isql`` call, one indexed delete each, and checkpoint."""
        if iris:
            self.sql("log_enable(3, 1);\n" + "".join(_delete_graph(iri) for iri in iris)
                     + "checkpoint;\n")

    def discard(self, base: str) -> None:
        """Undo a failed load into a store that held no graph under ``base``: remove every
        graph under it (not the whole store: the server may hold other data). Asked again
        until none is left, since a server may cap a result's rows."""
        removed: set[str] = set()
        while True:
            rows = self.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                              f"FILTER(STRSTARTS(STR(?g), {string(base)})) }} LIMIT 10000").rows
            graphs = [row[0]["value"] for row in rows if row and row[0]]
            if not graphs:
                return
            if removed.intersection(graphs):
                raise StoreError(f"Virtuoso at {self.isql_address} kept graphs it was told to "
                                 f"remove, e.g. {sorted(removed.intersection(graphs))[0]}")
            self.remove_graphs(graphs)
            removed.update(graphs)


NQUADS_FLAGS = 255 + 512  # Virtuoso's loader's flags for a .nq file (ld_ttlp_flags)
DEADLOCK_RETRIES = 5


class Deadlock(StoreError):
    """Virtuoso chose this call as a deadlock's victim (SQL state 40001): two loaders creating
    the same new IRIs at once (the staging names of a reload) meet so. It rolled back the
    row it was on; the call can run again."""


def _delete_graph(iri: str) -> str:
    return f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id({_sql_string(iri)}, 0);\n"


def _swap(staging: str, iri: str) -> str:
    """The stored graph ``iri`` made its staged copy: its quads not in the copy deleted, the
    copy's quads not in it added, the copy removed. A changed trial differs in a few quads;
    measured on 150 of them, this took 6.6 s in a reload where SPARQL's MOVE took 10 s (and
    a delete with an INSERT ... SELECT more)."""
    real, staged = f"iri_to_id({_sql_string(iri)}, 0)", f"iri_to_id({_sql_string(staging)}, 0)"
    return (f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = {real} AND NOT EXISTS (SELECT 1 FROM "
            f"DB.DBA.RDF_QUAD n WHERE n.G = {staged} AND n.S = DB.DBA.RDF_QUAD.S AND "
            f"n.P = DB.DBA.RDF_QUAD.P AND n.O = DB.DBA.RDF_QUAD.O);\n"
            f"INSERT SOFT DB.DBA.RDF_QUAD (G, S, P, O) SELECT {real}, S, P, O "
            f"FROM DB.DBA.RDF_QUAD WHERE G = {staged};\n"
            + _delete_graph(staging))


def _renamed(nquads: bytes, iri: str, name: str) -> bytes:
    """A graph's N-Quads lines with the graph named ``name`` (the graph term ends each line)."""
    return nquads.replace(f" <{iri}> .\n".encode(), f" <{name}> .\n".encode())


def _line_cuts(path: Path, size: int) -> list[int]:
    """Offsets cutting ``path`` at line ends into parts of about ``size`` bytes: [0, ..., end]."""
    cuts = [0]
    with path.open("rb") as source:
        end = os.fstat(source.fileno()).st_size
        while cuts[-1] < end:
            cut = cuts[-1] + size
            if cut < end:
                source.seek(cut)
                cut += len(source.readline())
            cuts.append(min(cut, end))
    return cuts


def _copy_range(source: int, target: int, offset: int, count: int) -> None:
    """``count`` bytes of ``source`` from ``offset`` appended to ``target``, in the kernel."""
    while count > 0:
        copied = os.copy_file_range(source, target, count, offset)
        if copied == 0:
            raise OSError(f"the file ended {count} bytes early")
        offset += copied
        count -= copied
