"""Validation throughput on complete records like the registry's, per SHACL engine.

Usage: python -m benchmarks.validation [SIZE ...]   (default 1,000 and 10,000 trials)

In process (mapping included, as ``kg export`` validates): trials/s with 1 and 2 workers for
pyshacl-turbo (the default engine) at each size, and for pySHACL (the reference) on 100 trials,
which is all it manages in reasonable time. Then the command a user runs, ``kg validate`` of an
N-Quads export with 2 workers, end to end, with its peak RSS. Each row states its corpus.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import orjson

from benchmarks.bulk import write_corpus
from benchmarks.corpus import corpus, describe, machine
from kg.mapping import map_record
from kg.validate import validate_mapped


def validate_one(data: bytes, engine: str) -> int:
    return len(validate_mapped(map_record(orjson.loads(data)), engine))


def run(records: list[bytes], workers: int, engine: str) -> float:
    check = partial(validate_one, engine=engine)
    start = time.perf_counter()
    if workers == 1:
        for data in records:
            check(data)
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for _ in pool.imap(check, records, chunksize=8):
                pass
    return time.perf_counter() - start


def cli(size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records"
        records.mkdir()
        write_corpus(size, records)
        nquads = Path(tmp) / "all.nq"
        subprocess.run([sys.executable, "-m", "kg.cli", "export", str(records), "-o", str(nquads),
                        "--no-validate", "-q"], check=True)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "kg.cli", "validate", str(nquads), "-w", "2",
                               "-q"], stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"kg validate all.nq -w 2: {size:,} trials in {seconds:.1f} s, "
              f"{size / seconds:,.0f} trials/s, exit {done.returncode}, peak RSS {rss:,.0f} MB "
              "(largest process)", flush=True)


def main(sizes: list[int]) -> None:
    print(f"machine: {machine()}")
    print(f"corpus: {describe(max(sizes))} (smaller sizes are its first records)\n")
    print(f"{'engine':>8} {'trials':>7} {'workers':>7} {'seconds':>8} {'trials/s':>9}")
    rows = [("pyshacl", 100)] + [("turbo", size) for size in sizes]
    for engine, size in rows:
        records = corpus(size)
        for workers in sorted({1, os.cpu_count() or 1}):
            seconds = run(records, workers, engine)
            print(f"{engine:>8} {size:>7} {workers:>7} {seconds:>8.1f} {size / seconds:>9.1f}",
                  flush=True)
    print()
    cli(max(sizes))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])
