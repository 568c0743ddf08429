"""A benchmark corpus: the shared real records, varied into as many trials as asked.

Each copy gets a fresh NCT id (and so fresh IRIs); the mix keeps the real proportion of small
and very large records (NCT02513394 has 437 sites). Records come from ``../shared/records``
(``KG_SHARED_DIR`` to override) and are never written into the repository.
"""

from __future__ import annotations

import os
import platform
import random
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT.parent / "shared"))


def seed_records() -> list[bytes]:
    folders = [SHARED / "records" / "v2", SHARED / "records" / "v2-partial", SHARED / "seed"]
    files = sorted(p for folder in folders for p in folder.glob("NCT*.json"))
    if not files:
        raise SystemExit(f"no seed records under {SHARED}/records (set KG_SHARED_DIR)")
    return [p.read_bytes() for p in files]


def corpus(size: int, seed: int = 7) -> list[bytes]:
    """``size`` JSON records (bytes), shuffled, each with its own NCT id."""
    seeds = seed_records()
    rng = random.Random(seed)
    records = []
    for number in range(size):
        record = orjson.loads(seeds[number % len(seeds)])
        record["protocolSection"]["identificationModule"]["nctId"] = f"NCT{90000000 + number:08d}"
        records.append(orjson.dumps(record))
    rng.shuffle(records)
    return records


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
