"""A real Virtuoso for the store tests: its own database directory, free loopback ports.

Skipped with the reason when ``virtuoso-t`` is not installed, except where
``KG_REQUIRE_VIRTUOSO`` is set (CI sets it): there its absence fails the tests.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests

INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {dir}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 600
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Virtuoso:
    """One server process over one database directory; can be stopped and started again."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.sql_port = free_port()
        self.http_port = free_port()
        (directory / "virtuoso.ini").write_text(INI.format(
            dir=directory, sql_port=self.sql_port, http_port=self.http_port))
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base}/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/sparql-graph-crud-auth"

    def env(self) -> dict[str, str]:
        """What a loader needs to write: the digest credentials of the test database."""
        return {"KG_STORE_USER": "dba", "KG_STORE_PASSWORD": "dba", "KG_STORE_AUTH": "digest"}

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("virtuoso-t"), "+foreground", "+configfile",
             str(self.directory / "virtuoso.ini")],
            cwd=self.directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(self.query_url, params={"query": "ASK {}"}, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: "
                                   + (self.directory / "virtuoso.log").read_text()[-500:])
            time.sleep(0.3)
        raise RuntimeError("virtuoso-t did not answer within 90 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def clear(self, prefix: str) -> None:
        """Drop every graph whose IRI starts with ``prefix``."""
        auth = requests.auth.HTTPDigestAuth("dba", "dba")
        found = requests.post(self.query_url, timeout=60, data={
            "query": f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                     f'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}'},
            headers={"Accept": "application/sparql-results+json"}).json()
        for row in found["results"]["bindings"]:
            requests.post(self.update_url, auth=auth, timeout=60,
                          data={"update": f"DROP SILENT GRAPH <{row['g']['value']}>"}
                          ).raise_for_status()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    if shutil.which("virtuoso-t") is None:
        if os.environ.get("KG_REQUIRE_VIRTUOSO"):
            pytest.fail("virtuoso-t not found but KG_REQUIRE_VIRTUOSO is set "
                        "(apt-get install virtuoso-opensource)")
        pytest.skip("virtuoso-t not installed (apt-get install virtuoso-opensource)")
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"))
    server.start()
    yield server
    server.stop()
