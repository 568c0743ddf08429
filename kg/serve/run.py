"""Starting ``kg serve``: the store to serve (or one made from files), the query workers, the
web server."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.errors import KgError
from kg.ids import DEFAULT_BASE
from kg.serve.protocol import (
    HEADER_TIMEOUT_ENV,
    PER_CLIENT_ENV,
    TIMEOUT_ENV,
    GuardedH11Protocol,
)
from kg.serve.resources import Resources, detect_base
from kg.stores import DEFAULT_STORE, StoreError, snapshots


class ServeError(KgError):
    """The server cannot start: no store, a store that cannot be opened, a port in use."""


def example_queries() -> list[tuple[str, str]]:
    """The packaged example queries (``kg.queries``), by name."""
    found = []
    for entry in sorted(resources.files("kg.queries").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            found.append((entry.name.removesuffix(".rq"), entry.read_text()))
    return found


def build_store(inputs: tuple[str, ...], directory: str, report: Callable[[str], None]) -> str:
    """A store made from RDF files and records (directories taken whole), as ``kg load``
    makes one."""
    from kg.pipeline.load import load_inputs
    from kg.stores.oxigraph import OxigraphStore

    files = []
    for name in inputs:
        path = Path(name)
        files += sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    store = OxigraphStore(Path(directory) / "store")
    try:
        result = load_inputs([str(p) for p in files], store, DEFAULT_BASE, report=report)
    finally:
        store.close()
    report(f"loaded {len(result.loaded) + len(result.unchanged)} trials to serve")
    return str(Path(directory) / "store")


CONFIG_ENV = "KG_SERVE_CONFIG"  # how the parent hands the settings to server processes


def serve(inputs: tuple[str, ...], store_dir: str | None, scratch: str, host: str, port: int,
          base: str | None, timeout: float, max_rows: int, workers: int,
          report: Callable[[str], None], processes: int = 1,
          allowed_services: tuple[str, ...] = (), query_memory: int = 2048,
          request_timeout: float = 10.0, max_connections: int = 512,
          max_queue: int = 64, header_timeout: float = 5.0, max_per_client: int = 64) -> None:
    """Serve until stopped: one process, or ``processes`` of them sharing the port (each with
    the store open read-only and its share of the query workers)."""
    import uvicorn

    if inputs:
        path = build_store(inputs, scratch, report)
    else:
        path = store_dir or DEFAULT_STORE
        if not Path(path).is_dir():
            raise ServeError(f"no store at {path} (kg load records first, or give files)")
    try:
        store = ox.Store.read_only(str(snapshots.ensure(path)))
    except OSError as exc:
        raise ServeError(f"cannot open the store at {path}: {exc} (a store being written is "
                         "served once its writer has closed it)") from exc
    config = {"store": path, "base": base or detect_base(store, DEFAULT_BASE), "timeout": timeout,
              "max_rows": max_rows, "workers": max(1, workers // processes),
              "allowed_services": sorted({h.lower() for h in allowed_services}),
              "query_memory": query_memory, "max_queue": max_queue}
    trials = Resources(store, config["base"]).counts()["trials"]
    del store
    if port == 0:  # a free port, named in the report (uvicorn would not say which)
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    report(f"serving {trials} trials of {config['base']} at http://{host}:{port}/ "
           f"(read-only; queries stop after {timeout:g} s and {max_rows:,} rows; SERVICE "
           + (f"to {', '.join(config['allowed_services'])}" if allowed_services else "off")
           + (f"; {processes} processes" if processes > 1 else "") + ")")
    os.environ[TIMEOUT_ENV] = str(request_timeout)
    os.environ[HEADER_TIMEOUT_ENV] = str(header_timeout)
    os.environ[PER_CLIENT_ENV] = str(max_per_client)
    server = {"host": host, "port": port, "log_level": "warning", "access_log": False,
              "http": GuardedH11Protocol, "limit_concurrency": max_connections,
              "timeout_keep_alive": 5}
    try:
        if processes > 1:
            os.environ[CONFIG_ENV] = json.dumps(config)
            uvicorn.run("kg.serve.run:app_from_environment", factory=True, workers=processes,
                        **server)
        else:
            uvicorn.run(make_app(config), **server)
    except (OSError, StoreError, SystemExit) as exc:
        raise ServeError(f"the server stopped: {exc}") from exc


def make_app(config: dict):
    from kg.serve.app import Settings, create_app
    from kg.serve.sparql import QueryPool

    data = snapshots.Following(config["store"], lambda store: Resources(store, config["base"]))
    pool = QueryPool(config["workers"], config["timeout"], config["max_rows"],
                     config.get("query_memory", 2048), config.get("max_queue", 64))
    return create_app(data.get, pool, Settings(config["base"], config["timeout"], config["max_rows"],
                                           example_queries(),
                                           frozenset(config["allowed_services"])))


def app_from_environment():
    """The application of one server process of several (uvicorn's factory)."""
    return make_app(json.loads(os.environ[CONFIG_ENV]))
