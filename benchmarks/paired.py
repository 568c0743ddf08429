"""Two source trees of kg timed against each other on the same corpus, in paired runs.

Usage: python -m benchmarks.paired TREE_A TREE_B [RECORDS] [--runs N] [--workers W]
                                   [--only COMMAND ...]
       (default 2,000 records, 5 runs of each command, 2 workers, every command)

Each tree is a checkout (``git worktree add /tmp/a COMMIT``); its compiled modules are built
in place with the interpreter's own compiler flags (the ext-modules its pyproject.toml names),
so both trees are built alike. The corpus (``benchmarks/corpus.py``: complete records, never
``v2-partial/``) is written once; each command is then run for A, B, A, B, ... (this machine's
speed drifts between minutes, so the runs are interleaved and their medians compared), each a
fresh ``python -m kg.cli`` process with the tree first on its path, timed end to end:

  export   kg export DIR -f nquads --no-validate -w W -o all.nq
  export-nt kg export DIR -f ntriples --no-validate -w W -o all.nt
  validate kg validate all.nq -w W
  load-nq  kg load all.nq --store S (embedded Oxigraph, empty)
  load-ttl kg load all.ttl --store S

The N-Quads and Turtle files validated and loaded are tree A's export, so both trees read the
same bytes. Prints one row a command: the medians, B's time as a share of A's, the peak memory
of the largest process of any run (a worker's, with 2 workers), and every run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import tomllib
from pathlib import Path

from benchmarks.bulk import write_corpus
from benchmarks.corpus import describe, machine


def build_in_place(tree: Path) -> None:
    """The tree's compiled modules, built beside their sources with Python's own flags."""
    config = tomllib.loads((tree / "pyproject.toml").read_text())
    modules = config["tool"]["setuptools"].get("ext-modules", [])
    cc = sysconfig.get_config_var("CC").split()
    flags = (sysconfig.get_config_var("CFLAGS") + " " + sysconfig.get_config_var("CCSHARED")).split()
    link = sysconfig.get_config_var("LDSHARED").split()
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    include = sysconfig.get_paths()["include"]
    for module in modules:
        target = tree / (module["name"].replace(".", "/") + suffix)
        with tempfile.TemporaryDirectory() as objects:
            built = []
            for source in module["sources"]:
                obj = Path(objects) / (Path(source).stem + ".o")
                subprocess.run([*cc, *flags, f"-I{include}",
                                *(f"-I{tree / d}" for d in module.get("include-dirs", [])),
                                "-c", str(tree / source), "-o", str(obj)], check=True)
                built.append(str(obj))
            subprocess.run([*link, *built, "-o", str(target)], check=True)


def timed(tree: Path, args: list[str]) -> tuple[float, float]:
    """Seconds, and the peak resident memory in MB of the largest one of the run's processes
    (the main process or one worker: Linux's wait4 reports the largest of a process tree)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", "kg.cli", *args], env=env,
                                 stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            errors.seek(0)
            raise SystemExit(f"{tree}: kg {' '.join(args)} exited {code}: "
                             f"{errors.read().decode(errors='replace').strip()[-300:]}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("records", type=int, nargs="?", default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="+", default=None, metavar="COMMAND",
                        help="export, export-nt, validate, load-nq or load-ttl")
    options = parser.parse_args()
    trees = {"A": options.a.resolve(), "B": options.b.resolve()}
    for tree in trees.values():
        build_in_place(tree)
    print(machine())
    print(f"corpus: {describe(options.records)}")
    print(f"A: {trees['A']}\nB: {trees['B']}")
    work = Path(tempfile.mkdtemp(prefix="kg-paired-"))
    try:
        records = work / "records"
        write_corpus(options.records, records)
        w = str(options.workers)
        for fmt, name in (("nquads", "all.nq"), ("turtle", "all.ttl")):
            subprocess.run([sys.executable, "-m", "kg.cli", "export", str(records), "-f", fmt,
                            "--no-validate", "-q", "-w", w, "-o", str(work / name)],
                           env={**os.environ, "PYTHONPATH": str(trees["A"])}, check=True)
        store = work / "store"
        commands = {
            "export": lambda: ["export", str(records), "-f", "nquads", "--no-validate", "-q",
                               "-w", w, "-o", str(work / "out.nq")],
            "export-nt": lambda: ["export", str(records), "-f", "ntriples", "--no-validate",
                                  "-q", "-w", w, "-o", str(work / "out.nt")],
            "validate": lambda: ["validate", str(work / "all.nq"), "-w", w],
            "load-nq": lambda: ["load", str(work / "all.nq"), "--store", str(store), "-q"],
            "load-ttl": lambda: ["load", str(work / "all.ttl"), "--store", str(store), "-q"],
        }
        print(f"{'command':<9} {'A s':>7} {'B s':>7} {'B/A':>6} {'A MB':>6} {'B MB':>6}  "
              "runs (A | B)")
        for name, args in commands.items():
            if options.only and name not in options.only:
                continue
            times: dict[str, list[float]] = {"A": [], "B": []}
            peaks: dict[str, list[float]] = {"A": [], "B": []}
            for _ in range(options.runs):
                for label, tree in trees.items():
                    shutil.rmtree(store, ignore_errors=True)
                    elapsed, peak = timed(tree, args())
                    times[label].append(elapsed)
                    peaks[label].append(peak)
            a, b = statistics.median(times["A"]), statistics.median(times["B"])
            runs = " ".join(f"{t:.2f}" for t in times["A"]) + " | " + \
                " ".join(f"{t:.2f}" for t in times["B"])
            print(f"{name:<9} {a:7.2f} {b:7.2f} {b / a:6.3f} {max(peaks['A']):6.0f} "
                  f"{max(peaks['B']):6.0f}  {runs}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
