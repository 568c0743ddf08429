"""Peak memory of the commands that read whole files: ``kg load`` of an N-Quads export and
``kg validate`` of it, on complete records like the registry's.

Usage: python -m benchmarks.memory [RECORDS]   (default 3,000 records, about 2.6 M quads)

Each command runs as a child process; its peak RSS is read from the kernel's accounting of
that child alone (``RUSAGE_CHILDREN`` in a fresh helper process per command).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bulk import write_corpus
from benchmarks.corpus import describe, machine


def peak(*args: str) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit status) of ``kg ARGS`` run in a helper process."""
    helper = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
              "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, "
              "text=True); code = done.returncode; "
              "print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''); "
              "print(json.dumps([time.perf_counter() - t, "
              "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, code]))")
    out = subprocess.run([sys.executable, "-c", helper, sys.executable, "-m", "kg.cli", *args],
                         capture_output=True, text=True, check=True)
    *said, figures = out.stdout.splitlines()
    seconds, rss, code = json.loads(figures)
    if said and said[-1]:
        print(f"  kg {args[0]} said: {said[-1]}")
    return seconds, rss, code


def main(size: int) -> None:
    print(f"machine: {machine()}\ncorpus: {describe(size)}\n")
    with tempfile.TemporaryDirectory() as tmp:
        records = write_corpus(size, Path(tmp) / "records")
        nquads = Path(tmp) / "all.nq"
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "kg.cli", "export", str(records), "-o", str(nquads),
                        "--no-validate", "-q"], check=True)
        with nquads.open("rb") as lines:
            quads = sum(1 for _ in lines)
        print(f"exported {quads:,} quads in {time.perf_counter() - start:.1f} s")
        seconds, rss, code = peak("load", str(nquads), "--store", str(Path(tmp) / "store"), "-q")
        print(f"kg load {quads:,} quads into Oxigraph: {seconds:.1f} s, peak RSS {rss:,.0f} MB, "
              f"exit {code}")
        seconds, rss, code = peak("validate", str(nquads), "-w", "2", "--format", "json")
        print(f"kg validate {size:,} trials (N-Quads, 2 workers): {seconds:.1f} s "
              f"({size / seconds:,.1f} trials/s), peak RSS {rss:,.0f} MB (largest process), "
              f"exit {code}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
