"""The SPARQL endpoint's queries, each run in a worker process with a deadline.

Oxigraph cannot interrupt a query it is evaluating, and one ``ORDER BY`` over the whole registry
would hold a server thread for minutes; so queries run in a few worker processes, each with the
store open read-only, and a query past its deadline has its worker killed and replaced. Results
are cut at ``max_rows`` (the response says so in a header) and serialized in the worker in the
format asked for: SPARQL JSON, CSV, TSV or XML for SELECT and ASK, N-Triples or Turtle for
CONSTRUCT and DESCRIBE.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import multiprocessing
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import orjson

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xml": "application/sparql-results+xml",
}
GRAPH_TYPES = {"ntriples": "application/n-triples", "turtle": "text/turtle"}


class QueryError(Exception):
    """A query that does not parse, or that the endpoint refuses (the message says why)."""


class QueryTimeout(Exception):
    """A query that did not finish in time, waiting included (its worker was replaced)."""


class QueryBusy(Exception):
    """Every worker is busy and the queue is full: refused at once, not queued."""


class ClientGone(Exception):
    """The client hung up before its answer: the query was not run, or was stopped."""


Gone = Callable[[], Awaitable[bool]]
CHECK = 0.25  # seconds between looks at whether a waiting client is still there


async def _never_gone() -> bool:
    return False


class QueryFailed(Exception):
    """The worker running the query died (past its memory limit, or a crash); it was
    replaced."""


@dataclass
class Answer:
    body: bytes
    media_type: str
    truncated: bool


def _term_json(term) -> dict:
    from kg.stores.oxigraph import term_json

    return term_json(term)


def _text(term) -> str:
    return "" if term is None else term.value


def _ntriples_term(term) -> str:
    return "" if term is None else str(term)


def serialize(result, fmt: str, max_rows: int) -> Answer:
    """A pyoxigraph query result in the format asked for, cut at ``max_rows``."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        value = bool(result)
        if fmt == "xml":
            body = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{str(value).lower()}</boolean></sparql>\n").encode()
        elif fmt in ("csv", "tsv"):
            body = (("true" if value else "false") + "\n").encode()
        else:
            body = orjson.dumps({"head": {}, "boolean": value})
        return Answer(body, RESULT_TYPES.get(fmt, RESULT_TYPES["json"]), False)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows, truncated = [], False
        for solution in result:
            if len(rows) == max_rows:
                truncated = True
                break
            rows.append([solution[v] for v in variables])
        return Answer(_solutions(variables, rows, fmt), RESULT_TYPES[fmt], truncated)
    triples, truncated = [], False
    for triple in result:
        if len(triples) == max_rows:
            truncated = True
            break
        triples.append(f"{triple} .\n")
    text = "".join(triples)
    if fmt == "turtle":
        import rdflib

        graph = rdflib.Graph().parse(data=text, format="nt")
        graph.bind("schema", "https://schema.org/")
        graph.bind("kg", "https://w3id.org/ctkg/vocab#")
        return Answer(graph.serialize(format="turtle").encode(), GRAPH_TYPES["turtle"], truncated)
    return Answer(text.encode(), GRAPH_TYPES["ntriples"], truncated)


def _solutions(variables: list[str], rows: list[list], fmt: str) -> bytes:
    if fmt == "json":
        return orjson.dumps({"head": {"vars": variables}, "results": {"bindings": [
            {v: _term_json(t) for v, t in zip(variables, row, strict=True) if t is not None}
            for row in rows]}})
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        if fmt == "csv":  # SPARQL 1.1 CSV: values only
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(variables)
            writer.writerows([_text(t) for t in row] for row in rows)
        else:  # TSV: terms in N-Triples syntax
            out.write("\t".join(f"?{v}" for v in variables) + "\n")
            for row in rows:
                out.write("\t".join(_ntriples_term(t) for t in row) + "\n")
        return out.getvalue().encode()
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
             "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head>",
             "<results>"]
    for row in rows:
        parts.append("<result>")
        for variable, term in zip(variables, row, strict=True):
            if term is not None:
                parts.append(f"<binding name={quoteattr(variable)}>{_xml_term(term)}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def _xml_term(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"


def _worker(connection, memory_mb: int) -> None:
    """A query worker: one query at a time, answers by pipe, each on the snapshot it names
    (opened read-only once, until a query names a newer one). Its address space is capped at
    ``memory_mb``: a query past it makes the worker fail, not the machine swap."""
    import resource

    import pyoxigraph as ox

    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    opened: tuple[str, ox.Store] | None = None
    while True:
        try:
            store_path, query, fmt, max_rows = connection.recv()
        except EOFError:
            return
        try:
            if opened is None or opened[0] != store_path:
                opened = None
                opened = (store_path, ox.Store.read_only(store_path))
            result = opened[1].query(query, use_default_graph_as_union=True)
            if fmt in GRAPH_TYPES and isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
                fmt = "json"
            elif fmt in RESULT_TYPES and not isinstance(result, (ox.QuerySolutions,
                                                                 ox.QueryBoolean)):
                fmt = "ntriples"
            connection.send(("ok", serialize(result, fmt, max_rows)))
        except SyntaxError as exc:
            connection.send(("error", str(exc).strip() or "the query does not parse"))
        except MemoryError:
            connection.send(("failed", f"the query needed more than the {memory_mb:,} MB a "
                                       "query may use"))
        except (OSError, ValueError, RuntimeError) as exc:
            connection.send(("failed", f"{type(exc).__name__}: {exc}"))


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_worker, args=(theirs, memory_mb), daemon=True)
        self.process.start()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)


class QueryPool:
    """A few query workers; ``await run(...)`` gives an Answer, or raises QueryError,
    QueryTimeout, QueryBusy or QueryFailed.

    The deadline counts from the request, waiting for a worker included; at most
    ``max_waiting`` queries wait at once (more are refused at once, 503, rather than queued
    without end); a query whose client has gone is dropped from the queue, or stopped."""

    def __init__(self, workers: int, timeout: float, max_rows: int, memory_mb: int = 2048,
                 max_waiting: int = 64) -> None:
        self.timeout = timeout
        self.max_rows = max_rows
        self.memory_mb = memory_mb
        self.max_waiting = max_waiting
        self.idle: asyncio.Queue | None = None
        self.workers = workers
        self.waiting = 0
        self._all: list[_Worker] = []
        self._lock = threading.Lock()

    async def start(self) -> None:
        self.idle = asyncio.Queue()
        for _ in range(self.workers):
            worker = _Worker(self.memory_mb)
            self._all.append(worker)
            self.idle.put_nowait(worker)

    async def _free_worker(self, deadline: float, gone: Gone) -> _Worker:
        """An idle worker, waited for until ``deadline`` (loop time) unless the client goes."""
        assert self.idle is not None, "start() first"
        with contextlib.suppress(asyncio.QueueEmpty):  # an idle worker: no waiting at all
            return self.idle.get_nowait()
        if self.waiting >= self.max_waiting:
            raise QueryBusy(f"{self.workers} queries are running and {self.waiting} waiting; "
                            "try again shortly")
        loop = asyncio.get_running_loop()
        self.waiting += 1
        getter = asyncio.ensure_future(self.idle.get())
        try:
            while not getter.done():
                left = deadline - loop.time()
                if left <= 0:
                    raise QueryTimeout(f"no query worker was free within {self.timeout:g} s")
                await asyncio.wait({getter}, timeout=min(CHECK, left))
                if not getter.done() and await gone():
                    raise ClientGone()
        except BaseException:
            if getter.done() and not getter.cancelled():  # handed a worker as the client went
                self.idle.put_nowait(getter.result())
            raise
        finally:
            self.waiting -= 1
            if not getter.done():
                getter.cancel()
        return getter.result()

    async def run(self, store_path: str, query: str, fmt: str,
                  gone: Gone = _never_gone) -> Answer:
        """``query`` answered from the store (a snapshot) at ``store_path``; ``gone()`` says
        whether the client has hung up (then :class:`ClientGone`, and a running query's
        worker is replaced, since Oxigraph cannot be interrupted). A query whose worker dies
        under it is run once more on the worker that replaces it: it fails only if it kills
        that one too (it is then the query that is past the memory a query may use)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        worker = await self._free_worker(deadline, gone)
        try:
            status, payload = "failed", "the query's worker could not be reached"
            for _attempt in (1, 2):
                if await gone():
                    raise ClientGone()
                try:
                    worker.connection.send((store_path, query, fmt, self.max_rows))
                except OSError:  # a worker that died while idle: its successor takes it
                    worker = self._replace(worker)
                    continue
                while True:
                    left = deadline - loop.time()
                    if left <= 0:
                        worker = self._replace(worker)
                        raise QueryTimeout(f"the query ran longer than {self.timeout:g} s and "
                                           "was stopped")
                    if await loop.run_in_executor(None, worker.connection.poll,
                                                  min(CHECK, left)):
                        break
                    if await gone():
                        worker = self._replace(worker)
                        raise ClientGone()
                try:
                    status, payload = worker.connection.recv()
                    break
                except (EOFError, OSError):  # the worker died: out of memory, or a crash
                    worker = self._replace(worker)
                    # once more, on the fresh worker: the query may have met a worker that
                    # was dying for another's sake; a query that kills it twice is the cause
                    status, payload = "failed", (f"the query's worker stopped (past the "
                                                 f"{self.memory_mb:,} MB a query may use, or "
                                                 "a crash)")
        finally:
            self.idle.put_nowait(worker)
        if status == "error":
            raise QueryError(payload)
        if status == "failed":
            raise QueryFailed(f"{payload}; the worker was restarted")
        return payload

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
            fresh = _Worker(self.memory_mb)
            self._all.append(fresh)
        return fresh

    def stop(self) -> None:
        with self._lock:
            for worker in self._all:
                worker.stop()
            self._all.clear()
