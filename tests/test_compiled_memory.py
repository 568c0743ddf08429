"""The compiled writer and readers give back all they take: each run over the same records many
times leaves the memory Python traces (its objects and every PyMem buffer the C code allocates)
where one run left it. A reference or a buffer kept per call would grow it by megabytes."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable

import pytest

from kg.mapping import map_record
from kg.rdf import Literal
from kg.serialize.compiled import INDEX, LINES, compiled
from kg.serialize.jsonld_terms import jsonld_lines
from kg.serialize.quads import graph_blocks
from kg.serialize.trial_blocks import trial_texts
from kg.validation.engine.data import DataGraph
from tests.conftest import EXAMPLE, FIXTURES, load_json

ROUNDS = 1000
# What tracemalloc's own bookkeeping and the interpreter's caches may move by (measured: 32
# bytes for each reader); one leaked 32-byte object a call over these rounds is 74 KB.
SLACK = 16 * 1024


def growth(work: Callable[[], object]) -> int:
    """Traced bytes after ROUNDS runs of ``work`` less those after a few warm-up runs."""
    for _ in range(5):
        work()
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(ROUNDS):
            work()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def work(bundled) -> dict[str, Callable[[], object]]:
    if compiled(LINES, "lines") is None or compiled(INDEX, "index") is None:
        pytest.fail("the compiled modules are not built (pip install the project)")
    records = [map_record(load_json(p)) for p in [EXAMPLE, *sorted(FIXTURES.glob("*.json"))]]
    nquads = bundled["nq"].read_bytes()
    blocks = [block.data for block in graph_blocks(bundled["nq"])]
    turtle = [text.text() for text in trial_texts(bundled["ttl"])]
    jsonld = [text.text() for text in trial_texts(bundled["jsonld"])]
    write = compiled(LINES, "lines")
    split = compiled(LINES, "split")
    run_end = compiled(LINES, "run_end")
    read_turtle = compiled(LINES, "turtle")
    return {
        "writer": lambda: [write(r.triples, " .\n") for r in records],
        "ntriples": lambda: [split(b.decode(), Literal) for b in blocks],
        "runs": lambda: run_end(nquads, 0, b" .\n", len(nquads)),
        "turtle": lambda: [read_turtle(t, b" .\n") for t in turtle],
        "jsonld": lambda: [jsonld_lines(d, b" .\n") for d in jsonld],
        "index": lambda: [DataGraph.from_lines(b) for b in blocks],
    }


@pytest.mark.parametrize("reader", ["writer", "ntriples", "runs", "turtle", "jsonld", "index"])
def test_a_compiled_reader_run_many_times_does_not_grow_memory(work, reader):
    first = work[reader]()
    read = first if isinstance(first, list) else [first]
    assert read and None not in read  # each reads the records in kg's form, refusing none
    assert growth(work[reader]) < SLACK


def test_the_measure_sees_a_leak_of_one_small_object_a_call():
    kept = []
    assert growth(lambda: kept.append(bytes(32))) >= SLACK
