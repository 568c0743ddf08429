"""A benchmark corpus: the shared complete records, varied into as many trials as asked.

Each record is a real, complete one (``v2/`` and the reference trial: never the ``fields=``
subsets of ``v2-partial/``, which the bulk archive does not contain) with a fresh NCT id, so
fresh IRIs. Records are drawn at random (seeded); the very large ones (NCT02513394 has 437 sites
and 1.5 MB of JSON, NCT04267848 370 KB) are drawn about once in 450 records, so that the mean
size is close to the registry archive's (about 17 KB of compact JSON a study) and about a quarter
of the records carry results. :func:`describe` prints what the drawn corpus is, so a figure can
always be read against its corpus. Records are made on the fly from templates, so a corpus of
any size costs no memory and no disk. They come from ``../shared/records`` (``KG_SHARED_DIR``
overrides) and are never written into the project.
"""

from __future__ import annotations

import os
import platform
import random
from collections.abc import Iterator
from pathlib import Path

import orjson

from kg.sources.units import RawUnit

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT.parent / "shared"))
PLACEHOLDER = b"NCT@@@@@@@@"
LARGE = 300_000  # bytes of compact JSON; records larger than this get LARGE_WEIGHT
LARGE_WEIGHT = 0.05


def templates() -> list[bytes]:
    """The seed records as JSON with a placeholder NCT id."""
    folders = [SHARED / "records" / "v2", SHARED / "seed"]
    files = sorted(p for folder in folders for p in folder.glob("NCT*.json"))
    if not files:
        raise SystemExit(f"no seed records under {SHARED}/records (set KG_SHARED_DIR)")
    result = []
    for path in files:
        record = orjson.loads(path.read_bytes())
        record["protocolSection"]["identificationModule"]["nctId"] = PLACEHOLDER.decode()
        result.append(orjson.dumps(record))
    return result


def units(size: int, seed: int = 7) -> Iterator[RawUnit]:
    """``size`` records as raw input units, in a seeded random order."""
    seeds = templates()
    weights = [LARGE_WEIGHT if len(t) > LARGE else 1.0 for t in seeds]
    rng = random.Random(seed)
    for number in range(size):
        template = rng.choices(seeds, weights)[0]
        nct = f"NCT{90000000 + number:08d}"
        yield RawUnit(f"{nct}.json", template.replace(PLACEHOLDER, nct.encode()))


def describe(size: int, seed: int = 7) -> str:
    """The drawn corpus in one line: records, mean compact JSON size, share with results."""
    total = with_results = 0
    for unit in units(size, seed):
        total += len(unit.data)
        with_results += b'"resultsSection"' in unit.data
    return (f"{size:,} complete records, mean {total / size / 1024:.1f} KB of JSON, "
            f"{with_results / size:.0%} with results")


def corpus(size: int, seed: int = 7) -> list[bytes]:
    """The same records as a list of JSON bytes (for small corpora)."""
    return [unit.data for unit in units(size, seed)]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), "
            f"Python {platform.python_version()}")
