"""The distributed path, run, not described: ``examples/dask_export.py`` on Dask's local
scheduler writes shards that hold exactly the quads ``kg export`` writes for the same records,
also when they are put together as ``cat part-*`` (shards once ended without a line end, so the
last quad of one ran into the first of the next)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pyoxigraph as ox

from tests.conftest import EXAMPLE, ROOT, write_copies


def quads(paths) -> list[str]:
    return sorted(str(q) for path in paths
                  for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def test_the_dask_shards_hold_exactly_the_quads_the_cli_writes(tmp_path):
    records = tmp_path / "records"
    write_copies(records, 30)
    shutil.copy(EXAMPLE, records / EXAMPLE.name)
    subprocess.run([sys.executable, str(ROOT / "examples" / "dask_export.py"), str(records),
                    str(tmp_path / "shards"), "4"], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "kg.cli", "export", *sorted(
        str(p) for p in records.glob("NCT*.json")), "-f", "nquads", "-o",
        str(tmp_path / "all.nq"), "--no-validate", "-q", "-w", "1"], check=True)
    shards = sorted((tmp_path / "shards").glob("part-*.nq"))
    assert len(shards) == 4
    joined = tmp_path / "joined.nq"
    joined.write_bytes(b"".join(shard.read_bytes() for shard in shards))
    assert quads([joined]) == quads([tmp_path / "all.nq"])
