"""Virtuoso's own bulk loader, for a Virtuoso that can read files kg writes.

The Graph Store Protocol sends every triple through HTTP and Virtuoso's SPARQL layer; the bulk
loader (``ld_add`` and ``rdf_loader_run``, run over ``isql``) parses files itself, several at a
time. Each batch of trials is written as N-Quads files, one per loader, into a directory both
sides see (``--virtuoso-bulk DIR``, which must be in Virtuoso's ``DirsAllowed``); the batch's
graphs are deleted first, so a reload is a replacement; the loaders run in parallel; a
checkpoint makes the batch durable before the loader describes it, since the bulk loader writes
no transaction log. Queries and the description graph go through the SPARQL endpoint as for
any remote store.

``isql`` reports SQL errors on its standard error and exits 0, so every call is checked for
them; credentials come from the environment (``KG_ISQL_USER``/``KG_ISQL_PASSWORD``, else
``KG_STORE_USER``/``KG_STORE_PASSWORD``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from kg.serialize.ntriples import string
from kg.stores import StoreError
from kg.stores.remote import RemoteStore

ISQL_ENV = "KG_VIRTUOSO_ISQL"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class VirtuosoBulkStore(RemoteStore):
    """A remote Virtuoso whose graphs are replaced through its bulk loader."""

    batch_bytes = 256 * 1024 * 1024  # the loader's own figure of merit is whole files
    part_bytes = 256 * 1024 * 1024  # of a whole file loaded: the loaders share out its parts

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
            raise StoreError(f"Virtuoso at {self.isql_address}: {said.removeprefix('*** ')}")
        return done.stdout

    def replace_graphs(self, graphs: list[tuple[str, bytes]],
                       stored: set[str] | None = None) -> None:
        """Write the batch as one file per loader, delete its graphs that may be stored (all
        of them when ``stored`` is None: deleting a graph that is not there still costs
        Virtuoso milliseconds), run the loaders, check every file loaded, checkpoint, and
        remove the files."""
        if not graphs:
            return
        stem = f"kg-{uuid.uuid4().hex}"
        files = [self.directory / f"{stem}-{n}.nq" for n in range(min(self.loaders, len(graphs)))]
        try:
            streams = [path.open("wb") for path in files]
            try:
                for number, (_, nquads) in enumerate(graphs):
                    streams[number % len(streams)].write(nquads)
            finally:
                for stream in streams:
                    stream.close()
            # One statement per graph: the index on G answers each, where one IN list over
            # the batch's graphs made Virtuoso scan the table (20 s a batch in a small store).
            self._bulk_load(files, "".join(_delete_graph(iri) for iri, _ in graphs
                                           if stored is None or iri in stored))
        finally:
            for path in files:
                path.unlink(missing_ok=True)

    def _bulk_load(self, files: list[Path], before: str = "") -> None:
        """Load files of the shared directory with every loader taking files from one list,
        check that each loaded, and checkpoint once. ``before``: SQL run first (deletes)."""
        served = [f"{self.server_directory}/{path.name}" for path in files]
        self.sql("log_enable(3, 1);\n" + before
                 + "".join(f"ld_add({_sql_string(name)}, 'urn:kg:unused');\n" for name in served))
        loaders = min(self.loaders, len(files))
        with ThreadPoolExecutor(loaders) as pool:
            for _ in pool.map(lambda _: self.sql("rdf_loader_run();"), range(loaders)):
                pass
        listed = ", ".join(_sql_string(name) for name in served)
        status = self.sql("select concat('kg-file|', ll_file, '|', cast(ll_state as varchar), "
                          f"'|', coalesce(ll_error, '')) from DB.DBA.LOAD_LIST "
                          f"where ll_file in ({listed});\n"
                          f"delete from DB.DBA.LOAD_LIST where ll_file in ({listed});\n"
                          "checkpoint;\n")
        rows = [line.split("|", 3) for line in status.splitlines() if line.startswith("kg-file|")]
        failed = [f"{name}: {error or f'state {state}'}" for _, name, state, error in rows
                  if state != "2" or error]
        if failed or len(rows) != len(served):
            raise StoreError("the bulk loader did not load "
                             + ("; ".join(failed) or "every file it was given"))

    def load_file(self, path: Path) -> None:
        """Bulk-load an N-Quads file whole, as Virtuoso's own loader does: the file cut at line
        ends into parts of about ``part_bytes`` in the shared directory (copied by the kernel,
        not read through Python), the loaders sharing the parts out, one checkpoint at the end.
        Measured at 50,000 records: batches of 1,000 trials, each loaded and checkpointed,
        reached half the rate of Virtuoso's own loader on the same file."""
        stem = f"kg-{uuid.uuid4().hex}"
        parts: list[Path] = []
        try:
            with path.open("rb") as source:
                size = os.fstat(source.fileno()).st_size
                start = 0
                while start < size:
                    end = min(size, start + self.part_bytes)
                    if end < size:
                        source.seek(end)
                        end += len(source.readline())
                    part = self.directory / f"{stem}-{len(parts)}.nq"
                    parts.append(part)
                    with part.open("wb") as target:
                        _copy_range(source.fileno(), target.fileno(), start, end - start)
                    start = end
            if parts:
                self._bulk_load(parts)
        except OSError as exc:
            raise StoreError(f"cannot write bulk files into {self.directory}: {exc}") from exc
        finally:
            for part in parts:
                part.unlink(missing_ok=True)

    def is_empty(self, base: str) -> bool:
        """Whether no graph under ``base`` holds a quad (the server may hold other data)."""
        result = self.query(f"SELECT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                            f"FILTER(STRSTARTS(STR(?g), {string(base)})) }} LIMIT 1")
        return not result.rows

    def has_graph(self, iri: str) -> bool:
        return bool(self.query(f"ASK {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}").boolean)

    def remove_graphs(self, iris: list[str]) -> None:
        if iris:
            self.sql("log_enable(3, 1);\n" + "".join(_delete_graph(iri) for iri in iris)
                     + "checkpoint;\n")

    def discard_load(self, graphs: list[str]) -> None:
        """Undo a failed load into a store that held none of kg's graphs: remove the file's."""
        self.remove_graphs(graphs)


def _delete_graph(iri: str) -> str:
    return f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id({_sql_string(iri)}, 0);\n"


def _copy_range(source: int, target: int, offset: int, count: int) -> None:
    """``count`` bytes of ``source`` from ``offset`` appended to ``target``, in the kernel."""
    while count > 0:
        copied = os.copy_file_range(source, target, count, offset)
        if copied == 0:
            raise OSError(f"the file ended {count} bytes early")
        offset += copied
        count -= copied
