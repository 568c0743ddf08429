"""kg's mapping on a distributed engine: a Dask bag of study files, mapped and rendered per record
by the same pure functions the CLI uses, written as one N-Quads shard per partition.

Usage (Dask is not a kg dependency: ``pip install "dask[bag]"``):
    python examples/dask_export.py RECORDS_DIR OUT_DIR [PARTITIONS]

The same shape runs on a cluster by pointing Dask at a distributed scheduler, or on Spark as
``rdd.map(render).saveAsTextFile``: each record is mapped alone, so nothing is shared between
workers. What a single process does and this does not: dropping a second copy of an NCT id (do it
before, e.g. by keying on the id) and writing one sorted file (each shard is sorted per record).
"""

from __future__ import annotations

import sys
from pathlib import Path

import dask.bag as db
import orjson

from kg.mapping import map_record
from kg.serialize import FORMATS


def render(path: str) -> str:
    """One study file as N-Quads, or nothing when it is not a study (reported by the CLI)."""
    try:
        return FORMATS["nquads"].render(map_record(orjson.loads(Path(path).read_bytes())))
    except Exception as exc:  # a distributed run reports and goes on, like the CLI
        print(f"error: {path}: {exc}", file=sys.stderr)
        return ""


def main(records: str, out: str, partitions: int = 8) -> None:
    files = sorted(str(p) for p in Path(records).glob("NCT*.json"))  # one study a file
    bag = db.from_sequence(files, npartitions=partitions).map(render)
    Path(out).mkdir(parents=True, exist_ok=True)
    # Each element keeps its closing line end: Dask writes elements back to back, and a record
    # stripped of it would run its last quad into the next record's first.
    bag.filter(bool).to_textfiles(f"{out}/part-*.nq")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 8)
