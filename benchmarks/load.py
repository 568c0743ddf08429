"""Load throughput into the embedded Oxigraph store and into a real Virtuoso, against each
store's own bulk loader on the same file.

Usage: python -m benchmarks.load [RECORDS] [--formats | --virtuoso]   (default 3,000 records,
       about 2.6 M quads; --formats: only the rows of kg load of each format into Oxigraph;
       --virtuoso: only Virtuoso's bulk rows, the registry-scale comparison, e.g. at 50,000)

The corpus (``benchmarks/corpus.py``) is exported once to N-Quads, then, each as a child
process timed end to end:
  Oxigraph: ``kg load all.nq --store DIR`` against pyoxigraph's ``Store.bulk_load`` of the same
  file, in alternating runs (this machine's speed drifts by a fifth between minutes, so runs
  are interleaved and the medians compared), then a reload of the same file (every trial
  unchanged) and of the file with 5% of the trials changed.
  Virtuoso (Debian's 7.2, on free loopback ports, its buffers sized by the row of Virtuoso's
  guide for the memory free on the machine, printed; a fresh server for its own loader and
  another for kg's rows): its own bulk loader on the file split in two (``ld_dir`` and two
  ``rdf_loader_run`` over isql, the split not timed), ``kg load --virtuoso-bulk`` (two
  loaders) and the ratio of the two, a bulk reload with 5% of the trials changed, and the
  Graph Store Protocol path.
Skipped where ``virtuoso-t`` is not installed.
The same records exported as N-Triples, Turtle and JSON-LD are loaded into fresh Oxigraph
stores beside the N-Quads (runs interleaved, medians): the rate of each against N-Quads'.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from benchmarks.bulk import write_corpus
from benchmarks.corpus import describe, machine

HELPER = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
          "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
          "stderr=subprocess.PIPE, text=True, env=json.loads(sys.stdin.read())); "
          "print(json.dumps([time.perf_counter() - t, "
          "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, done.returncode, "
          "(done.stderr.strip().splitlines() or [''])[-1]]))")
BULK_LOAD = ("import sys, pyoxigraph as ox; s = ox.Store(sys.argv[1]); "
             "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS); s.flush()")


def timed(*command: str, env: dict | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, last line said) of a command run in a helper process."""
    out = subprocess.run([sys.executable, "-c", HELPER, *command], capture_output=True,
                         text=True, check=True, input=json.dumps({**os.environ, **(env or {})}))
    seconds, rss, code, said = json.loads(out.stdout)
    if code:
        raise SystemExit(f"{' '.join(command[:4])}... exited {code}: {said}")
    return seconds, rss, said


def kg(*args: str, env: dict | None = None) -> tuple[float, float, str]:
    return timed(sys.executable, "-m", "kg.cli", *args, env=env)


def row(label: str, quads: int, seconds: float, rss: float | None = None) -> None:
    memory = f"{rss:>8,.0f} MB" if rss is not None else ""
    print(f"{label:<52} {seconds:>7.1f} s {quads / seconds:>10,.0f} quads/s {memory}",
          flush=True)


def changed_copy(source: Path, target: Path, share: float = 0.05) -> int:
    """The export with the titles of ``share`` of its trials changed; returns how many."""
    trials = changed = 0
    name = b"> <https://schema.org/name> \""
    with source.open("rb") as lines, target.open("wb") as out:
        current = None
        for line in lines:
            graph = line.rsplit(b" ", 2)[-2]
            if graph != current:
                current, trials = graph, trials + 1
                change = trials % round(1 / share) == 0
                changed += change
            if change and line.startswith(graph[:-1] + b">") and name in line:
                line = line.replace(name, name + b"Changed: ", 1)
            out.write(line)
    return changed


def oxigraph(nquads: Path, quads: int, tmp: Path, runs: int = 3) -> None:
    ours, theirs = [], []
    for run in range(runs):
        for label, results in (("kg", ours), ("bulk_load", theirs)):
            store = tmp / f"store-{label}-{run}"
            if label == "kg":
                results.append(kg("load", str(nquads), "--store", str(store), "-q"))
            else:
                results.append(timed(sys.executable, "-c", BULK_LOAD, str(store), str(nquads)))
            if run < runs - 1:
                shutil.rmtree(store)
    kg_seconds = statistics.median(r[0] for r in ours)
    bulk_seconds = statistics.median(r[0] for r in theirs)
    print(f"  kg load runs {', '.join(f'{r[0]:.1f}' for r in ours)} s; bulk_load runs "
          f"{', '.join(f'{r[0]:.1f}' for r in theirs)} s")
    row("Oxigraph: pyoxigraph Store.bulk_load (median)", quads, bulk_seconds,
        max(r[1] for r in theirs))
    row("Oxigraph: kg load all.nq --store (median)", quads, kg_seconds, max(r[1] for r in ours))
    print(f"  kg load / bulk_load: {kg_seconds / bulk_seconds:.2f}")
    store = tmp / f"store-kg-{runs - 1}"
    seconds, rss, said = kg("load", str(nquads), "--store", str(store))
    row(f"Oxigraph: reload, nothing changed ({said.split(',', 1)[-1].strip()})", quads, seconds,
        rss)
    changed = changed_copy(nquads, tmp / "changed.nq")
    seconds, rss, said = kg("load", str(tmp / "changed.nq"), "--store", str(store))
    row(f"Oxigraph: reload, {changed:,} trials changed", quads, seconds, rss)


# Virtuoso's guide (the comments of its virtuoso.ini): buffers for the memory free, by row.
VIRTUOSO_ROWS = ((32, 2_720_000, 2_000_000), (16, 1_360_000, 1_000_000), (8, 680_000, 500_000),
                 (4, 340_000, 250_000), (2, 170_000, 130_000))


def virtuoso_buffers() -> tuple[int, int]:
    """NumberOfBuffers and MaxDirtyBuffers from the guide's row for the memory free here."""
    available_gb = 2.0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            available_gb = int(line.split()[1]) / 1024 / 1024
    for gigabytes, buffers, dirty in VIRTUOSO_ROWS:
        if available_gb >= gigabytes:
            return buffers, dirty
    return VIRTUOSO_ROWS[-1][1:]


@contextlib.contextmanager
def big_virtuoso(tmp: Path) -> Iterator:
    """The test fixture's Virtuoso in ``tmp/virtuoso`` with its buffers sized as Virtuoso's guide
    sizes them for the memory free on this machine (printed)."""
    import tests.virtuoso as fixture

    buffers, dirty = virtuoso_buffers()
    print(f"Virtuoso: NumberOfBuffers {buffers:,}, MaxDirtyBuffers {dirty:,}", flush=True)
    fixture.INI = fixture.INI.replace("NumberOfBuffers = 10000", f"NumberOfBuffers = {buffers}") \
                             .replace("MaxDirtyBuffers = 6000", f"MaxDirtyBuffers = {dirty}")
    (tmp / "virtuoso").mkdir(parents=True)
    server = fixture.Virtuoso(tmp / "virtuoso")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def bulk_options(server, tmp: Path, loaders: int = 2) -> list[str]:
    """``kg load`` options for Virtuoso's bulk loader on ``server``, files under ``tmp``."""
    return ["--endpoint", server.query_url, "--update-endpoint", server.update_url,
            "--virtuoso-bulk", str(tmp / "virtuoso" / "bulk"), "--isql",
            f"127.0.0.1:{server.sql_port}", "--loaders", str(loaders)]


def own_loader(server, nquads: Path, quads: int, tmp: Path) -> float:
    """Virtuoso's own bulk loader on the file split in two (the split not timed): ``ld_dir``,
    two ``rdf_loader_run`` at once over isql, a checkpoint. Returns the seconds."""
    isql = [shutil.which("isql-vt") or "isql", f"127.0.0.1:{server.sql_port}", "dba", "dba"]
    raw = tmp / "virtuoso" / "raw"
    raw.mkdir()
    subprocess.run(["split", "-n", "l/2", "-d", "--additional-suffix=.nq", str(nquads),
                    str(raw / "part-")], check=True)
    subprocess.run([*isql, f"exec=ld_dir('{raw}', 'part-%.nq', 'urn:x');"], check=True,
                   capture_output=True)
    start = time.perf_counter()
    loaders = [subprocess.Popen([*isql, "exec=rdf_loader_run();"], stdout=subprocess.DEVNULL)
               for _ in range(2)]
    for loader in loaders:
        loader.wait()
    subprocess.run([*isql, "exec=checkpoint;"], check=True, capture_output=True)
    seconds = time.perf_counter() - start
    shutil.rmtree(raw)
    row("Virtuoso: its own bulk loader, 2 loaders", quads, seconds)
    return seconds


def virtuoso(nquads: Path, quads: int, tmp: Path, gsp: bool = True) -> None:
    """Each row into a Virtuoso of its own, started empty (deleting 40 M quads from one takes
    Virtuoso longer than loading them)."""
    if shutil.which("virtuoso-t") is None:
        print("Virtuoso: skipped (virtuoso-t not installed)")
        return
    with big_virtuoso(tmp / "own") as server:
        theirs = own_loader(server, nquads, quads, tmp / "own")
    with big_virtuoso(tmp / "kg") as server:
        env = server.env()
        bulk = bulk_options(server, tmp / "kg")
        seconds, rss, _ = kg("load", str(nquads), *bulk, "-q", env=env)
        row("Virtuoso: kg load --virtuoso-bulk, first load", quads, seconds, rss)
        print(f"  kg load --virtuoso-bulk / its own loader: {seconds / theirs:.2f}")
        changed = changed_copy(nquads, tmp / "changed.nq")
        seconds, rss, said = kg("load", str(tmp / "changed.nq"), *bulk, env=env)
        row(f"Virtuoso: kg load --virtuoso-bulk, {changed:,} trials changed", quads, seconds, rss)
        (tmp / "changed.nq").unlink()
        if not gsp:
            return
        server.clear("https://w3id.org/ctkg/")
        gsp_options = ["--endpoint", server.query_url, "--update-endpoint", server.update_url,
                       "--gsp-endpoint", server.gsp_url]
        seconds, rss, _ = kg("load", str(nquads), *gsp_options, "-q", env=env)
        row("Virtuoso: kg load (Graph Store Protocol PUT)", quads, seconds, rss)


def formats(files: dict[str, Path], quads: int, tmp: Path, runs: int = 3) -> None:
    """``kg load`` of each format of the same records into a fresh Oxigraph store."""
    seconds: dict[str, list[float]] = {suffix: [] for suffix in files}
    peak: dict[str, float] = dict.fromkeys(files, 0.0)
    for run in range(runs):
        for suffix, path in files.items():
            store = tmp / f"store-{suffix}-{run}"
            took, rss, said = kg("load", str(path), "--store", str(store), "-q")
            seconds[suffix].append(took)
            peak[suffix] = max(peak[suffix], rss)
            shutil.rmtree(store)
    nq = statistics.median(seconds["nq"])
    for suffix, path in files.items():
        took = statistics.median(seconds[suffix])
        row(f"Oxigraph: kg load all.{suffix} ({path.stat().st_size / 1e6:,.0f} MB; "
            f"{nq / took:.0%} of N-Quads' rate)", quads, took, peak[suffix])


def main(size: int, only: str | None) -> None:
    print(f"machine: {machine()}\ncorpus: {describe(size)}\n")
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        records = write_corpus(size, tmp / "records")
        files = {}
        for fmt, suffix in (("nquads", "nq"), ("ntriples", "nt"), ("turtle", "ttl"),
                            ("jsonld", "jsonld"))[:1 if only == "--virtuoso" else 4]:
            files[suffix] = tmp / f"all.{suffix}"
            subprocess.run([sys.executable, "-m", "kg.cli", "export", str(records), "-f", fmt,
                            "-o", str(files[suffix]), "--no-validate", "-q"], check=True)
        shutil.rmtree(records)
        nquads = files["nq"]
        with nquads.open("rb") as lines:
            quads = sum(1 for _ in lines)
        print(f"{quads:,} quads, {nquads.stat().st_size / 1e6:,.0f} MB of N-Quads\n")
        if only == "--virtuoso":
            print("Graph Store Protocol: not run with --virtuoso (about 27,000 quads/s)")
            virtuoso(nquads, quads, tmp, gsp=False)
            return
        formats(files, quads, tmp)
        if only == "--formats":
            return
        oxigraph(nquads, quads, tmp)
        virtuoso(nquads, quads, tmp)


if __name__ == "__main__":
    modes = [a for a in sys.argv[1:] if a in ("--formats", "--virtuoso")]
    sizes = [a for a in sys.argv[1:] if a not in modes]
    main(int(sizes[0]) if sizes else 3000, modes[0] if modes else None)
