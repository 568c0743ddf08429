"""Whole-registry export throughput: the CLI end to end, and in-process against the parse floor
and an rdflib baseline.

Usage: python -m benchmarks.bulk [SIZE]     (default 100,000 records)
       python -m benchmarks.bulk --cli SIZE  (only the end-to-end CLI runs)

The end-to-end runs are what a user runs: the corpus is written as one JSON file per study into
a temporary directory, then ``kg export DIR -f ntriples -o all.nt --no-validate -w N`` is timed
as a child process, output written to disk; triples are the lines of the file.

Each measurement runs in a fresh child process so that its peak RSS is its own (the writer
process and the largest worker are both reported). Output goes to a counting sink rather than
the disk: this measures the exporter, not the disk (100,000 records are ~4 GB of N-Triples).
  (a) floor: reading and orjson.loads of every record
  (b) export to N-Triples with 1 worker and with all cores
  (c) baseline: one rdflib Graph per record, serialized to N-Triples (on a 2,000-record sample)
  (d) export to Turtle and to JSON Lines JSON-LD with all cores
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

from benchmarks.corpus import describe, machine, units
from kg.ids import DEFAULT_BASE
from kg.mapping import map_record
from kg.pipeline.export import ExportOptions, export
from kg.rdf import to_rdflib


class CountingSink:
    """Stands in for the outputs: takes every block, keeps only the byte count."""

    def __init__(self) -> None:
        self.bytes = 0

    def __enter__(self) -> CountingSink:
        return self

    def write(self, blocks: dict[str, bytes]) -> None:
        self.bytes += sum(len(b) for b in blocks.values())

    def __exit__(self, *exc) -> bool:
        return False


def measure(kind: str, size: int, workers: int) -> dict:
    """One measurement, in this process; returns records, triples, seconds, peak RSS."""
    start = time.perf_counter()
    triples = 0
    if kind == "floor":
        for unit in units(size):
            orjson.loads(unit.data)
    elif kind == "large":
        options = ExportOptions(formats=("ntriples",), base=DEFAULT_BASE, validate=False)
        summary = export(large_units(size), CountingSink(), options, workers=workers)
        triples = summary.triples
    elif kind == "rdflib":
        for unit in units(size):
            graph = to_rdflib(map_record(orjson.loads(unit.data)).triples)
            graph.serialize(format="nt")
            triples += len(graph)
    else:
        options = ExportOptions(formats=(kind,), base=DEFAULT_BASE, validate=False)
        summary = export(units(size), CountingSink(), options, workers=workers)
        triples = summary.triples
    seconds = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"kind": kind, "workers": workers, "records": size, "triples": triples,
            "seconds": seconds, "rss_mb": max(own, children) / 1024}


def large_units(size: int):
    """Records with 2,000 sites each (the largest registry records have a few thousand)."""
    from benchmarks.corpus import templates
    from kg.sources.units import RawUnit

    big = max(templates(), key=len)
    record = orjson.loads(big)
    sites = record["protocolSection"]["contactsLocationsModule"]["locations"]
    record["protocolSection"]["contactsLocationsModule"]["locations"] = [
        dict(site, facility=f"{site.get('facility', 'Site')} {n}")
        for n, site in enumerate((sites * 5)[:2000])]
    template = orjson.dumps(record)
    for number in range(size):
        nct = f"NCT{80000000 + number:08d}".encode()
        yield RawUnit(f"large-{number}.json", template.replace(b"NCT@@@@@@@@", nct))


def run_child(kind: str, size: int, workers: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bulk", "--child", kind, str(size),
                          str(workers)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def write_corpus(size: int, directory: Path) -> Path:
    """The corpus as one JSON file per study in ``directory`` (made if missing); returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    for unit in units(size):
        (directory / unit.origin).write_bytes(unit.data)
    return directory


def run_cli(directory: Path, workers: int, fmt: str = "ntriples") -> dict:
    """``kg export`` of a directory to one N-Triples file (or KGX nodes and edges files),
    timed end to end in a child; triples are the N-Triples lines, or for KGX its rows."""
    out = directory.parent / ("all.nt" if fmt == "ntriples" else "kgx")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kg.cli", "export", str(directory), "-f", fmt,
                    "-o", str(out), "--no-validate", "-q", "-w", str(workers)], check=True)
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    files = [out] if fmt == "ntriples" else [out / "nodes.tsv", out / "edges.tsv"]
    triples = 0
    for path in files:
        with path.open("rb") as lines:
            triples += sum(1 for _ in lines)
        path.unlink()
    records = sum(1 for _ in directory.iterdir())
    return {"records": records, "triples": triples, "seconds": seconds, "rss_mb": rss}


def cli_rows(size: int) -> None:
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        directory = write_corpus(size, Path(tmp) / "records")
        one = row("CLI end to end, 1 worker", run_cli(directory, 1))
        alln = row(f"CLI end to end, {cores} workers", run_cli(directory, cores))
        kgx = row(f"CLI KGX (rows), {cores} workers", run_cli(directory, cores, "kgx"))
    print(f"scaling {cores} workers / 1 worker: {alln / one:.2f}x")
    print(f"KGX / N-Triples time, {cores} workers: {alln / kgx:.2f}x")


def row(label: str, result: dict) -> float:
    rate = result["records"] / result["seconds"]
    print(f"{label:<34} {result['records']:>8,} {result['seconds']:>8.1f} s {rate:>9,.0f} rec/s "
          f"{result['triples'] / result['seconds']:>11,.0f} triples/s {result['rss_mb']:>7.0f} MB",
          flush=True)
    return rate


def main(size: int) -> None:
    cores = os.cpu_count() or 1
    print(f"machine: {machine()}")
    print(f"corpus: {describe(size)}\n")
    print(f"{'measurement':<34} {'records':>8} {'time':>10} {'rate':>15} {'':>21} {'peak RSS':>10}")
    cli_rows(size)
    floor = row("(a) floor: read + orjson.loads", run_child("floor", size, 1))
    one = row("(b) N-Triples, 1 worker", run_child("ntriples", size, 1))
    alln = row(f"(b) N-Triples, {cores} workers", run_child("ntriples", size, cores))
    row(f"    N-Triples, {cores} workers, half", run_child("ntriples", size // 2, cores))
    base = row("(c) baseline: rdflib per record", run_child("rdflib", min(size, 2000), 1))
    row(f"(d) Turtle, {cores} workers", run_child("turtle", size, cores))
    row(f"(d) JSON Lines JSON-LD, {cores} workers", run_child("jsonl", size, cores))
    row(f"    2,000-site records, {cores} workers", run_child("large", 500, cores))
    print(f"\nexport/floor (all cores): {alln / floor:.2f}; (1 worker): {one / floor:.2f}")
    print(f"export/baseline (all cores): {alln / base:.1f}x; (1 worker): {one / base:.1f}x")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--cli"]:
        count = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
        print(f"machine: {machine()}\ncorpus: {describe(count)}\n")
        cli_rows(count)
    elif sys.argv[1:2] == ["--child"]:
        kind, size, workers = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        print(json.dumps(measure(kind, size, workers)))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
