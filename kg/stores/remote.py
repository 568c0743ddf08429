"""Any SPARQL 1.1 server: Graph Store Protocol PUT per trial graph, SPARQL Update as fallback.

Credentials come from the environment (``KG_STORE_USER``, ``KG_STORE_PASSWORD``,
``KG_STORE_AUTH`` = basic or digest), never from the command line or the code; how many graphs
are sent at once over kept-alive connections from ``KG_STORE_CONNECTIONS`` (default 4). Connection
errors and 5xx answers are retried with back-off; anything else is a :class:`StoreError` that
says what the server said.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from kg import __version__
from kg.http import connection_reason
from kg.serialize.quads import as_ntriples
from kg.stores import QueryResult, Store, StoreError

USER_AGENT = f"kg/{__version__} (clinical-trial knowledge graph loader)"
RETRIES = 3


def auth_from_env():
    user = os.environ.get("KG_STORE_USER")
    if not user:
        return None
    password = os.environ.get("KG_STORE_PASSWORD", "")
    kind = os.environ.get("KG_STORE_AUTH", "basic").lower()
    return HTTPDigestAuth(user, password) if kind == "digest" else HTTPBasicAuth(user, password)


def _connections_from_env() -> int:
    value = os.environ.get("KG_STORE_CONNECTIONS", "4")
    if not value.isdigit() or int(value) < 1:
        raise StoreError(f"KG_STORE_CONNECTIONS must be a whole number of at least 1, not {value!r}")
    return int(value)


class RemoteStore(Store):
    def __init__(self, query_url: str, update_url: str | None = None, gsp_url: str | None = None,
                 timeout: float = 60.0, backoff: float = 0.5, connections: int | None = None):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.gsp_url = gsp_url
        self.timeout = timeout
        self.backoff = backoff
        self.connections = connections or _connections_from_env()
        self._local = threading.local()
        self._sessions: list[requests.Session] = []

    @property
    def session(self) -> requests.Session:
        """One session (one kept-alive connection) per thread."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["User-Agent"] = USER_AGENT
            session.auth = auth_from_env()
            self._sessions.append(session)
        return session

    def _request(self, method: str, url: str, **kwargs) -> requests.Response:
        for attempt in range(RETRIES + 1):
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except requests.ConnectionError as exc:
                if attempt == RETRIES:
                    raise StoreError(f"cannot reach {url}: {connection_reason(exc)}") from exc
            except requests.Timeout as exc:
                if attempt == RETRIES:
                    raise StoreError(f"{url} did not answer in {self.timeout:g} s") from exc
            else:
                if response.status_code < 500 or attempt == RETRIES:
                    if response.status_code >= 400:
                        body = " ".join(response.text.split())[:300]
                        raise StoreError(f"{method} {url} -> HTTP {response.status_code}: {body}")
                    return response
            time.sleep(self.backoff * 2 ** attempt)
        raise AssertionError("unreachable")

    def replace_graphs(self, graphs: list[tuple[str, bytes]],
                       stored: set[str] | None = None) -> None:
        """PUT each graph (a few at a time over kept-alive connections), or, without a Graph
        Store endpoint, one SPARQL Update that drops and inserts the whole batch (a PUT and a
        DROP SILENT cost nothing for a graph that is not there, so ``stored`` is not needed)."""
        if not self.gsp_url:
            drops = "".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri, _ in graphs)
            inserts = "".join(f"GRAPH <{iri}> {{\n{as_ntriples(iri, nquads).decode()}}}\n"
                              for iri, nquads in graphs)
            self.update(f"{drops}INSERT DATA {{\n{inserts}}}")
            return

        def put(graph: tuple[str, bytes]) -> None:
            iri, nquads = graph
            self._request("PUT", self.gsp_url, params={"graph": iri},
                          data=as_ntriples(iri, nquads),
                          headers={"Content-Type": "application/n-triples"})

        with ThreadPoolExecutor(self.connections) as pool:
            for _ in pool.map(put, graphs):
                pass

    def update(self, sparql: str) -> None:
        self._request("POST", self.update_url, data={"update": sparql})

    def query(self, sparql: str) -> QueryResult:
        response = self._request(
            "POST", self.query_url, data={"query": sparql},
            headers={"Accept": "application/sparql-results+json, application/n-triples;q=0.9"})
        if "json" not in response.headers.get("Content-Type", ""):
            return QueryResult([], [], ntriples=response.text)
        document = response.json()
        if "boolean" in document:
            return QueryResult([], [], boolean=document["boolean"])
        variables = document["head"]["vars"]
        rows = [[_normalise(b.get(v)) for v in variables] for b in document["results"]["bindings"]]
        return QueryResult(variables, rows)

    def close(self) -> None:
        for session in self._sessions:
            session.close()


def _normalise(term: dict | None) -> dict | None:
    """SPARQL JSON terms as SPARQL 1.1 says them (Virtuoso still writes ``typed-literal``)."""
    if term is None:
        return None
    term = dict(term)
    if term["type"] == "typed-literal":
        term["type"] = "literal"
    if term.get("datatype") == "http://www.w3.org/2001/XMLSchema#string":
        del term["datatype"]
    return term

