"""Shared fixtures: the bundled reference trial, and the real records beside the clone.

Real registry records live in ``../shared/`` (never copied into the project); tests that need
them skip with the reason when it is absent. ``KG_SHARED_DIR`` points elsewhere if needed.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest
import rdflib

from kg.mapping import map_record
from kg.rdf import to_rdflib

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "NCT00698191.json"
SHARED = Path(os.environ.get("KG_SHARED_DIR", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not found at {path} (set KG_SHARED_DIR)")
    return path


def shared_records(*folders: str) -> list[Path]:
    """The single-study JSON files of the given shared folders."""
    return sorted(p for folder in folders for p in shared_path("records", folder).glob("NCT*.json"))


def load_json(path: Path) -> dict:
    return orjson.loads(path.read_bytes())


@pytest.fixture(scope="session")
def reference_record() -> dict:
    return load_json(EXAMPLE)


@pytest.fixture(scope="session")
def reference_graph(reference_record) -> rdflib.Graph:
    return to_rdflib(map_record(reference_record).triples)
