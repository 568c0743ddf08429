"""The web application: a page per trial at its IRI path, content negotiation at every IRI, the
vocabulary, search, and a read-only SPARQL 1.1 Protocol endpoint.

Routes: ``/`` (search box and counts), ``/search?q=``, ``/id/...`` (any node under the served
base: trials, their parts, organisations, countries...), ``/describe?iri=`` (a node outside the
base the data describes: an article's DOI, a MeSH term), ``/vocab`` (the kg ontology), ``/sparql``
(GET and POST; a query page without a query). Every resource answers ``text/html`` by default
and ``text/turtle``, ``application/ld+json`` and ``application/n-triples`` when asked (or with
``?format=ttl|jsonld|nt|schemaorg``). Nothing is read from the file system but the packaged
templates and stylesheet.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs

import anyio
import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from kg.iri import checked_iri
from kg.mapping import MappedRecord
from kg.serialize import FORMATS
from kg.serialize.schemaorg import document, script_safe
from kg.serve.federation import FederationRefused, check_services
from kg.serve.pages import Links, NodePage, TrialPage
from kg.serve.resources import Resources, label, ontology_triples
from kg.serve.sparql import (
    GRAPH_TYPES,
    RESULT_TYPES,
    ClientGone,
    QueryBusy,
    QueryError,
    QueryFailed,
    QueryPool,
    QueryTimeout,
)
from kg.vocab import KG_NS

RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "jsonld",
             "application/n-triples": "ntriples"}
FORMAT_NAMES = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
                "nt": "application/n-triples", "ntriples": "application/n-triples",
                "schemaorg": "application/ld+json; profile=schemaorg", "html": "text/html"}
RESULT_NAMES = {"json": "json", "csv": "csv", "tsv": "tsv", "xml": "xml"}
GRAPH_NAMES = {"ttl": "turtle", "turtle": "turtle", "nt": "ntriples", "ntriples": "ntriples"}
ACCEPTED_RESULTS = {v: k for k, v in RESULT_TYPES.items()} | {
    "application/json": "json", "text/plain": "tsv", **{v: k for k, v in GRAPH_TYPES.items()}}
MAX_QUERY = 100_000  # characters of a query accepted
MAX_BODY = 4 * MAX_QUERY  # bytes of a POST body read (a form-encoded query grows)
RENDER_THREADS = 2  # threads a server process renders big pages in
INLINE_TRIPLES = 20_000  # a trial graph up to this size is answered on the event loop


@dataclass
class Settings:
    base: str
    timeout: float
    max_rows: int
    example_queries: list[tuple[str, str]]  # (name, text) for the query page
    allowed_services: frozenset[str] = frozenset()  # hosts SERVICE may call; none by default


def best_type(accept: str, offered: list[str]) -> str | None:
    """The offered media type the Accept header prefers (q-values; first offered for */*)."""
    if not accept.strip():
        return offered[0]
    choices = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        choices.append((quality, -position, media.lower()))
    for quality, _, media in sorted(choices, reverse=True):
        if quality <= 0:
            continue
        if media in ("*/*", "text/*") and offered:
            return offered[0] if media == "*/*" or offered[0].startswith("text/") else None
        if media in offered:
            return media
    return None


def _templates() -> jinja2.Environment:
    loader = jinja2.FunctionLoader(lambda name: resources.files("kg.serve").joinpath(
        "templates", name).read_text())
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True,
                             lstrip_blocks=True)
    return env


class _Site:
    """The pages, the linked-data resources and the SPARQL endpoint over ``snapshot()``: the
    store snapshot a request reads (its path and what the pages read from it), the newest one a
    writer published (kg.stores.snapshots). One method per route."""

    def __init__(self, snapshot: Callable[[], tuple[Path, Resources]], pool: QueryPool,
                 settings: Settings) -> None:
        self.snapshot = snapshot
        self.pool = pool
        self.settings = settings
        self.templates = _templates()
        self.renderers = anyio.CapacityLimiter(RENDER_THREADS)
        self.links = Links(settings.base)

    def page(self, name: str, status: int = 200, **values) -> HTMLResponse:
        """A page; every page of a resource is one of its negotiated forms, so it says it
        varies by Accept."""
        html = self.templates.get_template(name).render(base=self.settings.base, **values)
        return HTMLResponse(html, status_code=status, headers={"Vary": "Accept"})

    def not_found(self, what: str) -> Response:
        return self.page("missing.html", 404, title="Not found", what=what)

    def rdf(self, record: MappedRecord, media: str) -> Response:
        if media.endswith("profile=schemaorg"):
            body = script_safe(json.dumps(document(record), ensure_ascii=False, indent=1))
            return Response(body, media_type="application/ld+json",
                            headers={"Vary": "Accept"})
        fmt = FORMATS[RDF_TYPES[media]]
        body = fmt.header() + fmt.render(record) + fmt.footer()
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    def negotiate(self, request: Request) -> str | None:
        asked = request.query_params.get("format")
        if asked:
            return FORMAT_NAMES.get(asked)
        return best_type(request.headers.get("accept", ""), ["text/html", *RDF_TYPES])

    async def home(self, request: Request) -> Response:
        _, data = self.snapshot()
        return self.page("home.html", title="Clinical trials", counts=data.counts(),
                         queries=self.settings.example_queries)

    async def search(self, request: Request) -> Response:
        text = request.query_params.get("q", "")[:200]
        _, data = self.snapshot()
        found = data.search(text) if text.strip() else []
        if len(found) == 1 and text.strip() and found[0].nct_id.upper() in (
                text.strip().upper(), f"EUCTR{text.strip().upper()}", f"CTIS{text.strip().upper()}"):
            return Response(status_code=303, headers={"Location": self.links.href(found[0].trial)})
        return self.page("search.html", title=f"Search: {text}", q=text, found=found,
                         links=self.links)

    async def node(self, request: Request) -> Response:
        iri = self.settings.base + request.path_params["rest"]
        if checked_iri(iri) != iri:  # a path no IRI of the base can have
            return self.not_found(iri)
        return await self.resource(request, iri)

    async def describe(self, request: Request) -> Response:
        iri = request.query_params.get("iri", "")
        if not iri:
            return PlainTextResponse("give ?iri=", status_code=400)
        if checked_iri(iri) != iri:
            return PlainTextResponse(f"not an IRI: {iri[:200]!r}", status_code=400)
        return await self.resource(request, iri)

    async def resource(self, request: Request, iri: str) -> Response:
        media = self.negotiate(request)
        if media is None:
            return PlainTextResponse("Not Acceptable: text/html, text/turtle, "
                                     "application/ld+json or application/n-triples",
                                     status_code=406)
        _, data = self.snapshot()
        # A trial of known, ordinary size is answered on the event loop (a thread costs a
        # third of the page rate in lock hand-overs); a big or unknown one is read and rendered
        # in one of two threads, so that it holds no other client.
        size = data.size(iri)
        if size is not None and size <= INLINE_TRIPLES:
            return self.answer(data, iri, media)
        return await anyio.to_thread.run_sync(self.answer, data, iri, media, limiter=self.renderers)

    def answer(self, data: Resources, iri: str, media: str) -> Response:
        record = data.trial(iri)
        if record is not None:
            if media != "text/html":
                return self.rdf(record, media)
            view = TrialPage(record, self.links)
            schema = script_safe(json.dumps(document(record), ensure_ascii=False))
            return self.page("trial.html", title=view.title, view=view, schema=schema,
                             iri=iri, href=self.links.href(iri))
        triples = data.describe(iri)
        if not triples:
            return self.not_found(iri)
        part = MappedRecord(iri.rsplit("/", 1)[-1], iri, triples, [])
        if media != "text/html":
            return self.rdf(part, media if not media.endswith("schemaorg")
                            else "application/ld+json")
        view = NodePage(iri, triples, data.names, self.links, data.mentioned_by(iri))
        return self.page("node.html", title=view.title, view=view, iri=iri,
                         href=self.links.href(iri))

    async def vocab(self, request: Request) -> Response:
        media = self.negotiate(request)
        if media is None:
            return PlainTextResponse("Not Acceptable", status_code=406)
        triples = ontology_triples()
        if media != "text/html":
            record = MappedRecord("vocab", KG_NS.rstrip("#"), triples, [])
            return self.rdf(record, media if not media.endswith("schemaorg")
                            else "application/ld+json")
        terms = sorted({s for s, _, _ in triples if isinstance(s, str) and s.startswith(KG_NS)})
        comments = {s: o[0] for s, p, o in triples
                    if p == "http://www.w3.org/2000/01/rdf-schema#comment"}
        return self.page("vocab.html", title="kg vocabulary", terms=[
            (t[len(KG_NS):], label(t), comments.get(t, "")) for t in terms])

    async def sparql(self, request: Request) -> Response:
        try:
            query = await _query_of(request)
        except Refused as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)
        if query is None:
            return self.page("sparql.html", title="SPARQL",
                             queries=self.settings.example_queries,
                             timeout=self.settings.timeout, max_rows=self.settings.max_rows)
        try:
            check_services(query, self.settings.allowed_services)
        except FederationRefused as exc:
            return PlainTextResponse(str(exc), status_code=403)
        asked = request.query_params.get("format")
        accept = request.headers.get("accept", "")
        fmt = RESULT_NAMES.get(asked or "") or GRAPH_NAMES.get(asked or "") \
            or _result_format(accept)
        path, _ = self.snapshot()
        try:
            result = await self.pool.run(str(path), query, fmt, request.is_disconnected)
        except ClientGone:  # nobody is listening any more
            return Response(status_code=499)
        except QueryError as exc:
            return PlainTextResponse(f"malformed query: {exc}", status_code=400)
        except (QueryTimeout, QueryBusy, QueryFailed) as exc:
            return PlainTextResponse(str(exc), status_code=503,
                                     headers={"Retry-After": "5"} if isinstance(
                                         exc, QueryBusy) else None)
        headers = {"Vary": "Accept"}
        if result.truncated:
            headers["X-KG-Truncated"] = f"results cut at {self.settings.max_rows} rows"
        return Response(result.body, media_type=result.media_type, headers=headers)

    async def style(self, request: Request) -> Response:
        css = resources.files("kg.serve").joinpath("static", "style.css").read_text()
        return Response(css, media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Starlette):
        await self.pool.start()
        try:
            yield
        finally:
            self.pool.stop()


def create_app(snapshot: Callable[[], tuple[Path, Resources]], pool: QueryPool,
               settings: Settings) -> Starlette:
    """The application over ``snapshot()`` (see :class:`_Site`)."""
    site = _Site(snapshot, pool, settings)
    return Starlette(routes=[
        Route("/", site.home), Route("/search", site.search), Route("/id/{rest:path}", site.node),
        Route("/describe", site.describe), Route("/vocab", site.vocab),
        Route("/sparql", site.sparql, methods=["GET", "POST"]),
        Route("/static/style.css", site.style)], lifespan=site.lifespan)


def _result_format(accept: str) -> str:
    media = best_type(accept, list(ACCEPTED_RESULTS))
    return ACCEPTED_RESULTS.get(media or "", "json")


class Refused(Exception):
    """A SPARQL request the endpoint does not run: its status and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def _query_of(request: Request) -> str | None:
    """The query of a SPARQL 1.1 Protocol request (GET ?query=, POST form or
    application/sparql-query); :class:`Refused` says why one is not run. A POST body is read
    as it comes and refused (413) as soon as it passes the limit, never held whole first."""
    if request.method == "GET":
        if "update" in request.query_params:
            raise Refused(403, "this endpoint is read-only: no SPARQL Update")
        query = request.query_params.get("query")
    else:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise Refused(403, "this endpoint is read-only: no SPARQL Update")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise Refused(413, f"the request body is larger than {MAX_BODY:,} bytes")
        received = bytearray()
        async for chunk in request.stream():
            received += chunk
            if len(received) > MAX_BODY:
                raise Refused(413, f"the request body is larger than {MAX_BODY:,} bytes")
        body = received.decode("utf-8", "replace")
        if kind == "application/sparql-query":
            query = body
        else:
            form = parse_qs(body)
            if "update" in form:
                raise Refused(403, "this endpoint is read-only: no SPARQL Update")
            query = form.get("query", [None])[0]
    if query is not None and len(query) > MAX_QUERY:
        raise Refused(400, f"the query is longer than {MAX_QUERY:,} characters")
    return query
