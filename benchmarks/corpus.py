"""A benchmark corpus: the shared real records, varied into as many trials as asked.

Each record is a real one with a fresh NCT id (so fresh IRIs). Records are drawn at random
(seeded) with the very large ones (NCT02513394 has 437 sites and 1.5 MB of JSON) kept rare, as
in the registry. Records are made on the fly from templates, so a corpus of any size costs no
memory and no disk. They come
from ``../shared/records`` (``KG_SHARED_DIR`` overrides) and are never written into the project.
"""

from __future__ import annotations

import os
import platform
import random
from collections.abc import Iterator
from pathlib import Path

import orjson

from kg.sources.files import RawUnit

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT.parent / "shared"))
PLACEHOLDER = b"NCT@@@@@@@@"
LARGE = 300_000  # bytes; records larger than this are drawn once per RARE draws
RARE = 5_000


def templates() -> list[bytes]:
    """The seed records as JSON with a placeholder NCT id."""
    folders = [SHARED / "records" / "v2", SHARED / "records" / "v2-partial", SHARED / "seed"]
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
    weights = [1 / RARE if len(t) > LARGE else 1.0 for t in seeds]
    rng = random.Random(seed)
    for number in range(size):
        template = rng.choices(seeds, weights)[0]
        nct = f"NCT{90000000 + number:08d}"
        yield RawUnit(f"{nct}.json", template.replace(PLACEHOLDER, nct.encode()))


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
