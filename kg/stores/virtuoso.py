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

from kg.stores import StoreError
from kg.stores.remote import RemoteStore

ISQL_ENV = "KG_VIRTUOSO_ISQL"


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class VirtuosoBulkStore(RemoteStore):
    """A remote Virtuoso whose graphs are replaced through its bulk loader."""

    batch_bytes = 256 * 1024 * 1024  # the loader's own figure of merit is whole files

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
            served = [f"{self.server_directory}/{path.name}" for path in files]
            # One statement per graph: the index on G answers each, where one IN list over
            # the batch's graphs made Virtuoso scan the table (20 s a batch in a small store).
            self.sql("log_enable(3, 1);\n"
                     + "".join(f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id("
                               f"{_sql_string(iri)}, 0);\n" for iri, _ in graphs
                               if stored is None or iri in stored)
                     + "".join(f"ld_add({_sql_string(name)}, 'urn:kg:unused');\n"
                               for name in served))
            with ThreadPoolExecutor(len(files)) as pool:
                for _ in pool.map(lambda _: self.sql("rdf_loader_run();"), files):
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
        finally:
            for path in files:
                path.unlink(missing_ok=True)
