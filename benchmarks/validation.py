"""Validation throughput (trials/s) for 100, 1,000 and 10,000 trials, with 1 and all cores.

Usage: python benchmarks/validation.py [SIZE ...]
Prints one row per (size, workers); time should grow linearly with the number of trials.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time

import orjson

from benchmarks.corpus import corpus, machine
from kg.mapping import map_record
from kg.validate import validate_mapped


def validate_one(data: bytes) -> int:
    return len(validate_mapped(map_record(orjson.loads(data))))


def run(records: list[bytes], workers: int) -> float:
    start = time.perf_counter()
    if workers == 1:
        for data in records:
            validate_one(data)
    else:
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            for _ in pool.imap(validate_one, records, chunksize=8):
                pass
    return time.perf_counter() - start


def main(sizes: list[int]) -> None:
    print(f"machine: {machine()}")
    print(f"{'trials':>7} {'workers':>7} {'seconds':>8} {'trials/s':>9}")
    for size in sizes:
        records = corpus(size)
        for workers in sorted({1, os.cpu_count() or 1}):
            seconds = run(records, workers)
            print(f"{size:>7} {workers:>7} {seconds:>8.1f} {size / seconds:>9.1f}", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 10000])
