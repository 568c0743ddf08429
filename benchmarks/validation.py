"""Validation throughput on complete records like the registry's, per SHACL engine.

Usage: python -m benchmarks.validation [--engines native,turbo,pyshacl] [--no-cli] [SIZE ...]
       (default: every engine, the CLI runs, 1,000 and 10,000 trials)

(a) The validation ``kg export`` does: records are mapped and validated in worker processes,
    set up as kg's workers are (collector tuned). The rate of validation itself is given two
    ways: by difference, the time of mapping alone measured in the same way and taken off
    (trials/s = trials / (map and validate - map), medians of three interleaved runs; noisy
    where runs take a second or two), and as timed in the workers around each validation, all
    workers running together (trials/s = trials / (seconds validating / workers)). For each engine: native
    (kg's own, the default) at each size, pyshacl-turbo at the smaller sizes, pySHACL (the
    reference) on 100 trials, which is all it manages in reasonable time; with 1 and 2 workers.
(b) ``kg validate all.nq -w N``, the command a user runs on an export, end to end (reading and
    parsing the N-Quads included), with its peak RSS.
(c) ``kg export DIR -o all.nq`` with and without validation, end to end, 2 workers.
(d) ``kg validate all.EXT -w N`` for each format kg writes (N-Quads, N-Triples, Turtle,
    JSON-LD) of the same records, end to end, with 1 and 2 workers and the peak RSS of the
    largest process of that run alone (``--formats``; each file exported once, not timed).
Each row states its corpus; every run is in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import orjson

from benchmarks.bulk import write_corpus
from benchmarks.corpus import corpus, describe, machine
from kg.mapping import map_record
from kg.validation.validate import validate_mapped
from kg.workers import tune_gc

_ENGINE = ""
REPEATS = 3


def _map_only(data: bytes) -> float:
    map_record(orjson.loads(data))
    return 0.0


def _map_and_validate(data: bytes) -> float:
    """Map and validate one record; returns the seconds validation took, timed in the worker."""
    mapped = map_record(orjson.loads(data))
    start = time.perf_counter()
    validate_mapped(mapped, _ENGINE)
    return time.perf_counter() - start


def _set_engine(engine: str) -> None:
    """Set a process up as kg's export workers are (collector tuned), the engine ready."""
    global _ENGINE
    _ENGINE = engine
    tune_gc()
    if engine:  # compile the shapes before the clock starts, as a long run amortises it
        validate_mapped(map_record(orjson.loads(corpus(1)[0])), engine)


def timed(records: list[bytes], workers: int, engine: str) -> tuple[float, float]:
    """Wall seconds of the run, and the seconds the workers spent validating (summed)."""
    import multiprocessing

    work = _map_and_validate if engine else _map_only
    if workers == 1:
        _set_engine(engine)
        start = time.perf_counter()
        validating = sum(work(data) for data in records)
        return time.perf_counter() - start, validating
    with multiprocessing.get_context("spawn").Pool(workers, _set_engine, (engine,)) as pool:
        pool.map(_map_only, records[:workers * 4])  # workers started and warm
        start = time.perf_counter()
        validating = sum(pool.imap(work, records, chunksize=16))
        return time.perf_counter() - start, validating


def child(engine: str, size: int, workers: int) -> None:
    records = corpus(size)
    seconds, validating = timed(records, workers, engine)
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
              resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(json.dumps({"seconds": seconds, "validating": validating, "rss": rss}))


def run_child(engine: str, size: int, workers: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.validation", "--child", engine or "-",
                          str(size), str(workers)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def in_process(sizes: list[int], engines: tuple[str, ...]) -> None:
    print(f"{'engine':>8} {'trials':>7} {'workers':>7} {'map+val s':>10} {'map s':>7} "
          f"{'by difference':>16} {'timed in workers':>17} {'peak RSS':>9}")
    rows = [("pyshacl", 100)] + [("turbo", size) for size in sizes if size <= 1000] + \
           [("native", size) for size in sizes]
    rows = [(engine, size) for engine, size in rows if engine in engines]
    for engine, size in rows:
        for workers in sorted({1, os.cpu_count() or 1}):
            # The machine's speed drifts: map+validate and map alone are run in turn, three
            # times where it takes seconds, and the medians are compared.
            runs = [(run_child(engine, size, workers), run_child("", size, workers))
                    for _ in range(1 if engine == "pyshacl" else REPEATS)]
            both = median(b["seconds"] for b, _ in runs)
            mapping = median(m["seconds"] for _, m in runs)
            rss = max(b["rss"] for b, _ in runs)
            rate = size / (both - mapping)
            # The workers' own clocks time validation alone, all workers running together.
            direct = size / (median(b["validating"] for b, _ in runs) / workers)
            print(f"{engine:>8} {size:>7,} {workers:>7} {both:>10.1f} "
                  f"{mapping:>7.1f} {rate:>9,.{1 if rate < 10 else 0}f} trials/s "
                  f"{direct:>8,.{1 if direct < 10 else 0}f} trials/s {rss:>6.0f} MB",
                  flush=True)


def kg(*args: str) -> tuple[float, int, float]:
    """A kg command's seconds, exit status and peak RSS in MB: the largest of its processes,
    measured in a wrapper process of its own (a process's children's peak is the largest of
    all it ever waited for)."""
    wrapper = ("import resource, subprocess, sys, time; start = time.perf_counter(); "
               "code = subprocess.run([sys.executable, '-m', 'kg.cli', *sys.argv[1:]], "
               "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode; "
               "print(time.perf_counter() - start, code, "
               "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)")
    done = subprocess.run([sys.executable, "-c", wrapper, *args], capture_output=True,
                          text=True, check=True)
    seconds, code, rss = done.stdout.split()
    return float(seconds), int(code), float(rss)


def formats(size: int) -> None:
    """``kg validate`` of one export in each format, end to end."""
    cores = str(os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp:
        records = write_corpus(size, Path(tmp) / "records")
        print(f"| input ({size:,} trials) | size | workers | seconds | trials/s | "
              "of N-Quads' rate | peak RSS |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        rates: dict[str, float] = {}
        for fmt, suffix in (("nquads", "nq"), ("ntriples", "nt"), ("turtle", "ttl"),
                            ("jsonld", "jsonld")):
            path = Path(tmp) / f"all.{suffix}"
            kg("export", str(records), "-f", fmt, "-o", str(path), "-q", "--no-validate",
               "-w", cores)
            for workers in sorted({"1", cores}):
                seconds, code, rss = kg("validate", str(path), "-w", workers, "-q")
                rate = size / seconds
                rates.setdefault(workers, rate)
                print(f"| all.{suffix} | {path.stat().st_size / 2**20:,.0f} MB | {workers} | "
                      f"{seconds:.1f} | {rate:,.0f} | {rate / rates[workers]:.0%} | "
                      f"{rss:,.0f} MB |" + ("" if code in (0, 1) else f" exit {code}"),
                      flush=True)
            path.unlink()


def cli(size: int) -> None:
    cores = str(os.cpu_count() or 1)
    with tempfile.TemporaryDirectory() as tmp:
        records = write_corpus(size, Path(tmp) / "records")
        nquads = Path(tmp) / "all.nq"
        for label, flag in (("no validation", "--no-validate"), ("validation (native)", "")):
            seconds, code, _ = kg("export", str(records), "-o", str(nquads), "-q", "-w", cores,
                                  *([flag] if flag else []))
            print(f"kg export -o all.nq -w {cores}, {label}: {size:,} records in {seconds:.1f} s, "
                  f"{size / seconds:,.0f} records/s, exit {code}", flush=True)
        for workers in sorted({"1", cores}):
            seconds, code, rss = kg("validate", str(nquads), "-w", workers, "-q")
            print(f"kg validate all.nq -w {workers}: {size:,} trials in {seconds:.1f} s, "
                  f"{size / seconds:,.0f} trials/s, exit {code}, peak RSS {rss:,.0f} MB "
                  "(largest process)", flush=True)


def main(sizes: list[int], engines: tuple[str, ...], with_cli: bool,
         only_formats: bool) -> None:
    print(f"machine: {machine()}")
    print(f"corpus: {describe(max(sizes))} (smaller sizes are its first records)\n")
    if only_formats:
        formats(max(sizes))
        return
    in_process(sizes, engines)
    if with_cli:
        print()
        cli(max(sizes))
        print()
        formats(max(sizes))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        engine = "" if sys.argv[2] == "-" else sys.argv[2]
        child(engine, int(sys.argv[3]), int(sys.argv[4]))
    else:
        parser = argparse.ArgumentParser(prog="python -m benchmarks.validation")
        parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
        parser.add_argument("--engines", default="pyshacl,turbo,native",
                            help="comma-separated engines to measure in process")
        parser.add_argument("--no-cli", action="store_true", help="skip the end-to-end runs")
        parser.add_argument("--formats", action="store_true",
                            help="only (d): kg validate of each format")
        args = parser.parse_args()
        main(args.sizes, tuple(args.engines.split(",")), not args.no_cli, args.formats)
