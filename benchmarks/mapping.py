"""Export throughput on one core: records/s and triples/s, against the JSON parse floor.

Usage: python -m benchmarks.mapping [SIZE]   (default 5,000 records varied from the shared ones)
Measures (a) the floor, ``orjson.loads`` of every record; (b) mapping alone; (c) mapping and
N-Triples; (d) mapping and Turtle; (e) mapping and JSON-LD; (f) a baseline, one rdflib Graph per
record serialized to N-Triples.
"""

from __future__ import annotations

import io
import sys
import time

import orjson

from benchmarks.corpus import corpus, machine
from kg.mapping import map_record
from kg.rdf import to_rdflib
from kg.serialize import WRITERS


def timed(label: str, records: list[bytes], work) -> float:
    start = time.perf_counter()
    triples = work(records)
    seconds = time.perf_counter() - start
    rate = len(records) / seconds
    print(f"{label:<28} {seconds:>7.2f} s {rate:>9,.0f} records/s {triples / seconds:>12,.0f} triples/s")
    return rate


def floor(records):
    for data in records:
        orjson.loads(data)
    return 0


def mapping(records):
    return sum(len(map_record(orjson.loads(d)).triples) for d in records)


def export_to(fmt: str):
    def work(records):
        writer = WRITERS[fmt](io.StringIO())
        writer.start()
        count = 0
        for data in records:
            mapped = map_record(orjson.loads(data))
            count += len(mapped.triples)
            writer.write(mapped)
        writer.finish()
        return count
    return work


def rdflib_baseline(records):
    count = 0
    for data in records:
        graph = to_rdflib(map_record(orjson.loads(data)).triples)
        graph.serialize(format="nt")
        count += len(graph)
    return count


def main(size: int) -> None:
    records = corpus(size)
    print(f"machine: {machine()}")
    print(f"corpus: {size} records, {sum(map(len, records)) / 1e6:.1f} MB of JSON, one core")
    parse = timed("floor: orjson.loads", records, floor)
    timed("mapping only", records, mapping)
    nt = timed("export N-Triples", records, export_to("ntriples"))
    timed("export Turtle", records, export_to("turtle"))
    timed("export JSON-LD", records, export_to("jsonld"))
    base = timed("baseline: rdflib per record", records[: max(size // 10, 100)], rdflib_baseline)
    print(f"export/floor: {nt / parse:.3f}   export/baseline: {nt / base:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
