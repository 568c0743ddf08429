"""The whole registry end to end, projected from stages measured on a large corpus.

Usage: python -m benchmarks.registry [RECORDS]    (default 50,000 records)

Each stage is the command a user runs, timed as a child process on the honest corpus
(``benchmarks/corpus.py``), two workers where the command takes them:
  export, validating (the default)   kg export DIR -o all.nq -w 2
  export, not validating             kg export DIR -o all.nq -w 2 --no-validate
  validate                           kg validate all.nq -w 2
  load into Oxigraph                 kg load all.nq --store DIR
  load into Virtuoso (bulk loader)   kg load all.nq --virtuoso-bulk DIR (2 loaders)
The table then projects each rate to the registry's 600,000 records.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks.bulk import write_corpus
from benchmarks.corpus import describe, machine
from benchmarks.load import big_virtuoso, bulk_options, kg

REGISTRY = 600_000


def main(size: int) -> None:
    print(f"machine: {machine()}\ncorpus: {describe(size)}\n")
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        records = write_corpus(size, tmp / "records")
        nquads = tmp / "all.nq"
        for label, extra in (("export, validating (the default)", []),
                             ("export, not validating", ["--no-validate"])):
            seconds, rss, said = kg("export", str(records), "-o", str(nquads), "-w", "2", "-q",
                                    *extra)
            rows.append((label, seconds, f"{rss:,.0f} MB"))
            print(f"{label}: {seconds:.1f} s ({size / seconds:,.0f} records/s)", flush=True)
        shutil.rmtree(records)
        with nquads.open("rb") as lines:
            quads = sum(1 for _ in lines)
        print(f"{quads:,} quads ({quads / size:,.0f} a record), "
              f"{nquads.stat().st_size / 1e9:.1f} GB of N-Quads", flush=True)
        seconds, rss, _ = kg("validate", str(nquads), "-w", "2", "-q")
        rows.append(("validate (kg validate all.nq)", seconds, f"{rss:,.0f} MB"))
        print(f"validate: {seconds:.1f} s", flush=True)
        seconds, rss, _ = kg("load", str(nquads), "--store", str(tmp / "store"), "-q")
        rows.append(("load into Oxigraph", seconds, f"{rss:,.0f} MB"))
        print(f"load into Oxigraph: {seconds:.1f} s", flush=True)
        shutil.rmtree(tmp / "store")
        rows.append(virtuoso(nquads, tmp))
    print(f"\n| stage | measured on {size:,} records | rate | 600,000 records | peak RSS |")
    print("| --- | --- | --- | --- | --- |")
    projected: dict[str, float] = {}
    for label, seconds, rss in rows:
        if seconds is None:
            print(f"| {label} | skipped | | | |")
            continue
        projected[label] = seconds * REGISTRY / size
        print(f"| {label} | {seconds:,.0f} s | {size / seconds:,.0f} records/s, "
              f"{quads / seconds:,.0f} quads/s | {projected[label] / 60:,.0f} min | {rss} |")
    export = projected["export, validating (the default)"]
    print()
    for label in ("load into Oxigraph", "load into Virtuoso (bulk loader, 2 loaders)"):
        if label in projected:
            print(f"export (validating) then {label}: "
                  f"{(export + projected[label]) / 3600:.1f} h for {REGISTRY:,} records")


def virtuoso(nquads: Path, tmp: Path) -> tuple[str, float | None, str]:
    label = "load into Virtuoso (bulk loader, 2 loaders)"
    if shutil.which("virtuoso-t") is None:
        return label, None, ""
    with big_virtuoso(tmp) as server:
        seconds, rss, _ = kg("load", str(nquads), *bulk_options(server, tmp), "-q",
                             env=server.env())
    print(f"load into Virtuoso: {seconds:.1f} s", flush=True)
    return label, seconds, f"{rss:,.0f} MB"


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
